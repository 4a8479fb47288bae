"""An ssh engine's socket forwarded once over the master connection (adapters/ssh_forward.py), through a
real sshd on 127.0.0.1: later commands start no ssh at all, a dead master's socket file is replaced, and an
sshd that refuses to forward sockets leaves requests on `ssh HOST docker system dial-stdio`."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from devenv.adapters.engine import Engine
from tests.helpers.common import Result
from tests.helpers.sshd import Sshd, require_sshd, running_sshd

pytestmark = pytest.mark.integration

DIAL = "docker system dial-stdio"


def _forwarded(sshd: Sshd) -> Path:
    socks = list(Path(sshd.env["DEVENV_SSH_CONTROL_DIR"]).glob("engine-*.sock"))
    assert len(socks) == 1, socks
    return socks[0]


def _discoveries(sshd: Sshd) -> int:
    return sum("docker context inspect" in c for c in sshd.commands())


def _master(sshd: Sshd, *request: str) -> str:
    """`ssh -O REQUEST...` to the master connection devenv started; what it said on stderr."""
    port, user = sshd.url.rsplit(":", 1)[1], sshd.url.split("//")[1].split("@")[0]
    control = f"{sshd.env['DEVENV_SSH_CONTROL_DIR']}/%C"
    argv = ["ssh", "-o", f"ControlPath={control}", "-O", *request, "-p", port, "-l", user, "127.0.0.1"]
    return subprocess.run(argv, env=sshd.env, capture_output=True, text=True, check=True, timeout=10).stderr


def _master_pid(sshd: Sshd) -> int:
    said = _master(sshd, "check")
    found = re.search(r"pid=(\d+)", said)
    assert found, said
    return int(found.group(1))


def test_later_commands_reach_the_engine_without_running_ssh(sshd: Sshd) -> None:
    first = Engine(sshd.env)
    assert first.version()["Version"]
    first.close()
    sock = _forwarded(sshd)
    info = sock.lstat()
    assert stat.S_ISSOCK(info.st_mode) and info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) == 0o600
    assert DIAL not in sshd.commands() and _discoveries(sshd) == 1
    # a later command, with no ssh on its PATH at all: every request goes through the forwarded socket
    sock.chmod(0o666)  # loosened (a user's StreamLocalBindMask): tightened before use
    later = Engine({**sshd.env, "PATH": str(sock.parent / "no-such-dir")})
    assert later.containers({"devenv.test": "none"}) == [] and later.info()["ID"]
    later.close()
    assert stat.S_IMODE(sock.stat().st_mode) == 0o600
    assert DIAL not in sshd.commands() and _discoveries(sshd) == 1


def test_commands_starting_at_once_make_one_forward(sshd: Sshd) -> None:
    def one(_: int) -> str:
        engine = Engine(sshd.env)
        try:
            return str(engine.version()["Version"])
        finally:
            engine.close()

    with ThreadPoolExecutor(4) as pool:
        assert all(pool.map(one, range(4)))
    assert _discoveries(sshd) == 1 and DIAL not in sshd.commands()
    _forwarded(sshd)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_a_dead_masters_socket_file_is_replaced(sshd: Sshd, sig: signal.Signals) -> None:
    Engine(sshd.env).version()
    sock = _forwarded(sshd)
    os.kill(_master_pid(sshd), sig)  # as ControlPersist's expiry ends it, or worse
    time.sleep(0.3)
    assert sock.exists()  # ssh leaves the file behind: it refuses connections now
    engine = Engine(sshd.env)
    assert engine.containers({"devenv.test": "none"}) == []
    engine.close()
    assert _discoveries(sshd) == 2 and DIAL not in sshd.commands()  # forwarded again, not dial-stdio
    assert Engine({**sshd.env, "PATH": str(sock.parent / "no-such-dir")}).version()["Version"]


def test_a_forward_that_fails_is_left_for_dial_stdio_then_made_again(sshd: Sshd) -> None:
    Engine(sshd.env).version()
    sock = _forwarded(sshd)
    _master(sshd, "cancel", "-L", f"{sock}:/var/run/docker.sock")
    sock.unlink()
    _master(sshd, "forward", "-L", f"{sock}:/nowhere/docker.sock")  # live here, refused on the host
    engine = Engine(sshd.env)
    assert engine.containers({"devenv.test": "none"}) == []  # this command: over dial-stdio
    engine.close()
    assert sshd.commands().count(DIAL) == 1 and not sock.exists()
    assert Engine(sshd.env).version()["Version"]  # the next: forwarded again, to the right socket
    assert sshd.commands().count(DIAL) == 1 and _discoveries(sshd) == 2 and sock.exists()


@pytest.fixture
def no_forwarding(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    """An sshd that refuses to forward unix sockets."""
    require_sshd()
    with running_sshd(tmp_path_factory.mktemp("sshd-nofwd"), config="AllowStreamLocalForwarding no") as server:
        yield server


def test_refused_forwarding_falls_back_to_dial_stdio(no_forwarding: Sshd, capsys: pytest.CaptureFixture[str]) -> None:
    engine = Engine(no_forwarding.env)
    assert engine.version()["Version"] and engine.containers({"devenv.test": "none"}) == []
    assert engine.info()["ID"]
    assert no_forwarding.commands().count(DIAL) == 1  # three requests, one ssh session
    engine.close()
    assert capsys.readouterr().err == ""  # said only with --debug
    control = Path(no_forwarding.env["DEVENV_SSH_CONTROL_DIR"])
    assert not list(control.glob("engine-*.sock")) and list(control.glob("engine-*.noforward"))
    # the next command does not try again (a while): straight to dial-stdio, and --debug says why
    again = Engine(no_forwarding.env, debug=True)
    assert again.containers({"devenv.test": "none"}) == []
    again.close()
    assert _discoveries(no_forwarding) == 1 and no_forwarding.commands().count(DIAL) == 2
    assert "AllowStreamLocalForwarding" in capsys.readouterr().err


def test_the_cli_says_it_went_without_the_forward_only_with_debug(
    no_forwarding: Sshd, cli: Callable[..., Result]
) -> None:
    quiet = cli("doctor", env=no_forwarding.env)
    assert "Remote engine" in quiet.out and "forward" not in quiet.err
    loud = cli("--debug", "doctor", env=no_forwarding.env)
    assert "note: not forwarding the engine socket" in loud.err and "AllowStreamLocalForwarding" in loud.err
    assert no_forwarding.commands().count(DIAL) >= 2  # both reached the engine over dial-stdio


def test_the_forward_goes_to_the_socket_the_hosts_docker_uses(
    tmp_path_factory: pytest.TempPathFactory, capfd: pytest.CaptureFixture[str]
) -> None:
    require_sshd()
    folder = tmp_path_factory.mktemp("sock")
    elsewhere = folder / "docker.sock"
    elsewhere.symlink_to("/var/run/docker.sock")
    with running_sshd(folder / "sshd", config=f"SetEnv DOCKER_HOST=unix://{elsewhere}") as server:
        engine = Engine(server.env, debug=True)
        assert engine.version()["Version"]
        engine.close()
        assert f"-O forward -L {_forwarded(server)}:{elsewhere} " in capfd.readouterr().err
        assert DIAL not in server.commands()
