"""Helpers for tests of the stack's data: read a volume, wait for a step, see a seed in progress."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable

from tests.helpers.stack import BUSYBOX, Stack


def volume_file(s: Stack, path: str) -> str:
    """A file in the db-data volume, read by a throwaway container (the db container may be stopped)."""
    done = subprocess.run(
        ["docker", "run", "--rm", "-v", f"{s.project}_db-data:/data", BUSYBOX, "cat", f"/data/{path}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else ""


def wait_for(predicate: Callable[[], bool], timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def seed_started(s: Stack) -> bool:
    try:
        return "started" in s.state.get("seed_status", {}).values()
    except (OSError, ValueError):
        return False
