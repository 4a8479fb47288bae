"""How requests reach the engine: HTTP on the standard library, whatever the endpoint.

`import docker` costs about 0.25 s (requests, urllib3); `devenv status` and a no-op `devenv up` have a
0.3-0.5 s budget in all. So a unix socket, plain tcp, tcp with TLS (ssl, the files of DOCKER_CERT_PATH or
of the docker context) and ssh:// are all spoken to with http.client. ssh:// goes through the engine's
socket forwarded once to a local socket (adapters/ssh_forward.py), else through `ssh HOST docker system
dial-stdio` on a shared master connection (adapters/ssh.py). Answers: parsed JSON (or bytes), None for 404,
EnvironmentProblem otherwise.
"""

from __future__ import annotations

import errno
import http.client
import json
import socket
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlencode, urlparse

from devenv.adapters.engine.endpoint import Endpoint, Tls
from devenv.errors import EnvironmentProblem

if TYPE_CHECKING:
    import ssl

    from devenv.adapters.ssh import Dialed
    from devenv.adapters.ssh_forward import EngineForward


class Readable(Protocol):
    """What an upload is read from: a file, or anything counting what it hands out."""

    def read(self, n: int = -1, /) -> bytes: ...


class Transport(Protocol):
    host: str

    def request(self, method: str, path: str, query: Mapping[str, str] | None = None, body: Any = None) -> Any: ...

    def stream(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        *,
        sink: Callable[[bytes], None] | None = None,
        upload: Readable | None = None,
        length: int = 0,
    ) -> None: ...

    def close(self) -> None: ...

    def forwarded(self) -> str | None: ...


def transport_for(endpoint: Endpoint, env: Mapping[str, str], timeout: float, *, debug: bool = False) -> Transport:
    """How to speak to this endpoint (`env` gives ssh its PATH, HOME and agent; `debug` shows ssh's steps)."""
    return StdlibTransport(endpoint.url, timeout, tls=endpoint.tls, env=env, debug=debug)


def _unreachable(host: str, exc: BaseException) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"the Docker engine at {host} does not answer ({exc})",
        hint="start Docker (Docker Desktop, colima start, or the docker service); `devenv doctor` checks",
    )


