"""The stack's data across version bumps, changed volumes, kills and signals, on a real engine and in a
real pseudo-terminal: no compose question behind devenv's back, a seed that runs exactly once, volumes
removed behind devenv's back re-seeded, SIGTERM handled like Ctrl-C, and secrets never printed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.data import seed_started, volume_file, wait_for
from tests.helpers.stack import Stack, busybox_profile, docker, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # real engine, seconds to minutes each

# appends a line before and after a pause: run twice, or killed half-way and run again, it shows
SLOW_SEED = {"service": "db", "run": ["sh", "-c", "echo start >> /data/seed.log; sleep 3; echo end >> /data/seed.log"]}


@pytest.fixture
def stacks(tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    made: list[Stack] = []

    def make(**overrides: Any) -> Stack:
        s = make_stack(tmp_path, busybox_profile(**overrides))
        made.append(s)
        return s

    yield make
    for s in made:
        s.cleanup()


def up(s: Stack, *args: str) -> str:
    done = s.devenv("up", "--profile", "./stack.yaml", *args)
    assert done.code == 0, done.err
    return done.out + done.err


def pty_devenv(s: Stack, *args: str, timeout: float = 120) -> tuple[int, str]:
    """devenv in a real pseudo-terminal; the whole screen it drew, and its exit status."""
    import pexpect

    child = pexpect.spawn(
        sys.executable,
        ["-m", "devenv", *args],
        cwd=str(s.root),
        env={**os.environ, "COLUMNS": "200"},
        encoding="utf-8",
        timeout=timeout,
    )
    child.expect(pexpect.EOF)  # a question nobody sees would hang here until the timeout: a failure
    child.close()
    assert child.exitstatus is not None, child.before
    return child.exitstatus, str(child.before)


def bump_version(s: Stack, version: str) -> None:
    profile = yaml.safe_load(s.profile.read_text())
    profile["version"] = version
    profile["description"] = f"now {version}"
    s.profile.write_text(yaml.safe_dump(profile, sort_keys=False))


def test_raising_the_version_in_a_terminal_keeps_the_data_and_does_not_hang(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    db = s.container_ids()["db"]
    docker("exec", db, "sh", "-c", "echo precious > /data/mine.txt")
    bump_version(s, "1.1.0")
    code, screen = pty_devenv(s, "up")
    assert code == 0, screen
    assert "Recreate" not in screen
    assert volume_file(s, "mine.txt") == "precious\n"
    assert volume_file(s, "seed.log") == "seeded\n"
    assert s.container_ids()["db"] == db  # not even the containers change for a new version number


def test_a_volume_whose_configuration_changed_is_explained_never_asked(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    assert s.devenv("down").code == 0
    name = f"{s.project}_db-data"
    docker("volume", "rm", name)
    # the same volume as compose would make it, but with driver options the compose file does not have
    docker(
        "volume",
        "create",
        "--opt",
        "type=tmpfs",
        "--opt",
        "device=tmpfs",
        "--label",
        f"com.docker.compose.project={s.project}",
        "--label",
        "com.docker.compose.volume=db-data",
        "--label",
        "com.docker.compose.config-hash=0000",
        name,
    )
    code, screen = pty_devenv(s, "up")
    assert code == 4, screen
    assert (
        "the db-data volume's driver options changed (the engine has device=tmpfs, type=tmpfs; the profile has none)"
        in screen
    )
    assert "devenv up --recreate-volumes" in screen
    assert "Recreate" not in screen
    done = s.devenv("up", "--recreate-volumes")
    assert done.code == 0, done.err
    assert "seeded" in done.out
    options = docker("volume", "inspect", "--format", "{{json .Options}}", name).strip()
    assert options in ("null", "{}")
    assert volume_file(s, "seed.log") == "seeded\n"


def test_ctrl_c_in_a_terminal_stops_up_and_leaves_the_terminal_sane(stacks: Callable[..., Stack]) -> None:
    import pexpect

    profile = busybox_profile()
    profile["services"]["db"]["healthcheck"] = {"test": "false", "interval": "1s", "retries": 100}
    s = stacks(services=profile["services"])
    child = pexpect.spawn(
        "bash",  # a trap (not an ignore) keeps the shell alive for `stty` while devenv gets Ctrl-C as usual
        ["-c", f"trap true INT; {sys.executable} -m devenv up --profile ./stack.yaml; echo rc=$?; stty -a"],
        cwd=str(s.root),
        env={**os.environ, "COLUMNS": "200"},
        encoding="utf-8",
        timeout=60,
    )
    wait_for(lambda: (s.root / ".devenv" / "state.json").exists() and "db" in s.containers(), what="db to start")
    time.sleep(1)
    started = time.monotonic()
    child.sendintr()
    child.expect(r"rc=(\d+)")
    assert child.match.group(1) == "130"
    assert time.monotonic() - started < 15
    child.expect(pexpect.EOF)
    modes = str(child.before).split()
    assert "echo" in modes and "icanon" in modes  # not left raw and silent


def test_sigterm_is_handled_like_ctrl_c_and_leaves_no_compose_behind(stacks: Callable[..., Stack]) -> None:
    profile = busybox_profile()
    profile["services"]["db"]["healthcheck"] = {"test": "false", "interval": "1s", "retries": 100}
    s = stacks(services=profile["services"])
    proc = s.spawn("up", "--profile", "./stack.yaml")
    wait_for(lambda: bool(children_of(proc.pid)), what="docker compose to start")
    compose = children_of(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert "interrupted; run the same command again" in err
    assert "Traceback" not in err
    assert not [pid for pid in compose if Path(f"/proc/{pid}").exists() and not zombie(pid)]


def children_of(pid: int) -> list[int]:
    done = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(p) for p in done.stdout.split()]


def zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_an_interrupted_seed_is_stopped_and_runs_once_from_a_clean_state(
    stacks: Callable[..., Stack], how: signal.Signals
) -> None:
    s = stacks(seed=[SLOW_SEED])
    proc = s.spawn("up", "--profile", "./stack.yaml")
    wait_for(lambda: seed_started(s) and "start" in volume_file(s, "seed.log"), what="the seed to start")
    proc.send_signal(how)
    proc.communicate(timeout=60)
    assert proc.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -9}[how]
    if how != signal.SIGKILL:  # the process in the container was stopped with devenv, not left to finish
        time.sleep(4)
        assert volume_file(s, "seed.log") == "start\n"
    done = s.devenv("up")
    assert done.code == 0, done.err
    assert "the seed was interrupted (task 1. sh -c echo start" in done.err
    assert "deleting the stack's volumes to seed again from a clean state" in done.err
    time.sleep(0.5)
    assert volume_file(s, "seed.log") == "start\nend\n"
    assert s.devenv("up").code == 0
    assert volume_file(s, "seed.log") == "start\nend\n"


def test_a_failed_seed_is_rerun_from_a_clean_state(stacks: Callable[..., Stack]) -> None:
    seed = {"service": "db", "run": ["sh", "-c", "echo run >> /data/seed.log; test ${mode} = good"]}
    variables = {**busybox_profile()["variables"], "mode": {"type": "string", "default": "bad"}}
    s = stacks(seed=[seed], variables=variables)
    done = s.devenv("up", "--profile", "./stack.yaml")
    assert done.code == 4 and "failed with exit code 1" in done.err, done.err
    done = s.devenv("up", "--set", "mode=good")
    assert done.code == 0, done.err
    assert "the seed failed (task 1." in done.err
    assert volume_file(s, "seed.log") == "run\n"


def test_volumes_removed_behind_devenvs_back_are_seeded_again(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    subprocess.run(["docker", "compose", "-p", s.project, "down", "-v", "-t", "1"], capture_output=True, check=True)
    done = s.devenv("up")
    assert done.code == 0, done.err
    assert "the volume db-data holding the seeded data was removed or replaced" in done.err
    assert "seeded" in done.out
    assert volume_file(s, "seed.log") == "seeded\n"


def test_a_stopped_stack_started_again_keeps_its_seeded_data(stacks: Callable[..., Stack]) -> None:
    # like PostgreSQL's postmaster.pid, the db makes a file at the top of its volume at each start: on
    # Docker 20.10 that moves the volume's CreatedAt
    services = busybox_profile()["services"]
    services["db"]["command"] = ["sh", "-c", "rm -f /data/pid && echo $$ > /data/pid && exec httpd -f -p 5432 -h /data"]
    services["db"]["healthcheck"]["test"] = "wget -qO- http://localhost:5432/pid"
    s = stacks(services=services)
    up(s)
    assert s.devenv("stop").code == 0
    done = s.devenv("up")
    assert done.code == 0, done.err
    assert "removed or replaced" not in done.err and "seeding" not in done.err
    assert volume_file(s, "seed.log") == "seeded\n"


def test_a_stopped_stack_whose_network_was_pruned_comes_up_again_with_its_data(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    assert s.devenv("stop").code == 0
    subprocess.run(["docker", "network", "rm", f"{s.project}_default"], capture_output=True, check=True)
    done = s.devenv("up")  # compose alone: "network ... not found", the containers still name the old one
    assert done.code == 0, done.err
    assert "network was removed" in done.err
    assert volume_file(s, "seed.log") == "seeded\n"  # new containers, the same data, not seeded again
    assert s.devenv("status").code == 0


def test_a_reset_killed_after_deleting_the_data_is_finished_by_the_next_up(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    proc = s.spawn("reset", "--yes")
    wait_for(lambda: s.state.get("reset_pending") is True, what="the reset to start")
    wait_for(lambda: not s.volumes(), what="the volumes to go")
    proc.kill()
    proc.communicate(timeout=30)
    done = s.devenv("up")
    assert done.code == 0, done.err
    assert "seeded" in done.out
    assert volume_file(s, "seed.log") == "seeded\n"


def test_run_stopped_by_a_signal_removes_its_one_off_container(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    proc = s.spawn("run", "db", "sleep", "120")

    def one_offs() -> list[str]:
        return docker(
            "ps",
            "-aq",
            "--filter",
            f"label=com.docker.compose.project={s.project}",
            "--filter",
            "label=com.docker.compose.oneoff=True",
        ).split()

    wait_for(lambda: bool(one_offs()), what="the one-off container")
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err
    assert one_offs() == []


def test_a_planted_secret_is_never_printed(stacks: Callable[..., Stack]) -> None:
    secret = "Zq7-planted-S3CRET"
    profile = busybox_profile()
    profile["variables"]["db_password"]["default"] = secret
    profile["services"]["db"]["command"] = [
        "sh",
        "-c",
        "mkdir -p /data && touch /data/ok && exec httpd -f -p 5432 -h /data",
    ]
    profile["services"]["db"]["environment"] = {"PW": "${db_password}"}
    # the seed gets the secret on its command line as written, but `ps` must not show it
    seed = {"service": "db", "run": ["sh", "-c", "sleep 2; echo ${db_password} > /data/pw"]}
    s = stacks(services=profile["services"], variables=profile["variables"], seed=[seed])
    proc = s.spawn("--debug", "up", "--profile", "./stack.yaml")
    command_lines: list[str] = []
    wait_for(lambda: seed_started(s), what="the seed to start")
    for _ in range(10):
        command_lines.append(subprocess.run(["ps", "-ww", "-eo", "args"], capture_output=True, text=True).stdout)
        time.sleep(0.1)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert volume_file(s, "pw") == secret + "\n"  # it did reach the seed
    outputs = [out, err, *command_lines]
    for args in (
        ["status"],
        ["status", "--json"],
        ["logs", "db"],
        ["--debug", "run", "db", "true"],
        ["profile", "render", "./stack.yaml"],
        ["doctor"],
        ["--debug", "up"],
    ):
        done = s.devenv(*args)
        outputs += [done.out, done.err]
    # a secret in a port mapping: the error names the mapping, not the value
    bad = busybox_profile()
    bad["variables"]["db_password"]["default"] = secret
    bad["services"]["web"]["ports"] = ["${db_password}:8000"]
    (s.root / "bad.yaml").write_text(yaml.safe_dump(bad))
    for args in (["profile", "render", "./bad.yaml"], ["profile", "lint", "./bad.yaml"]):
        done = s.devenv(*args)
        outputs += [done.out, done.err]
    leaks = [line for o in outputs for line in o.splitlines() if secret in line]
    assert not leaks, leaks
