"""How requests reach the engine: HTTP on the standard library, or the docker SDK where it must.

`import docker` costs about 0.25 s (requests, urllib3); `devenv status` and a no-op `devenv up` have a
0.3-0.5 s budget in all. A unix socket or a plain tcp endpoint is spoken to with http.client; only TLS
(DOCKER_TLS_VERIFY) and ssh:// endpoints load the docker SDK, which knows certificates and ssh tunnels.
Both transports answer the same way: parsed JSON (or bytes), None for 404, EnvironmentProblem otherwise.
"""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import urlencode, urlparse

from devenv.errors import EnvironmentProblem

SDK_API_VERSION = "1.24"  # the SDK's minimum: a fixed version means building a client sends no request


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


def transport_for(host: str, env: Mapping[str, str], timeout: float) -> Transport:
    """The stdlib transport when it can speak to `host`, else the docker SDK's."""
    url = urlparse(host)
    if url.scheme == "unix" or (url.scheme in {"tcp", "http"} and not env.get("DOCKER_TLS_VERIFY")):
        return StdlibTransport(host, timeout)
    return SdkTransport(host, env, timeout)


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


class StdlibTransport:
    def __init__(self, host: str, timeout: float) -> None:
        self.host = host
        self.timeout = timeout

    def _connection(self) -> http.client.HTTPConnection:
        url = urlparse(self.host)
        if url.scheme == "unix":
            return _UnixConnection(url.path, self.timeout)
        return http.client.HTTPConnection(url.hostname or "localhost", url.port or 2375, timeout=self.timeout)

    def request(self, method: str, path: str, query: Mapping[str, str] | None = None, body: Any = None) -> Any:
        """`body`, when given, is sent as JSON (creating a volume or a container)."""
        target = path + ("?" + urlencode(query) if query else "")
        headers = {"Host": "docker"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn = self._connection()
        try:
            conn.request(method, target, body=data, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise _unreachable(self.host, exc) from exc
        finally:
            conn.close()
        if response.status == 404:
            return None
        if response.status >= 400:
            raise _refused(method, path, response.status, body)
        if not body:
            return None
        if response.getheader("Content-Type", "").startswith("application/json"):
            return json.loads(body)
        return body

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


def sdk_client_kwargs(url: str, env: Mapping[str, str]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"base_url": url}
    if url.startswith("ssh://"):
        kwargs["use_ssh_client"] = True
    if url.startswith("tcp://") and env.get("DOCKER_TLS_VERIFY") and url == env.get("DOCKER_HOST"):
        from docker.utils import kwargs_from_env

        kwargs["tls"] = kwargs_from_env(environment=dict(env)).get("tls", False)
    return kwargs


class SdkTransport:
    """TLS and ssh endpoints: the docker SDK's low-level client, loaded only when one is used."""

    def __init__(self, host: str, env: Mapping[str, str], timeout: float) -> None:
        self.host = host
        self.env = env
        self.timeout = timeout
        self._api: Any = None

    def request(self, method: str, path: str, query: Mapping[str, str] | None = None, body: Any = None) -> Any:
        if self._api is None:
            import docker

            try:
                self._api = docker.APIClient(
                    version=SDK_API_VERSION,
                    timeout=int(max(self.timeout, 1)),
                    **sdk_client_kwargs(self.host, self.env),
                )
            except Exception as exc:  # the SDK raises requests', urllib3's and its own errors alike
                raise _unreachable(self.host, exc) from exc
        try:
            url = self._api._url(path.replace("{", "{{").replace("}", "}}"))
            response = self._api.request(method, url, params=query, json=body)
        except Exception as exc:
            raise _unreachable(self.host, exc) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            raise _refused(method, path, response.status_code, response.content)
        if not response.content:
            return None
        if response.headers.get("Content-Type", "").startswith("application/json"):
            return response.json()
        return response.content

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
        self.request("GET", "/_ping")  # builds the client
        url = self._api._url(path.replace("{", "{{").replace("}", "}}"))
        try:
            response = self._api.request(method, url, params=query, data=upload, stream=True, timeout=None)
            if response.status_code >= 400:
                raise _refused(method, path, response.status_code, response.content)
            for chunk in response.iter_content(CHUNK):
                if sink is not None:
                    sink(chunk)
        except EnvironmentProblem:
            raise
        except Exception as exc:
            raise _unreachable(self.host, exc) from exc
