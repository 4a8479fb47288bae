"""ssh to a remote Docker host: the one module that runs `ssh` and `rsync` (engine requests, tunnels, sync).

Engine requests go the way the docker CLI sends them, `ssh HOST docker system dial-stdio`, with HTTP
spoken over the child's stdin/stdout. Every such ssh shares one master connection per host
(ControlMaster=auto + ControlPersist, its socket in a per-user folder), so a request costs a local fork
and a multiplexed channel instead of a new handshake. The user's own ssh config, keys and agent apply,
as they do for `docker` and `docker compose`, which run the same `ssh` from PATH.
Standard library only: engine requests over ssh are on the hot paths.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from devenv.errors import EnvironmentProblem, UserError

PERSIST_SECONDS = 600  # an idle master connection closes after this long


@dataclass(frozen=True)
class SshTarget:
    """Where `ssh://[user@]host[:port]` points."""

    host: str
    user: str | None = None
    port: int | None = None

    @classmethod
    def parse(cls, url: str) -> SshTarget:
        parsed = urlparse(url)
        try:
            port = parsed.port
        except ValueError:
            port = -1
        if parsed.scheme != "ssh" or not parsed.hostname or port == -1 or parsed.path not in ("", "/"):
            raise UserError(
                f"'{url}' is not an ssh endpoint devenv understands",
                hint="write it as ssh://user@host or ssh://user@host:port (as `docker -H` takes it)",
            )
        return cls(parsed.hostname, parsed.username, port)

    @property
    def label(self) -> str:
        who = f"{self.user}@" if self.user else ""
        return f"{who}{self.host}" + (f":{self.port}" if self.port else "")


def control_dir(env: Mapping[str, str]) -> Path:
    """The per-user folder of master-connection sockets (short: a unix socket path has ~100 bytes)."""
    folder = Path(env.get("DEVENV_SSH_CONTROL_DIR") or f"{tempfile.gettempdir()}/devenv-ssh-{os.getuid()}")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if folder.stat().st_uid != os.getuid():
        raise EnvironmentProblem(
            f"{folder} belongs to another user; devenv keeps its ssh connections there",
            hint="set DEVENV_SSH_CONTROL_DIR to a folder of your own",
        )
    return folder


def ssh_argv(
    target: SshTarget,
    env: Mapping[str, str],
    command: Sequence[str],
    *,
    options: Sequence[str] = (),
    shared: bool = True,
) -> list[str]:
    """`ssh ... HOST COMMAND`; `shared` rides the per-host master connection (started on first use)."""
    if shared:
        path = f"{control_dir(env)}/%C"
        reuse = ["-o", "ControlMaster=auto", "-o", f"ControlPath={path}", "-o", f"ControlPersist={PERSIST_SECONDS}"]
    else:
        reuse = ["-o", "ControlMaster=no", "-o", "ControlPath=none"]
    where = [*(["-p", str(target.port)] if target.port else []), *(["-l", target.user] if target.user else [])]
    return ["ssh", *reuse, "-o", "ConnectTimeout=15", *where, *options, "--", target.host, *command]


class Dialed:
    """A `docker system dial-stdio` over ssh: `sock` is our end of the child's stdin/stdout."""

    def __init__(self, target: SshTarget, env: Mapping[str, str], timeout: float) -> None:
        ours, theirs = socket.socketpair()
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - read after ssh fails, closed by close()
        try:
            self.proc = subprocess.Popen(
                ssh_argv(target, env, ["docker", "system", "dial-stdio"], options=["-T"]),
                stdin=theirs.fileno(),
                stdout=theirs.fileno(),
                stderr=self.errors,
                env=dict(env),
            )
        except FileNotFoundError as exc:
            ours.close()
            raise EnvironmentProblem(
                "'ssh' is not installed or not on PATH, and the Docker engine is reached over ssh",
                hint="install the OpenSSH client (`ssh`), or point DOCKER_HOST at a local engine",
            ) from exc
        finally:
            theirs.close()
        ours.settimeout(timeout)
        self.sock = ours

    def why(self) -> str:
        """What ssh said on stderr (after a failure): its last non-empty line."""
        self.close()
        self.errors.seek(0)
        lines = [ln.strip() for ln in self.errors.read().decode(errors="replace").splitlines() if ln.strip()]
        return lines[-1] if lines else ""

    def close(self) -> None:
        self.sock.close()  # end of input: dial-stdio and then ssh end
        if self.proc.poll() is None:
            try:
                self.proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
