"""A service whose first health check is still to come is healthy once its check, run at once, passes
(usecases/healthnow.py): up does not wait the engine's interval, status says what the check says."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from devenv.domain.stack.health import health_test
from tests.helpers.stack import BUSYBOX, Stack, docker, make_stack

NS = 1_000_000_000


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"Healthcheck": {"Test": ["CMD", "pg_isready", "-q"]}}, (["pg_isready", "-q"], 30.0)),
        (
            {"Healthcheck": {"Test": ["CMD-SHELL", "curl -f x || exit 1"], "Timeout": 5 * NS}},
            (["/bin/sh", "-c", "curl -f x || exit 1"], 5.0),
        ),
        ({"Healthcheck": {"Test": ["NONE"]}}, None),
        ({"Healthcheck": {"Test": []}}, None),
        ({}, None),
    ],
)
def test_the_check_command_is_the_one_the_engine_runs(config: dict[str, Any], expected: object) -> None:
    assert health_test(config) == expected


def test_a_shell_check_runs_in_the_container_s_own_shell() -> None:
    config = {"Healthcheck": {"Test": ["CMD-SHELL", "test -f /ok"]}, "Shell": ["/bin/bash", "-eo", "pipefail", "-c"]}
    assert health_test(config) == (["/bin/bash", "-eo", "pipefail", "-c", "test -f /ok"], 30.0)


CHECK = 'test "$(id -u)" = 1234 && test "$PWD" = /tmp && test "$MARK" = here && test ! -e /tmp/sick'


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    profile = {
        "name": "hn",
        "version": "1.0.0",
        "services": {
            "app": {
                "image": BUSYBOX,
                "init": True,
                "user": "1234",
                "working_dir": "/tmp",
                "environment": {"MARK": "here"},
                "command": ["sleep", "3600"],
                # the engine's first check comes a minute after the start
                "healthcheck": {"test": CHECK, "interval": "60s", "retries": 3},
            }
        },
    }
    s = make_stack(tmp_path_factory.mktemp("health-now"), profile)
    yield s
    s.cleanup()


def engine_health(s: Stack) -> str:
    info = json.loads(docker("inspect", s.container_ids()["app"]))[0]
    return str(info["State"]["Health"]["Status"])


def test_up_is_done_when_the_check_passes_not_when_the_engine_first_runs_it(stack: Stack) -> None:
    done = stack.devenv("up", "--profile", str(stack.profile), "--timeout", "30")  # the engine would take 60 s

    assert done.code == 0, done.err
    assert engine_health(stack) == "starting"  # the engine has not run its check yet
    status = stack.devenv("status")
    assert status.code == 0 and "healthy" in status.out  # run as the container's user, folder, environment


def test_status_says_starting_while_the_check_fails(stack: Stack) -> None:
    assert stack.devenv("up", "--profile", str(stack.profile), "--timeout", "30").code == 0
    docker("restart", "-t", "0", stack.container_ids()["app"])  # health: starting again, for a minute
    assert engine_health(stack) == "starting"
    assert stack.devenv("status").code == 0

    docker("exec", "-u", "0", stack.container_ids()["app"], "touch", "/tmp/sick")

    status = stack.devenv("status")
    assert status.code != 0 and "starting" in status.out


def test_a_failed_first_check_runs_again_at_once_later_ones_after_a_gap() -> None:
    from devenv.usecases.healthnow import GAP_SECONDS, _due

    now = 100.0
    assert _due(None, now)  # never run
    assert _due((now, False, 0.05, 1), now)  # the first ran as the container started: again at once
    assert not _due((now, True, 0.05, 1), now)  # it passed: no sooner than the gap
    assert _due((now - GAP_SECONDS - 0.001, True, 0.05, 1), now)
    assert not _due((now - GAP_SECONDS, False, 0.3, 2), now)  # a slow check: no sooner than it took
    assert _due((now - 0.301, False, 0.3, 2), now)
