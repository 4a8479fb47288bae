"""A real sshd on 127.0.0.1 for remote-engine tests: its own config, host key and client key, key login only.

The "remote" Docker host is this machine: `ssh root@127.0.0.1 -p PORT docker system dial-stdio` reaches the
local engine, as the docker CLI's ssh endpoints do. `ssh` reads root's ~/.ssh/config whatever $HOME says,
so the client side is an `ssh` wrapper first on PATH that adds `-F` this server's own client config; the
docker CLI, compose, rsync and devenv all find that wrapper. A ForceCommand logs every session's command
(proof that a call really went over ssh).
"""

from __future__ import annotations

import getpass
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.helpers.stack import free_port

SSHD = "/usr/sbin/sshd"


@dataclass
class Sshd:
    url: str  # ssh://root@127.0.0.1:PORT
    env: dict[str, str]  # PATH with the ssh wrapper first, and a private ssh control folder
    log: Path  # one line per session: the command it ran

    def commands(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []


def have_sshd() -> bool:
    return os.path.exists(SSHD) and shutil.which("ssh") is not None


def require_sshd() -> None:
    """Skip the test when there is no sshd here; in CI fail instead, as for a missing engine."""
    import pytest

    if not have_sshd():
        reason = "no sshd (scripts/engine.sh start installs openssh-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)


@contextmanager
def running_sshd(folder: Path, *, log_sessions: bool = True, config: str = "") -> Iterator[Sshd]:
    """`log_sessions=False`: no ForceCommand (a plain server, as benchmarks want it; `commands()` is empty).
    `config`: more sshd_config lines (e.g. `AllowStreamLocalForwarding no`)."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "host_key")], check=True)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / "client_key")], check=True)
    shutil.copy(folder / "client_key.pub", folder / "authorized_keys")
    log = folder / "sessions.log"
    force = folder / "force.sh"
    force.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$SSH_ORIGINAL_COMMAND" >> {log}\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"\n'
    )
    force.chmod(0o755)
    (folder / "sshd_config").write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {folder / 'host_key'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nStrictModes no\nUsePAM no\n"
        f"PidFile {folder / 'sshd.pid'}\n{f'ForceCommand {force}' if log_sessions else ''}\n"
        "AllowTcpForwarding yes\nMaxSessions 100\n"
        f"MaxStartups 100\n{config}\n"
    )
    (folder / "ssh_config").write_text(
        f"Host *\n  IdentityFile {folder / 'client_key'}\n  IdentitiesOnly yes\n  StrictHostKeyChecking no\n"
        "  UserKnownHostsFile /dev/null\n  LogLevel ERROR\n  BatchMode yes\n"
    )
    bin_dir = folder / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "ssh"
    wrapper.write_text(f'#!/bin/sh\nexec {shutil.which("ssh")} -F {folder / "ssh_config"} "$@"\n')
    wrapper.chmod(0o755)
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        [SSHD, "-D", "-e", "-f", str(folder / "sshd_config")],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "sshd.log").open("w"),
    )
    control = Path(tempfile.mkdtemp(prefix="dvs-", dir="/tmp"))  # short: ControlPath has ~100 bytes
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        "DEVENV_SSH_CONTROL_DIR": str(control),
    }
    env.pop("DOCKER_CONTEXT", None)
    user = getpass.getuser()
    sshd = Sshd(f"ssh://{user}@127.0.0.1:{port}", {**env, "DOCKER_HOST": f"ssh://{user}@127.0.0.1:{port}"}, log)
    try:
        _wait_for_login(wrapper, user, port, env)
        yield sshd
    finally:
        for sock in control.iterdir():  # the master connections devenv left running (not the engine's socket)
            if not sock.is_socket() or sock.name.startswith("engine-"):
                continue
            subprocess.run(
                [str(wrapper), "-o", f"ControlPath={sock}", "-O", "exit", "-p", str(port), f"{user}@127.0.0.1"],
                capture_output=True,
                check=False,
                timeout=10,
            )
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(control, ignore_errors=True)


def _wait_for_login(wrapper: Path, user: str, port: int, env: dict[str, str]) -> None:
    argv = [str(wrapper), "-p", str(port), f"{user}@127.0.0.1", "true"]
    for _ in range(50):
        if subprocess.run(argv, env=env, capture_output=True, check=False).returncode == 0:
            return
        time.sleep(0.1)
    raise RuntimeError("the test sshd did not accept a key login within 5 s")


def leave_remote(root: Path) -> None:
    """After a test of a workspace on the ssh "remote" (this machine): its ports tunnel is stopped, and the
    copies of its code that devenv synced to the far host are removed."""
    tunnel = root / ".devenv" / "tunnel.json"
    if tunnel.exists():
        subprocess.run(["kill", str(json.loads(tunnel.read_text())["pid"])], check=False)
    state = root / ".devenv" / "state.json"
    if state.exists():
        for copy in json.loads(state.read_text()).get("remote_sync", {}).values():
            shutil.rmtree(os.path.dirname(copy), ignore_errors=True)
