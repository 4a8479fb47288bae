"""The rough edges of the daily loop, on a real engine (pexpect where a terminal matters): -w after the
command, declining a confirmation, Ctrl-C on `logs -f`, `exec` and `status` on a stopped or downed stack."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devenv.domain.stack.health import ServiceStatus
from devenv.domain.stack.not_up import status_warning, why_not_running
from tests.helpers.init import PYTHON
from tests.helpers.stack import Stack, busybox_profile, devenv, docker, make_stack

CTRL_C = "\x03"


def test_the_words_for_a_stack_that_is_not_up() -> None:
    down = {"db": ServiceStatus("db", "missing"), "web": ServiceStatus("web", "missing")}
    assert status_warning(down) == "the stack is down (no containers); run `devenv up` to start it"
    half = {"db": ServiceStatus("db", "running"), "web": ServiceStatus("web", "exited", exit_code=143)}
    assert status_warning(half) == "web is stopped; run `devenv up`"
    assert status_warning(half, optional=["web"]) is None
    crashed = ServiceStatus("web", "exited", exit_code=3)
    assert why_not_running(crashed) == (
        "service 'web' is not running: it exited with code 3",
        "see why with `devenv logs web`, then run `devenv up`",
    )
    assert why_not_running(ServiceStatus("web", "missing"))[1] == "run `devenv up` first"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    profile = busybox_profile()
    for service in profile["services"].values():
        service["init"] = True  # httpd as PID 1 ignores SIGTERM: every stop would wait 10 s
    s = make_stack(tmp_path_factory.mktemp("edges"), profile)
    done = s.devenv("up", "--profile", str(s.profile))
    assert done.code == 0, done.err
    yield s
    s.cleanup()


@pytest.fixture
def running(stack: Stack) -> Stack:
    done = stack.devenv("up")  # a no-op unless an earlier test stopped something
    assert done.code == 0, done.err
    return stack


def spawn(s: Stack, *args: str) -> Any:
    import pexpect

    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "120"}
    return pexpect.spawn(
        PYTHON, ["-m", "devenv", *args], env=env, cwd=str(s.root), encoding="utf-8", timeout=60, dimensions=(40, 120)
    )


def finish(child: Any) -> tuple[int, str]:
    import pexpect

    child.expect(pexpect.EOF)
    before = str(child.before)
    child.close()
    return int(child.exitstatus), before


@pytest.mark.integration
def test_workspace_option_after_the_command_on_a_real_stack(running: Stack, tmp_path: Path) -> None:
    done = devenv("status", "-w", str(running.root), cwd=tmp_path)
    assert done.code == 0, done.err
    assert f"workspace {running.root}" in done.out
    done = devenv("exec", "--workspace", str(running.root), "web", "echo", "hi", cwd=tmp_path)
    assert (done.code, done.out.strip()) == (0, "hi")


@pytest.mark.integration
def test_declining_a_confirmation_is_not_an_error(running: Stack) -> None:
    before = running.container_ids()
    child = spawn(running, "reset")
    child.expect(r"delete its data and seed it again\?")
    child.send("n\r")
    code, rest = finish(child)
    assert code == 1
    assert "nothing reset" in rest and "error" not in rest and "--yes" not in rest and "run the same" not in rest
    child = spawn(running, "down", "--volumes")
    child.expect(r"and its volumes \(all its data\)\?")
    child.send("n\r")
    code, rest = finish(child)
    assert code == 1 and "nothing removed" in rest and "--yes" not in rest
    assert running.container_ids() == before
    done = running.devenv("reset")  # without a terminal: stop, naming --yes, as before
    assert done.code == 2 and "hint: pass --yes" in done.err


@pytest.mark.integration
def test_ctrl_c_on_logs_follow_ends_quietly(running: Stack) -> None:
    child = spawn(running, "logs", "-f", "web")
    child.expect("web serving on 8000")
    child.send(CTRL_C)
    code, rest = finish(child)
    assert code == 130
    assert "run the same command again" not in rest and "interrupted" not in rest


@pytest.mark.integration
@pytest.mark.slow
def test_exec_and_status_on_a_stopped_then_downed_stack_name_devenv_up(running: Stack) -> None:
    docker("stop", "-t", "1", running.container_ids()["web"])
    done = running.devenv("exec", "web", "true")
    assert done.code == 4
    assert done.err == "error: service 'web' is not running (it is stopped)\nhint: run `devenv up`\n"
    done = running.devenv("status")
    assert done.code == 4 and "warning: web is stopped; run `devenv up`" in done.err
    assert json.loads(running.devenv("status", "--json").out)["needs_up"] is True  # up would start it
    assert running.devenv("down").code == 0
    done = running.devenv("status")
    assert done.code == 4
    assert "warning: the stack is down (no containers); run `devenv up` to start it" in done.err
    done = running.devenv("exec", "web", "true")
    assert done.code == 4 and "no container (the stack is down)" in done.err and "run `devenv up`" in done.err
    assert 'service "web" is not running' not in done.err  # compose's raw text


def only_json(done: Any) -> dict[str, Any]:
    """stdout is one JSON document and nothing else."""
    assert done.code == 0, done.err
    payload: dict[str, Any] = json.loads(done.out)
    return payload


@pytest.mark.integration
@pytest.mark.slow
def test_json_on_up_reset_init_and_down(running: Stack) -> None:
    up = only_json(running.devenv("up", "--json"))
    assert (up["command"], up["workspace"], up["project"]) == ("up", str(running.root), running.project)
    assert up["changed"] is False and up["services"]["web"]["state"] == "running"
    assert up["urls"]["web"] == up["services"]["web"]["urls"] and up["urls"]["web"][0].startswith("http://localhost:")
    assert "db" not in up["urls"]

    reset = only_json(running.devenv("reset", "--yes", "--json"))
    assert reset["command"] == "reset" and reset["changed"] is True and reset["seeded_now"] is True
    assert {s["health"] for s in reset["services"].values()} == {"healthy"}

    init = only_json(running.devenv("init", "--dir", str(running.root), "--json"))
    assert init["command"] == "init" and init["profile"] == str(running.profile) and init["dry_run"] is False
    assert init["urls"] == up["urls"]

    down = only_json(running.devenv("down", "--json"))
    assert down == {
        "command": "down",
        "workspace": str(running.root),
        "project": running.project,
        "profile": str(running.profile),
        "volumes_removed": False,
        "services": {},
        "urls": {},
    }
    done = running.devenv("reset", "--json")  # an error stays on stderr, with its exit code
    assert done.code == 2 and done.out == "" and "hint: pass --yes" in done.err
