"""State that matches reality, on a real engine: changed secrets applied (and their limits said), .env
round trips, damaged generated and state files, crash loops, build errors, missing containers."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.stack import Stack, busybox_profile, docker, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # real engine, seconds to minutes each

# every character compose's .env parser or a shell could mangle
AWKWARD = "a\rb'c\"d$e${f}\\g\\ #h\tz\\"


def secret_db_profile() -> dict[str, object]:
    """The busybox stack whose db (owning the db-data volume) takes the password as a database would."""
    profile = busybox_profile()
    db = profile["services"]["db"]
    db["environment"] = {"POSTGRES_PASSWORD": "${db_password}"}
    return profile


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    s = make_stack(tmp_path, secret_db_profile())
    yield s
    s.cleanup()


def up(s: Stack, *args: str) -> str:
    done = s.devenv("up", "--profile", "./stack.yaml", *args)
    assert done.code == 0, done.err
    return done.out


def env_of(container_id: str, name: str) -> str:
    """A variable's exact value inside a running container (bytes preserved through od)."""
    out = docker("exec", container_id, "sh", "-c", f'printf %s "${name}" | od -An -tx1')
    return bytes.fromhex("".join(out.split())).decode()


def test_changed_secret_recreates_its_services_and_warns_about_the_volume(stack: Stack) -> None:
    up(stack)
    before = stack.container_ids()
    done = stack.devenv("up", "--set", "db_password=New-pw")
    assert done.code == 0, done.err
    assert "Up to date" not in done.out
    after = stack.container_ids()
    assert after["db"] != before["db"] and after["web"] != before["web"]
    assert env_of(after["db"], "POSTGRES_PASSWORD") == "New-pw"
    volume = f"{stack.project}_db-data"
    assert f"secret db_password changed, but volume '{volume}' was initialised with the old value" in done.err
    assert "`devenv reset`" in done.err
    # the value is not recoverable from what devenv wrote or labelled: no plain digest anywhere
    plain = hashlib.sha256(b"New-pw").hexdigest()
    labels = json.dumps([c["Config"]["Labels"] for c in stack.containers().values()])
    written = "".join(p.read_text() for p in (stack.root / ".devenv").iterdir() if p.name != ".env" and p.is_file())
    for text in (labels, written):
        assert "New-pw" not in text and plain[:16] not in text
    assert (stack.root / ".devenv" / "secret.key").stat().st_mode & 0o777 == 0o600
    # the same value again is a no-op; another service's change does not warn again
    again = stack.devenv("up", "--set", "db_password=New-pw")
    assert "Up to date" in again.out and "warning" not in again.err


def test_answered_secret_missing_from_env_is_an_error_and_the_hint_works(stack: Stack) -> None:
    up(stack, "--set", "db_password=Answered-1")
    env_file = stack.root / ".devenv" / ".env"
    env_file.write_text("")
    done = stack.devenv("up")
    assert done.code == 2, done.out + done.err
    assert "the secret 'db_password' is missing from" in done.err
    assert "devenv up --set db_password=..." in done.err
    assert "Traceback" not in done.err
    assert env_of(stack.container_ids()["db"], "POSTGRES_PASSWORD") == "Answered-1"  # nothing changed
    fixed = stack.devenv("up", "--set", "db_password=Answered-1")
    assert fixed.code == 0, fixed.err
    assert "Up to date" in stack.devenv("up").out


def test_default_secret_missing_from_env_is_regenerated(stack: Stack) -> None:
    up(stack)
    env_file = stack.root / ".devenv" / ".env"
    env_file.unlink()
    done = stack.devenv("up")
    assert done.code == 0, done.err
    assert "pw-s3cret" in env_file.read_text()


def test_awkward_secret_round_trips_through_env_and_compose(stack: Stack) -> None:
    up(stack, "--set", f"db_password={AWKWARD}")
    db = stack.container_ids()["db"]
    assert "Up to date" in stack.devenv("up").out
    # another answer changes: devenv renders again from the secret it reads back from its .env
    again = stack.devenv("up", "--set", "greeting=bonjour")
    assert again.code == 0, again.err
    assert stack.container_ids()["db"] == db  # the secret read back is the same: db is left alone
    assert env_of(db, "POSTGRES_PASSWORD") == AWKWARD
    config = subprocess.run(
        [*compose_argv(stack), "config", "--format", "json"], capture_output=True, text=True, check=True
    ).stdout
    # compose's own .env parser reads the same value (`config` writes $ as $$ for re-reading)
    assert json.loads(config)["services"]["db"]["environment"]["POSTGRES_PASSWORD"].replace("$$", "$") == AWKWARD


