"""ssh to a remote Docker host: the one module that runs `ssh` and `rsync` (engine requests, tunnels, sync).

Engine requests go the way the docker CLI sends them, `ssh HOST docker system dial-stdio`, with HTTP
spoken over the child's stdin/stdout. Every such ssh shares one master connection per host
(ControlMaster=auto + ControlPersist, its socket in a per-user folder), so a request costs a local fork
and a multiplexed channel instead of a new handshake. The user's own ssh config, keys and agent apply,
as they do for `docker` and `docker compose`, which run the same `ssh` from PATH.
Standard library only: engine requests over ssh are on the hot paths.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from devenv.errors import EnvironmentProblem, UserError

if TYPE_CHECKING:
    from devenv.adapters.process import ProcessRunner

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


class Ssh:
    """Commands, file sync and port tunnels on the host of an ssh:// engine, through the one process runner."""

    def __init__(self, target: SshTarget, runner: ProcessRunner) -> None:
        self.target = target
        self.runner = runner

    def run(self, command: Sequence[str], *, timeout: float = 60) -> str:
        """Run a command on the host (a shell command line: quote arguments with shlex); its stdout."""
        done = self.runner.run(ssh_argv(self.target, self.runner.env, command, options=["-T"]), timeout=timeout)
        if not done.ok:
            raise EnvironmentProblem(
                f"ssh {self.target.label} `{' '.join(command)}` failed: {_last_line(done.stderr)}",
                hint=f"check that `ssh {self.target.label}` logs in without a password prompt",
            )
        return done.stdout

    def rsync(self, local: str, remote: str, *, directory: bool) -> None:
        """Make `remote` (on the host) a copy of `local`: only what changed travels; deleted files go too."""
        shell = shlex.join(ssh_argv(self.target, self.runner.env, [])[:-2])  # `ssh OPTIONS`, without `-- host`
        where = f"{self.target.user}@{self.target.host}" if self.target.user else self.target.host
        source, dest = (local.rstrip("/") + "/", remote.rstrip("/") + "/") if directory else (local, remote)
        argv = [
            "rsync",
            "-a",
            "--delete",
            *([] if directory else ["--inplace"]),
            "-e",
            shell,
            source,
            f"{where}:{dest}",
        ]
        if self.runner.which("rsync") is None:
            raise EnvironmentProblem(
                "'rsync' is not installed, and code must be copied to the remote Docker host",
                hint="install rsync here and on the Docker host (apt-get install rsync, brew install rsync)",
            )
        done = self.runner.run(argv, timeout=600)
        if not done.ok:
            raise EnvironmentProblem(
                f"copying {local} to {self.target.label}:{remote} failed: {_last_line(done.stderr)}",
                hint="rsync must be installed on the Docker host too; `devenv sync` tries again",
            )

    def tunnel(self, forwards: Mapping[int, tuple[str, int]], log: Path) -> int:
        """Start `ssh -N -L` (its own connection, detached from this terminal): local port -> (host, port) on
        the far side. Returns its pid once every local port accepts, or raises with what ssh said."""
        options = ["-N", "-o", "ExitOnForwardFailure=yes", "-o", "ServerAliveInterval=30"]
        for local, (host, port) in sorted(forwards.items()):
            options += ["-L", f"127.0.0.1:{local}:{host}:{port}"]
        argv = ssh_argv(self.target, self.runner.env, [], options=options, shared=False)
        with log.open("wb") as errors:
            proc = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=errors,
                env=dict(self.runner.env),
                start_new_session=True,  # a Ctrl-C in this terminal later must not end it
            )
        deadline = time.monotonic() + 20
        waiting = set(forwards)
        while waiting:
            if proc.poll() is not None:
                said = _last_line(log.read_text(errors="replace"))
                raise EnvironmentProblem(
                    f"the ssh tunnel to {self.target.label} ended at once: {said}",
                    hint="check that the ssh server allows port forwarding (AllowTcpForwarding yes)",
                )
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise EnvironmentProblem(
                    f"the ssh tunnel to {self.target.label} did not open within 20 s",
                    hint="run `devenv up` again; `ssh -v` shows where the connection hangs",
                )
            waiting = {port for port in waiting if not _accepts(port)}
            if waiting:
                time.sleep(0.05)
        return proc.pid


def tunnel_alive(pid: int) -> bool:
    """Does the tunnel started as `pid` still run? (A reused pid is not ours, where /proc can tell.)"""
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        return not cmdline.exists() or b"ssh" in cmdline.read_bytes()
    except OSError:
        return False


def end_tunnel(pid: int) -> None:
    """End a tunnel started by `Ssh.tunnel` (SIGTERM: ssh closes its forwards and exits)."""
    import signal

    if tunnel_alive(pid):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def _accepts(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _last_line(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "(no output)"