def _refused(method: str, path: str, status: int, body: bytes) -> EnvironmentProblem:
    return EnvironmentProblem(
        f"the Docker engine refused {method} {path}: {status} {body[:200]!r}",
        hint="`devenv doctor` checks the engine and your permission to use it",
    )


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class _ForwardedConnection(http.client.HTTPConnection):
    """HTTP over the ssh-forwarded engine socket: first over the socket `EngineForward.connect` gave."""

    def __init__(self, forward: EngineForward, sock: socket.socket, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.forward = forward
        self.sock = sock

    def connect(self) -> None:
        sock = self.forward.connect(self.timeout or 10.0)
        if sock is None:
            raise ConnectionRefusedError(errno.ECONNREFUSED, f"no forwarded socket at {self.forward.path}")
        self.sock = sock


class _SshConnection(http.client.HTTPConnection):
    """HTTP over `ssh HOST docker system dial-stdio`."""

    def __init__(self, url: str, env: Mapping[str, str], timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.url = url
        self.env = env
        self.dialed: Dialed | None = None

    def connect(self) -> None:
        from devenv.adapters.ssh import Dialed, SshTarget

        if self.dialed is not None:  # the engine closed the last one
            self.dialed.close()
        self.dialed = Dialed(SshTarget.parse(self.url), self.env, self.timeout or 10.0)
        self.sock = self.dialed.sock

    def close(self) -> None:
        super().close()
        if self.dialed is not None:
            self.dialed.close()

    def why(self) -> str:
        return self.dialed.why() if self.dialed is not None else ""


def _ssl_context(tls: Tls) -> ssl.SSLContext:
    import ssl

    if tls.verify and not tls.ca:
        raise EnvironmentProblem(
            f"TLS verification of the Docker engine is on, but {tls.folder} has no ca.pem",
            hint="DOCKER_CERT_PATH names the folder holding ca.pem, cert.pem and key.pem (the docker CLI's)",
        )
    try:
        context = ssl.create_default_context(cafile=tls.ca) if tls.verify else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        if not tls.verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        if tls.cert and tls.key:
            context.load_cert_chain(tls.cert, tls.key)
    except (OSError, ssl.SSLError) as exc:
        raise EnvironmentProblem(
            f"cannot use the TLS files in {tls.folder}: {exc}",
            hint="DOCKER_CERT_PATH names the folder holding ca.pem, cert.pem and key.pem (the docker CLI's)",
        ) from exc
    return context


class StdlibTransport:
    def __init__(
        self,
        host: str,
        timeout: float,
        *,
        tls: Tls | None = None,
        env: Mapping[str, str] | None = None,
        debug: bool = False,
    ) -> None:
        self.host = host
        self.timeout = timeout
        self.tls = tls
        self.env = env or {}
        self.debug = debug
        self._kept: http.client.HTTPConnection | None = None  # ssh: one session serves every request
        self._forward: EngineForward | None = None  # ssh: the engine's socket forwarded here, once asked
        self._dial = False  # ssh: the forward failed, dial-stdio from now on

    def close(self) -> None:
        if self._kept is not None:
            self._kept.close()
            self._kept = None

    def forwarded(self) -> str | None:
        """The local socket that reaches this ssh engine through devenv's master connection (forwarded now
        if it can be), or None: not an ssh engine, or its requests go over dial-stdio."""
        if isinstance(self._kept, _ForwardedConnection):
            return self._kept.forward.path
        if not self.host.startswith("ssh://") or self._dial or self._kept is not None:
            return None
        conn = self._ssh_connection()  # connected through the forward (made if need be), or falls back
        if not isinstance(conn, _ForwardedConnection):
            return None
        self._kept = conn  # the connection that proved the forward alive serves the next request
        return conn.forward.path

    def _connection(self) -> http.client.HTTPConnection:
        url = urlparse(self.host)
        if url.scheme == "unix":
            return _UnixConnection(url.path, self.timeout)
        if url.scheme == "ssh":
            return self._ssh_connection()
        if self.tls is not None or url.scheme == "https":
            context = _ssl_context(self.tls or Tls("", None, None, None, verify=True))
            return http.client.HTTPSConnection(
                url.hostname or "localhost", url.port or 2376, timeout=self.timeout, context=context
            )
        return http.client.HTTPConnection(url.hostname or "localhost", url.port or 2375, timeout=self.timeout)

    def _ssh_connection(self) -> http.client.HTTPConnection:
        """Through the forwarded socket when there is (or can be) one, else over dial-stdio."""
        if not self._dial:
            if self._forward is None:
                from devenv.adapters.ssh import SshTarget
                from devenv.adapters.ssh_forward import EngineForward

                self._forward = EngineForward(SshTarget.parse(self.host), self.env, debug=self.debug)
            sock = self._forward.connect(self.timeout)
            if sock is not None:
                return _ForwardedConnection(self._forward, sock, self.timeout)
            self._dial = True
        return _SshConnection(self.host, self.env, self.timeout)

    def request(self, method: str, path: str, query: Mapping[str, str] | None = None, body: Any = None) -> Any:
        """`body`, when given, is sent as JSON (creating a volume or a container)."""
        target = path + ("?" + urlencode(query) if query else "")
        headers = {"Host": "docker"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        keep = self.host.startswith("ssh://")  # a new ssh session costs ~0.1 s even on a shared connection
        reused, self._kept = self._kept, None
        conn = reused or self._connection()
        try:
            conn.request(method, target, body=data, headers=headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            said = conn.why() if isinstance(conn, _SshConnection) else ""
            conn.close()
            if reused is not None:  # the kept session ended meanwhile: one fresh try
                return self.request(method, path, query, body)
            if isinstance(conn, _ForwardedConnection):  # the forward let us down: dial-stdio, once
                conn.forward.broken(str(exc))
                self._dial = True
                return self.request(method, path, query, body)
            raise _unreachable(self.host, RuntimeError(said) if said else exc) from exc
        if keep:
            self._kept = conn
        else:
            conn.close()
        if response.status == 404:
            return None
        if response.status >= 400:
            raise _refused(method, path, response.status, answer)
        if not answer:
            return None
        if response.getheader("Content-Type", "").startswith("application/json"):
            return json.loads(answer)
        return answer

    def stream(
        self,
        method: str,
        path: str,
        query: Mapping[str, str] | None = None,
        *,
        sink: Callable[[bytes], None] | None = None,
        upload: Readable | None = None,
        length: int = 0,
    ) -> None:
        """A request whose body goes out from `upload` or comes back into `sink` in chunks (volume archives)."""
        target = path + ("?" + urlencode(query) if query else "")
        headers = {"Host": "docker"}
        if upload is not None:
            headers["Content-Type"] = "application/x-tar"
            headers["Content-Length"] = str(length)
        conn = self._connection()
        conn.timeout = None  # a large archive takes as long as it takes
        try:
            conn.request(method, target, body=upload, headers=headers)
            response = conn.getresponse()
            if response.status >= 400:
                raise _refused(method, path, response.status, response.read())
            while chunk := response.read(CHUNK):
                if sink is not None:
                    sink(chunk)
        except (OSError, http.client.HTTPException) as exc:
            raise _unreachable(self.host, exc) from exc
        finally:
            conn.close()


CHUNK = 1 << 20