def compose_argv(s: Stack) -> list[str]:
    ws = s.root / ".devenv"
    return ["docker", "compose", "-p", s.project, "-f", str(ws / "compose.yaml"), "--env-file", str(ws / ".env")]


def test_damaged_compose_file_is_regenerated_by_up_and_by_down(stack: Stack) -> None:
    up(stack)
    compose = stack.root / ".devenv" / "compose.yaml"
    good = compose.read_text()
    compose.write_text("services: [oops\n")
    done = stack.devenv("up")
    assert done.code == 0, done.err
    assert "compose.yaml or .env had been changed or damaged: written again" in done.err
    assert compose.read_text() == good
    compose.write_text("")
    down = stack.devenv("down")
    assert down.code == 0, down.err
    assert stack.containers() == {}


def test_damaged_state_gets_a_hint_that_works_when_followed(stack: Stack) -> None:
    up(stack, "--set", "db_password=Kept-pw")
    state_file = stack.root / ".devenv" / "state.json"
    data = json.loads(state_file.read_text())
    data["service_hashes"] = ["not", "a", "mapping"]
    state_file.write_text(json.dumps(data))
    done = stack.devenv("status")
    assert done.code == 2, done.out + done.err
    assert "is damaged ('service_hashes' should be an object of strings)" in done.err
    assert "internal error" not in done.err
    hint = next(line for line in done.err.splitlines() if line.startswith("hint:"))
    command = hint.split("`")[1].split()
    assert command == ["devenv", "up", "--profile", "./stack.yaml"]
    followed = stack.devenv(*command[1:])
    assert followed.code == 0, followed.err
    assert stack.devenv("status").code == 0
    # the secret came back from .env, not from the profile's default; what state still said is kept
    db = stack.container_ids()["db"]
    assert env_of(db, "POSTGRES_PASSWORD") == "Kept-pw"
    assert docker("exec", db, "cat", "/data/seed.log") == "seeded\n"


def test_status_needs_up_when_a_container_is_missing(stack: Stack) -> None:
    up(stack)
    docker("rm", "-f", stack.container_ids()["web"])
    done = stack.devenv("status", "--json")
    assert json.loads(done.out)["needs_up"] is True


def test_dead_docker_host_makes_down_and_reset_an_environment_problem(stack: Stack) -> None:
    up(stack)
    dead = {"DOCKER_HOST": f"unix://{stack.root}/no-engine.sock"}
    for args in (["down"], ["reset", "--yes"]):
        done = subprocess.run(
            [sys.executable, "-m", "devenv", *args],
            cwd=stack.root,
            env={**os.environ, **dead},
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        assert done.returncode == 3, done.stdout + done.stderr
        assert "does not answer" in done.stderr


def test_crash_loop_without_health_check_is_not_up(tmp_path: Path) -> None:
    profile = busybox_profile(seed=[])
    profile["services"]["worker"] = {  # started last, running when compose returns, gone a moment later
        "image": "busybox:1.36",
        "command": ["sh", "-c", "sleep 1; exit 3"],
        "restart": "always",
        "links": ["web"],
    }
    s = make_stack(tmp_path, profile)
    try:
        done = s.devenv("up", "--profile", "./stack.yaml", timeout=120)
        assert done.code == 4, done.out + done.err
        assert "service 'worker' keeps restarting" in done.err
    finally:
        s.cleanup()


def test_steady_service_without_health_check_is_up(tmp_path: Path) -> None:
    profile = busybox_profile(seed=[])
    profile["services"]["worker"] = {"image": "busybox:1.36", "command": ["sleep", "600"], "restart": "always"}
    s = make_stack(tmp_path, profile)
    try:
        done = s.devenv("up", "--profile", "./stack.yaml", timeout=120)
        assert done.code == 0, done.out + done.err
    finally:
        s.cleanup()


def test_failed_build_shows_the_steps_own_error_text(tmp_path: Path) -> None:
    profile = busybox_profile(seed=[])
    profile["services"]["web"].pop("image")
    profile["services"]["web"]["build"] = "img"
    s = make_stack(tmp_path, profile)
    (s.root / "img").mkdir()
    # the message is printed by the step, not spelled out in its command line (which compose repeats)
    dockerfile = "FROM busybox:1.36\nRUN printf '%s-%s\\n' cannot-find libfrobnicate; exit 7\n"
    (s.root / "img" / "Dockerfile").write_text(dockerfile)
    try:
        done = s.devenv("up", "--profile", "./stack.yaml", timeout=120)
        assert done.code == 4, done.out + done.err
        assert "building web failed" in done.err
        assert "cannot-find-libfrobnicate" in done.err
    finally:
        s.cleanup()
