"""Chaos: `devenv up` and `devenv reset` killed (SIGKILL, SIGTERM, SIGINT) at every step boundary - build,
start, wait, seed, and reset's deletion - each followed by `devenv up`, always end in one consistent,
healthy stack whose non-idempotent seed ran exactly once (it appends lines: the file is counted)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.data import seed_started, volume_file
from tests.helpers.stack import BUSYBOX, Stack, busybox_profile, docker, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # real engine, seconds to minutes each

ONCE = "start\nend\n"
EXIT = {signal.SIGKILL: -9, signal.SIGTERM: 143, signal.SIGINT: 130}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    profile = busybox_profile()
    for service in profile["services"].values():
        service["init"] = True  # httpd as PID 1 ignores SIGTERM: each stop would wait Docker's 10 s
    db = profile["services"]["db"]
    del db["image"]
    db["build"] = "images/db"  # a build step to interrupt
    db["command"] = ["sh", "-c", "sleep 1; mkdir -p /data && touch /data/ok && exec httpd -f -p 5432 -h /data"]
    profile["seed"] = [
        {"service": "db", "run": ["sh", "-c", "echo start >> /data/seed.log; sleep 1; echo end >> /data/seed.log"]}
    ]
    s = make_stack(tmp_path, profile)
    context = s.root / "images" / "db"
    context.mkdir(parents=True)
    (context / "Dockerfile").write_text(f"FROM {BUSYBOX}\nCOPY stamp /stamp\n")
    (context / "stamp").write_text("0")
    yield s
    if (s.root / ".devenv" / "state.json").exists():
        compose = ["docker", "compose", "-p", s.project, "-f", str(s.root / ".devenv" / "compose.yaml")]
        subprocess.run(
            [*compose, "down", "-v", "--remove-orphans", "--rmi", "local", "-t", "1"],
            capture_output=True,
            check=False,
        )


def child_running(s: Stack, proc: subprocess.Popen[str], words: str) -> Callable[[], bool]:
    def check() -> bool:
        done = subprocess.run(["ps", "-ww", "-o", "args=", "--ppid", str(proc.pid)], capture_output=True, text=True)
        return words in done.stdout

    return check


def waiting_for_health(s: Stack) -> Callable[[], bool]:
    def check() -> bool:
        try:
            db = s.containers().get("db")
        except (AssertionError, OSError, ValueError, KeyError):
            return False
        return db is not None and (db["State"].get("Health") or {}).get("Status") == "starting"

    return check


def reset_pending(s: Stack) -> Callable[[], bool]:
    def check() -> bool:
        try:
            return s.state.get("reset_pending") is True
        except (OSError, ValueError):
            return False

    return check


def interrupt(proc: subprocess.Popen[str], how: signal.Signals, ready: Callable[[], bool], step: str) -> None:
    deadline = time.monotonic() + 90
    while not ready():
        assert proc.poll() is None, f"devenv finished before the {step} step: {proc.communicate()}"
        assert time.monotonic() < deadline, f"the {step} step never came"
        time.sleep(0.02)
    proc.send_signal(how)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == EXIT[how], (step, err)
    assert "Traceback" not in err, err


def recovers(s: Stack, step: str) -> None:
    done = s.devenv("up")
    assert done.code == 0, (step, done.err)
    assert s.devenv("status").code == 0, step  # every service healthy
    assert volume_file(s, "seed.log") == ONCE, step
    assert {c["State"]["Status"] for c in s.containers().values()} == {"running"}, step


# every step of both commands is hit; the steps rotate across the signals so the whole run stays within a few
# minutes on a shared machine (tests/stack/test_data_and_signals.py adds every signal during a seed)
PLAN = {
    signal.SIGKILL: (["build", "wait", "seed"], ["delete", "seed"]),
    signal.SIGTERM: (["start", "seed"], ["delete", "wait"]),
    signal.SIGINT: (["build", "wait"], ["start", "seed"]),
}


@pytest.mark.parametrize("how", list(PLAN), ids=["KILL", "TERM", "INT"])
def test_kill_at_each_step_then_up_ends_seeded_once_and_healthy(stack: Stack, how: signal.Signals) -> None:
    s = stack
    steps: dict[str, Callable[[subprocess.Popen[str]], Callable[[], bool]]] = {
        "build": lambda p: child_running(s, p, " build "),
        "start": lambda p: child_running(s, p, " up --detach "),
        "wait": lambda p: waiting_for_health(s),
        "seed": lambda p: lambda: seed_started(s),
        "delete": lambda p: reset_pending(s),
    }
    up_steps, reset_steps = PLAN[how]
    for n, step in enumerate(up_steps):
        if n:
            assert s.devenv("down", "--volumes", "--yes").code == 0
        (s.root / "images" / "db" / "stamp").write_text(str(n + 1))  # a changed context: up builds again
        proc = s.spawn("up", "--profile", "./stack.yaml")
        interrupt(proc, how, steps[step](proc), f"up/{step}")
        recovers(s, f"up/{step}")
    for step in reset_steps:
        proc = s.spawn("reset", "--yes")
        interrupt(proc, how, steps[step](proc), f"reset/{step}")
        recovers(s, f"reset/{step}")
    assert docker("volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={s.project}").split() == [
        f"{s.project}_db-data"
    ]


# `init` runs the same build/start/wait/seed steps inside its own flow (doctor, profile, answers, up): one kill
# per signal at a different step, then the daily `devenv up` must finish the job with the seed run once
INIT_PLAN = {signal.SIGKILL: "seed", signal.SIGTERM: "build", signal.SIGINT: "wait"}


@pytest.mark.parametrize("how", list(INIT_PLAN), ids=["KILL", "TERM", "INT"])
def test_init_killed_at_a_step_then_up_ends_seeded_once_and_healthy(stack: Stack, how: signal.Signals) -> None:
    s = stack
    step = INIT_PLAN[how]
    proc = s.spawn("init", "--profile", "./stack.yaml", "--dir", str(s.root), "--yes")
    ready = {
        "build": child_running(s, proc, " build "),
        "wait": waiting_for_health(s),
        "seed": lambda: seed_started(s),
    }[step]
    interrupt(proc, how, ready, f"init/{step}")
    recovers(s, f"init/{step}")
