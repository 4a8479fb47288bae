"""The daily lifecycle against a real Docker engine and compose v2: up, no-op, changes, seed, reset,
run, failures and their diagnosis, ports, down, the lock and interruption."""

from __future__ import annotations

import json
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.stack import Stack, busybox_profile, docker, free_port, health_of, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # each test takes more than ~3 s


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    s = make_stack(tmp_path, busybox_profile())
    yield s
    s.cleanup()


def up(s: Stack, *args: str) -> str:
    done = s.devenv("up", "--profile", "./stack.yaml", *args)
    assert done.code == 0, done.err
    return done.out


def test_up_from_nothing_to_healthy_with_linked_env_and_one_seed(stack: Stack) -> None:
    out = up(stack)
    assert "seeded" in out
    containers = stack.containers()
    assert {n: health_of(c) for n, c in containers.items()} == {"db": "healthy", "web": "healthy"}
    env = docker("exec", containers["web"]["Id"], "cat", "/www/env.txt")
    assert "DATABASE_URL=postgres://app:pw-s3cret@db:5432/app" in env
    assert "GREETING=hello" in env
    # the secret reached the container through .env, never through the compose file
    assert "pw-s3cret" not in (stack.root / ".devenv" / "compose.yaml").read_text()
    assert (stack.root / ".devenv" / ".env").stat().st_mode & 0o777 == 0o600
    up(stack)
    assert docker("exec", containers["db"]["Id"], "cat", "/data/seed.log") == "seeded\n"


def test_no_op_up_changes_nothing(stack: Stack) -> None:
    up(stack)
    before = stack.container_ids()
    done = stack.devenv("up")
    assert done.code == 0, done.err
    assert "Up to date: nothing changed." in done.out
    assert stack.container_ids() == before
    logs = stack.devenv("logs", "--tail", "3", "web")
    assert logs.code == 0, logs.err
    assert "web serving on 8000" in logs.out
    missing = stack.devenv("logs", "nosuch")
    assert missing.code == 2
    assert "no service 'nosuch'" in missing.err


def test_changed_variable_recreates_only_that_service(stack: Stack) -> None:
    up(stack)
    before = stack.container_ids()
    done = stack.devenv("up", "--set", "greeting=bonjour")
    assert done.code == 0, done.err
    after = stack.container_ids()
    assert after["db"] == before["db"]
    assert after["web"] != before["web"]
    assert "GREETING=bonjour" in docker("exec", after["web"], "cat", "/www/env.txt")
    # the answer is remembered: a plain `up` keeps it and is a no-op
    again = stack.devenv("up")
    assert "Up to date" in again.out
    assert stack.container_ids() == after


def test_reset_restores_freshly_seeded_data(stack: Stack) -> None:
    up(stack)
    db = stack.container_ids()["db"]
    docker("exec", db, "sh", "-c", "echo junk > /data/junk.txt && echo again >> /data/seed.log")
    done = stack.devenv("reset", "--yes")
    assert done.code == 0, done.err
    assert "Stack is up in 0.0s" not in done.out
    db = stack.container_ids()["db"]
    assert docker("exec", db, "cat", "/data/seed.log") == "seeded\n"
    assert "junk.txt" not in docker("exec", db, "ls", "/data")


def test_reset_without_yes_and_without_terminal_asks_for_the_flag(stack: Stack) -> None:
    up(stack)
    done = stack.devenv("reset")
    assert done.code == 2
    assert "pass --yes" in done.err


def test_run_returns_the_command_exit_code_and_removes_the_container(stack: Stack) -> None:
    up(stack)
    ok = stack.devenv("run", "web", "sh", "-c", "echo $DATABASE_URL")
    assert ok.code == 0, ok.err
    assert "postgres://app:pw-s3cret@db:5432/app" in ok.out
    failed = stack.devenv("run", "web", "sh", "-c", "exit 7")
    assert failed.code == 7
    oneoffs = docker(
        "ps",
        "-aq",
        "--filter",
        f"label=com.docker.compose.project={stack.project}",
        "--filter",
        "label=com.docker.compose.oneoff=True",
    )
    assert oneoffs.strip() == ""
    assert stack.devenv("exec", "db", "test", "-f", "/data/ok").code == 0
    assert stack.devenv("exec", "db", "test", "-f", "/data/nope").code == 1


def test_crashing_service_is_diagnosed(tmp_path: Path) -> None:
    profile = busybox_profile()
    profile["services"]["db"]["command"] = ["sh", "-c", "echo 'FATAL: config broken' >&2; exit 3"]
    s = make_stack(tmp_path, profile)
    try:
        done = s.devenv("up", "--profile", "./stack.yaml")
        assert done.code == 4, done.err
        assert "service 'db' exited with code 3" in done.err
        assert "FATAL: config broken" in done.err
        assert "devenv logs db" in done.err
        assert "Traceback" not in done.err
        status = s.devenv("status")
        assert status.code == 4
        assert "exited" in status.out
    finally:
        s.cleanup()


def test_restart_loop_is_diagnosed_without_waiting_for_the_timeout(tmp_path: Path) -> None:
    profile = busybox_profile()
    profile["services"]["db"]["command"] = ["sh", "-c", "echo 'panic: no config' >&2; exit 2"]
    profile["services"]["db"]["restart"] = "always"
    s = make_stack(tmp_path, profile)
    try:
        started = time.monotonic()
        done = s.devenv("up", "--profile", "./stack.yaml", "--timeout", "120")
        assert done.code == 4, done.err
        assert "service 'db' keeps restarting" in done.err
        assert "panic: no config" in done.err
        assert time.monotonic() - started < 60
    finally:
        s.cleanup()


