#!/bin/sh
# The example app's tests, run inside its own image against the live linked services:
#   devenv run web ./run_tests.sh            (from the workspace; db, cache and broker start first)
#   devenv run web ./run_tests.sh -k cache   (arguments go to unittest: -k PATTERN, -v, -f ...)
# Python's own unittest: the image has no pip and needs none.
set -e
cd "$(dirname "$0")"
exec python3 -m unittest discover --start-directory tests --top-level-directory . "$@"
