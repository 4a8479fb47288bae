"""The remote engine's socket, forwarded once over the per-host ssh master connection to a local socket.

`ssh HOST docker system dial-stdio` costs every command a fork and exec of ssh here and a Docker CLI start
on the engine's host (~0.15 s). Instead the first command asks the master connection (ssh.py's
ControlMaster, kept by ControlPersist) to forward a local socket in the per-user control folder to the
engine's socket on the host, as `ssh -O forward -L LOCAL.sock:/var/run/docker.sock HOST` does; every later
command connects to that local socket like a local engine's: no process is started on the hot path.

When the forward cannot be made (the host's sshd has `AllowStreamLocalForwarding no`, its engine is not on
a unix socket, ...) `connect` answers None and requests go over dial-stdio as before; a note in the
control folder keeps later commands from trying again for PERSIST_SECONDS. Only --debug says so.
When the master ends (ControlPersist expiry, a reboot, a kill) its socket file stays behind and refuses
connections: the next command removes it and forwards again. Standard library only (on the hot paths).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import stat
import sys
import time
from collections.abc import Mapping

from devenv.adapters.ssh import PERSIST_SECONDS, SshTarget, control_dir, ssh_argv
from devenv.errors import EnvironmentProblem

# the engine the host's docker CLI would use (what dial-stdio reaches): its context, DOCKER_HOST, the default
DISCOVER = (
    "docker context inspect --format '{{.Endpoints.docker.Host}}' 2>/dev/null"
    ' || printf "%s\\n" "${DOCKER_HOST:-unix:///var/run/docker.sock}"'
)


class EngineForward:
    """The local end of one host's forwarded engine socket: `<control dir>/<hash of the target>.sock` (0600)."""

    def __init__(self, target: SshTarget, env: Mapping[str, str], *, debug: bool = False) -> None:
        self.target = target
        self.env = env
        self.debug = debug
        digest = hashlib.sha256(target.label.encode()).hexdigest()[:16]
        self.folder = control_dir(env)
        self.path = str(self.folder / f"engine-{digest}.sock")
        self.refused = self.folder / f"engine-{digest}.noforward"  # why the last attempt failed, for a while
        self.remote: str | None = None  # the engine's socket on the host, once asked

    def connect(self, timeout: float) -> socket.socket | None:
        """A socket connected to the engine through the forward, made again when missing or stale.
        None: no forward (it cannot be made, or could not lately): use dial-stdio."""
        sock = self._connected(timeout)
        if sock is not None:
            return sock
        import fcntl  # only when (re)making the forward

        with open(f"{self.path}.lock", "w") as lock:  # one command makes it; the others wait and use it
            fcntl.flock(lock, fcntl.LOCK_EX)
            sock = self._connected(timeout)
            if sock is None and not self._refused_lately():
                sock = self._make(timeout)
        return sock

    def broken(self, why: str) -> None:
        """A request through the forward failed: drop its file, so that the next command makes (and checks) it
        anew (cancelling what the master still holds)."""
        self._say(f"the forwarded engine socket {self.path} failed ({why}); using dial-stdio")
        self._unlink()

    def _connected(self, timeout: float) -> socket.socket | None:
        """Connect to the local socket if it is a live one of ours. A missing, stale (its master has ended) or
        foreign file answers None: `_make`, under the lock, replaces it."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return None
        if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
            return None
        if info.st_mode & 0o077:  # ssh's StreamLocalBindMask may be loosened in the user's config
            try:
                os.chmod(self.path, 0o600)
            except OSError:
                return None
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            return None
        return sock

    def _refused_lately(self) -> bool:
        try:
            age = time.time() - self.refused.stat().st_mtime
        except FileNotFoundError:
            return False
        if age < PERSIST_SECONDS:
            if self.debug:
                why = self.refused.read_text().strip()
                self._say(f"not forwarding the engine socket of {self.target.label}: {why}")
            return True
        self.refused.unlink(missing_ok=True)
        return False

    def _make(self, timeout: float) -> socket.socket | None:
        """Start the master if needed, learn where the host's engine listens, forward to it and check it answers."""
        found = self._ssh([*ssh_argv(self.target, self.env, [DISCOVER], options=["-T"])])
        if found is None:
            return None  # ssh itself failed (login, network): dial-stdio will say why
        remote = (found.strip().splitlines() or [""])[-1]
        if not remote.startswith("unix://") or ":" in remote[len("unix://") :]:
            self._refuse(f"its engine is at '{remote}', not on a unix socket ssh can forward to")
            return None
        self.remote = remote[len("unix://") :]
        self._cancel()  # the stale file, and a forward the master may still hold for a file that was removed
        if self._ssh(self._control("forward")) is None:
            self._refuse("the ssh master connection did not forward it")
            return None
        sock = self._connected(timeout)
        if sock is None or not _pings(sock):
            if sock is not None:
                sock.close()
            self._cancel()
            self._refuse(f"the ssh server did not open {self.remote} (AllowStreamLocalForwarding no? no engine?)")
            return None
        sock.close()
        return self._connected(timeout)

    def _control(self, command: str) -> list[str]:
        """`ssh OPTIONS -O forward|cancel -L LOCAL:REMOTE -- HOST`: a request to the running master."""
        argv = ssh_argv(self.target, self.env, [])
        return [*argv[:-2], "-O", command, "-L", f"{self.path}:{self.remote}", *argv[-2:]]

    def _cancel(self) -> None:
        if self.remote is not None:
            self._ssh(self._control("cancel"), quiet=True)  # fails when there was none: fine
        self._unlink()

    def _refuse(self, why: str) -> None:
        with contextlib.suppress(OSError):  # without the note, the next command just tries again
            self.refused.write_text(why + "\n")
        self._say(f"not forwarding the engine socket of {self.target.label}: {why}")

    def _ssh(self, argv: list[str], *, quiet: bool = False) -> str | None:
        """Run ssh through the one runner; its stdout, or None when it failed (said with --debug unless `quiet`)."""
        from devenv.adapters.process import ProcessRunner

        try:
            done = ProcessRunner(env=dict(self.env), echo=self.debug).run(argv, timeout=30)
        except EnvironmentProblem as exc:  # no ssh, or it hung: dial-stdio reports it properly
            self._say(exc.message)
            return None
        if not done.ok:
            if not quiet:
                self._say(f"ssh failed: {done.stderr.strip()}")
            return None
        return done.stdout

    def _unlink(self) -> None:
        with contextlib.suppress(OSError):  # gone already; one that cannot go makes the forward fail: dial-stdio
            os.unlink(self.path)

    def _say(self, text: str) -> None:
        if self.debug:
            print(f"note: {text}", file=sys.stderr)


def _pings(sock: socket.socket) -> bool:
    """Does the engine answer `GET /_ping` on this connection? (A refused forward reads end-of-file.)"""
    answer = b""
    try:
        sock.sendall(b"GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
        while len(answer) < 12 and (chunk := sock.recv(64)):
            answer += chunk
    except OSError:
        return False
    return answer.startswith(b"HTTP/1.1 200")


def through_forward(env: Mapping[str, str], path: str) -> dict[str, str]:
    """`env` for a docker CLI (`docker compose`) to reach the engine through the forwarded socket `path`, as
    devenv does: DOCKER_HOST=unix://PATH, and no context or TLS setting that would point it elsewhere."""
    dropped = ("DOCKER_CONTEXT", "DOCKER_TLS", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH")
    return {**{k: v for k, v in env.items() if k not in dropped}, "DOCKER_HOST": f"unix://{path}"}