def test_never_healthy_service_is_diagnosed_with_its_health_output(tmp_path: Path) -> None:
    profile = busybox_profile()
    profile["services"]["db"]["healthcheck"] = {
        "test": "echo 'not ready: waiting for migrations'; exit 1",
        "interval": "1s",
        "retries": 2,
    }
    s = make_stack(tmp_path, profile)
    try:
        done = s.devenv("up", "--profile", "./stack.yaml", "--timeout", "60")
        assert done.code == 4, done.err
        assert "service 'db' is unhealthy" in done.err
        assert "not ready: waiting for migrations" in done.err
        assert "Traceback" not in done.err
    finally:
        s.cleanup()


def test_taken_host_port_names_the_port_and_the_variable(stack: Stack) -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("0.0.0.0", port))
        holder.listen()
        done = stack.devenv("up", "--profile", "./stack.yaml", "--set", f"web_port={port}")
    assert done.code == 4, done.err
    assert f"host port {port} for service 'web' is already in use" in done.err
    assert "--set web_port=" in done.err
    assert "Traceback" not in done.err


def test_down_keeps_volumes_and_down_volumes_removes_only_this_workspace(tmp_path: Path) -> None:
    a = make_stack(tmp_path, busybox_profile())
    b = make_stack(tmp_path, busybox_profile())
    try:
        up(a)
        up(b)
        assert len(a.volumes()) == 1 and len(b.volumes()) == 1
        done = a.devenv("down")
        assert done.code == 0, done.err
        assert a.container_ids() == {}
        assert len(a.volumes()) == 1
        done = a.devenv("down", "--volumes", "--yes")
        assert done.code == 0, done.err
        assert a.volumes() == []
        assert len(b.volumes()) == 1
        assert set(b.container_ids()) == {"db", "web"}
    finally:
        a.cleanup()
        b.cleanup()


def test_two_concurrent_ups_do_not_corrupt_state(stack: Stack) -> None:
    first = stack.spawn("up", "--profile", "./stack.yaml")
    time.sleep(0.3)
    second = stack.spawn("up", "--profile", "./stack.yaml")
    _out1, err1 = first.communicate(timeout=240)
    _out2, err2 = second.communicate(timeout=240)
    assert first.returncode == 0, err1
    # the second either waited for the lock and converged, or said who held it
    assert second.returncode == 0 or "the workspace is busy" in err2, err2
    assert stack.state["seeded"] is True
    json.loads((stack.root / ".devenv" / "state.json").read_text())
    assert stack.devenv("up").code == 0


def test_interrupted_up_converges_on_the_next_up(tmp_path: Path) -> None:
    profile = busybox_profile()
    profile["services"]["db"]["command"] = [
        "sh",
        "-c",
        "sleep 3; mkdir -p /data && touch /data/ok && exec httpd -f -p 5432 -h /data",
    ]
    s = make_stack(tmp_path, profile)
    try:
        proc = s.spawn("up", "--profile", "./stack.yaml")
        time.sleep(2.0)
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        assert "interrupted; run the same command again" in err
        assert "Traceback" not in err
        done = s.devenv("up")
        assert done.code == 0, done.err
        containers = s.containers()
        assert {n: health_of(c) for n, c in containers.items()} == {
            "db": "healthy",
            "web": "healthy",
        }
        assert docker("exec", containers["db"]["Id"], "cat", "/data/seed.log") == "seeded\n"
    finally:
        s.cleanup()


def test_status_reports_services_and_drift(stack: Stack) -> None:
    up(stack)
    done = stack.devenv("status", "--json")
    assert done.code == 0, done.err
    report = json.loads(done.out)
    assert report["needs_up"] is False
    assert report["healthy"] is True
    assert report["services"]["web"]["state"] == "running"
    assert report["services"]["web"]["health"] == "healthy"
    assert report["services"]["web"]["urls"] == [f"http://localhost:{stack.state['answers']['web_port']}"]
    text = stack.profile.read_text().replace("hello", "hi")
    stack.profile.write_text(text)
    done = stack.devenv("status")
    assert "changed since the last up" in done.err


def test_up_of_one_service_does_not_seed_in_a_service_it_did_not_start(tmp_path: Path) -> None:
    profile = busybox_profile()
    profile["seed"] = [{"service": "web", "run": ["sh", "-c", "echo seeded > /www/seed.txt"]}]
    s = make_stack(tmp_path, profile)
    try:
        done = s.devenv("up", "--profile", "./stack.yaml", "db")
        assert done.code == 0, done.err
        assert set(s.container_ids()) == {"db"}
        assert s.state["seeded"] is False
        done = s.devenv("up")
        assert done.code == 0, done.err
        assert s.state["seeded"] is True
    finally:
        s.cleanup()


def test_doctor_checks_the_workspace_profile_ports_but_not_its_own_stack(stack: Stack) -> None:
    up(stack)
    port = int(stack.state["answers"]["web_port"])
    done = stack.devenv("doctor")
    assert done.code == 0, done.out + done.err
    assert f"{port}" not in done.out  # held by this workspace's own web: not a problem
    assert stack.devenv("down").code == 0
    with socket.socket() as holder:
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        holder.bind(("0.0.0.0", port))
        holder.listen()
        done = stack.devenv("doctor")
    assert done.code == 3, done.out + done.err
    assert str(port) in done.out
