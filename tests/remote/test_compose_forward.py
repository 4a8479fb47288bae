"""`docker compose` over an ssh engine rides devenv's forwarded engine socket (adapters/ssh_forward.py), through a
real sshd on 127.0.0.1: once `up` has made the forward, `logs`, `exec`, `run` and `down` need no `ssh` at all;
when the sshd refuses to forward sockets, compose goes over ssh by itself as before."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from devenv.adapters.ssh_forward import through_forward
from tests.helpers.sshd import Sshd, leave_remote, require_sshd, running_sshd
from tests.helpers.stack import Done, Stack, busybox_profile, devenv, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

DIAL = "docker system dial-stdio"


def _no_ssh(sshd: Sshd, folder: Path) -> dict[str, str]:
    """sshd's environment with a PATH that holds `docker` and nothing else: no `ssh` to start."""
    folder.mkdir()
    docker = shutil.which("docker")
    assert docker is not None
    (folder / "docker").symlink_to(docker)
    return {**sshd.env, "PATH": str(folder)}


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    made = make_stack(tmp_path, busybox_profile())
    try:
        yield made
    finally:
        leave_remote(made.root)
        made.cleanup()


def _daily(stack: Stack, env: dict[str, str]) -> None:
    """logs, exec and run (compose commands attached to no terminal here) all answer."""

    def run(*args: str) -> Done:
        return devenv(*args, cwd=stack.root, env=env)

    logs = run("logs", "web")
    assert logs.code == 0 and "web serving on 8000" in logs.out + logs.err, logs.err
    exec_ = run("exec", "web", "cat", "/www/env.txt")
    assert exec_.code == 0 and "GREETING=hello" in exec_.out, exec_.err
    one_off = run("run", "web", "sh", "-c", "echo one-off $GREETING")
    assert one_off.code == 0 and "one-off hello" in one_off.out, one_off.err


def test_compose_goes_through_the_forwarded_socket(stack: Stack, sshd: Sshd, tmp_path: Path) -> None:
    up = devenv("--debug", "up", "--profile", str(stack.profile), cwd=stack.root, env=sshd.env)
    assert up.code == 0, up.err
    assert "note: docker compose reaches the engine through the forwarded socket" in up.err
    assert DIAL not in sshd.commands()  # neither devenv nor compose opened an ssh session of its own
    env = _no_ssh(sshd, tmp_path / "bin")
    _daily(stack, env)
    down = devenv("down", cwd=stack.root, env=env)
    assert down.code == 0 and stack.containers() == {}, down.err
    assert DIAL not in sshd.commands()


def test_compose_under_a_docker_context_goes_through_the_forwarded_socket(
    stack: Stack, sshd: Sshd, tmp_path: Path
) -> None:
    """`--context NAME` of an ssh context: compose is not sent to the context (over ssh), but to the socket."""
    config = tmp_path / "docker-config"
    env = {k: v for k, v in sshd.env.items() if k != "DOCKER_HOST"}
    env["DOCKER_CONFIG"] = str(config)
    made = subprocess.run(
        ["docker", "context", "create", "box", "--docker", f"host={sshd.url}"], env=env, capture_output=True, text=True
    )
    assert made.returncode == 0, made.stderr
    up = devenv("--context", "box", "up", "--profile", str(stack.profile), cwd=stack.root, env=env)
    assert up.code == 0, up.err
    no_ssh = {**_no_ssh(sshd, tmp_path / "bin"), "DOCKER_CONFIG": str(config)}
    no_ssh.pop("DOCKER_HOST")
    exec_ = devenv("--context", "box", "exec", "web", "cat", "/www/env.txt", cwd=stack.root, env=no_ssh)
    assert exec_.code == 0 and "GREETING=hello" in exec_.out, exec_.err
    assert DIAL not in sshd.commands()


@pytest.fixture
def no_forwarding(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    """An sshd that refuses to forward unix sockets."""
    require_sshd()
    with running_sshd(tmp_path_factory.mktemp("sshd-nofwd"), config="AllowStreamLocalForwarding no") as server:
        yield server


def test_without_a_forward_compose_goes_over_ssh_itself(stack: Stack, no_forwarding: Sshd) -> None:
    up = devenv("up", "--profile", str(stack.profile), cwd=stack.root, env=no_forwarding.env)
    assert up.code == 0, up.err
    before = no_forwarding.commands().count(DIAL)
    _daily(stack, no_forwarding.env)
    # each command: one ssh session of devenv's own engine requests, and one or more of compose's
    assert no_forwarding.commands().count(DIAL) >= before + 6
    assert not list(Path(no_forwarding.env["DEVENV_SSH_CONTROL_DIR"]).glob("engine-*.sock"))
    down = devenv("down", cwd=stack.root, env=no_forwarding.env)
    assert down.code == 0 and stack.containers() == {}, down.err


def test_the_environment_compose_gets_points_at_the_socket_only() -> None:
    env = {
        "PATH": "/bin",
        "DOCKER_HOST": "ssh://me@box",
        "DOCKER_CONTEXT": "box",
        "DOCKER_TLS_VERIFY": "1",
        "DOCKER_CERT_PATH": "/certs",
        "DOCKER_CONFIG": "/cfg",
    }
    assert through_forward(env, "/tmp/devenv-ssh-0/engine-ab.sock") == {
        "PATH": "/bin",
        "DOCKER_HOST": "unix:///tmp/devenv-ssh-0/engine-ab.sock",
        "DOCKER_CONFIG": "/cfg",
    }
