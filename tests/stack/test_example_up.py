"""The shipped example comes up healthy, linked and seeded with `devenv up`."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.stack import Stack, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # each test takes more than ~3 s


def test_example_profile_up_is_healthy_linked_and_seeded(tmp_path: Path) -> None:
    root = tmp_path / "platform"
    root.mkdir()
    stack = Stack(root, root / "unused.yaml")
    port = free_port()
    try:
        done = stack.devenv("up", "--profile", "example", "--set", f"web_port={port}", timeout=900)
        assert done.code == 0, done.err
        assert f"http://localhost:{port}" in done.out
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            report = json.loads(response.read())
        assert report["db"]["ok"] and report["cache"]["ok"] and report["broker"]["ok"], report
        assert report["seeded_rows"] > 0
        again = stack.devenv("up")
        assert "Up to date" in again.out
    finally:
        stack.cleanup()
