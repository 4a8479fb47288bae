"""`devenv up --watch` / `devenv watch` on a real engine, in a real pseudo-terminal: a saved edit reaches the
running service, a change that crashes it is explained with its logs, Ctrl-C stops watching cleanly (exit
0, terminal restored, no compose left behind) and the stack keeps running."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.data import wait_for
from tests.helpers.stack import Stack, busybox_profile, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # real engine, 10-30 s each

# web serves /www; its health check reads a file the command makes, so it never depends on synced code
SERVE = "mkdir -p /www && touch /www/health && exec httpd -f -p 8000 -h /www"
HEALTH = {"test": "wget -qO- http://localhost:8000/health", "interval": "1s"}


def watched_profile(web: dict[str, Any]) -> dict[str, Any]:
    profile = busybox_profile()
    profile["services"]["web"].update({"command": ["sh", "-c", SERVE], "healthcheck": HEALTH, **web})
    return profile


@pytest.fixture
def stacks(tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    made: list[Stack] = []

    def make(profile: dict[str, Any]) -> Stack:
        s = make_stack(tmp_path, profile)
        (s.root / "src").mkdir()
        (s.root / "src" / "index.html").write_text("first\n")
        made.append(s)
        return s

    yield make
    for s in made:
        s.cleanup()


def terminal(s: Stack, command: str) -> Any:
    """devenv in a real pty, under a shell that survives Ctrl-C to report the exit code and the tty modes."""
    import pexpect

    return pexpect.spawn(
        "bash",
        ["-c", f"trap true INT; {sys.executable} -m devenv {command}; echo rc=$?; stty -a"],
        cwd=str(s.root),
        env={**os.environ, "COLUMNS": "200"},
        encoding="utf-8",
        timeout=120,
    )


def page(s: Stack, path: str = "/") -> str:
    port = s.state["ports"]["web"][0]
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2) as response:
            return str(response.read().decode())
    except OSError as exc:
        return f"unreachable: {exc}"


def compose_watchers(s: Stack) -> list[str]:
    done = subprocess.run(["ps", "-eo", "pid=,args="], capture_output=True, text=True, check=False)
    return [line for line in done.stdout.splitlines() if "watch" in line and s.project in line]


def stop(child: Any) -> str:
    import pexpect

    child.sendintr()
    child.expect(r"rc=(\d+)")
    screen = str(child.before)
    code = child.match.group(1)
    child.expect(pexpect.EOF)
    modes = str(child.before).split()
    assert "echo" in modes and "icanon" in modes, modes  # the terminal is not left raw and silent
    assert code == "0", screen
    return screen


def test_a_saved_edit_reaches_the_running_service_and_ctrl_c_stops_cleanly(stacks: Callable[..., Stack]) -> None:
    s = stacks(watched_profile({"watch": [{"action": "sync", "path": "./src", "target": "/www"}]}))
    child = terminal(s, "up --profile ./stack.yaml --watch")
    child.expect("watching: save a file")
    assert page(s) == "first\n"  # the checkout's files reached the container when the watch started
    (s.root / "src" / "index.html").write_text("second\n")
    wait_for(lambda: page(s) == "second\n", timeout=20, what="the edit to be served")
    child.expect("web: synced 1 change")
    (s.root / "src" / "node_modules").mkdir()
    (s.root / "src" / "node_modules" / "big.js").write_text("ignored\n")
    (s.root / "src" / "other.html").write_text("third\n")
    wait_for(lambda: page(s, "/other.html") == "third\n", timeout=20, what="the second edit to be served")
    assert "404" in page(s, "/node_modules/big.js")  # the default ignores keep dependencies out
    web = s.container_ids()["web"]
    screen = stop(child)
    assert "Stopped watching; the stack keeps running" in screen
    assert "interrupted" not in screen and "Traceback" not in screen
    assert s.containers()["web"]["State"]["Running"] and s.container_ids()["web"] == web
    wait_for(lambda: not compose_watchers(s), timeout=10, what="compose watch to end")


def test_a_change_that_crashes_the_service_is_explained_and_the_watch_goes_on(stacks: Callable[..., Stack]) -> None:
    crash_if = "if [ -f /www/broken ]; then echo boom: the config is broken; exit 3; fi; "
    s = stacks(
        watched_profile(
            {
                "command": ["sh", "-c", crash_if + SERVE],
                "watch": [{"action": "sync+restart", "path": "./src", "target": "/www"}],
            }
        )
    )
    assert s.devenv("up", "--profile", "./stack.yaml").code == 0
    child = terminal(s, "watch --no-up")
    child.expect("watching: save a file")
    (s.root / "src" / "broken").write_text("x\n")
    child.expect("web: restarted")
    child.expect("error: web: exited with code 3 after the change")
    child.expect("boom: the config is broken")
    (s.root / "src" / "broken").unlink()  # compose syncs the deletion, restarts, and web is back
    child.expect(r"web: running again \(healthy\)", timeout=60)
    stop(child)


def test_watch_without_rules_says_how_to_add_them(stacks: Callable[..., Stack]) -> None:
    s = stacks(busybox_profile())
    assert s.devenv("up", "--profile", "./stack.yaml").code == 0
    started = time.monotonic()
    done = s.devenv("watch", "--no-up")
    assert done.code == 2, done.err
    assert "error: no service of this stack has watch rules: there is nothing to watch" in done.err
    assert "hint: add `watch:` to a service in the profile" in done.err
    assert time.monotonic() - started < 10
