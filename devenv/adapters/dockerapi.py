"""A tiny Docker Engine API client on the standard library, for the hot paths.

`import docker` costs about 0.25 s (requests, urllib3); `devenv status` and a no-op `devenv up` have a
0.3-0.5 s budget in all. Listing and inspecting containers is two GET requests, so those paths speak
HTTP over the engine's socket directly. Everything else uses the docker SDK (devenv.adapters.engine).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import socket
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlparse

from devenv.errors import EnvironmentProblem

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


def docker_host(env: Mapping[str, str]) -> str:
    """Where the engine is: DOCKER_HOST, else the docker CLI's current context, else the default socket."""
    host = env.get("DOCKER_HOST")
    if host:
        return host
    config_dir = Path(env.get("DOCKER_CONFIG") or Path(env.get("HOME", "~")).expanduser() / ".docker")
    context = env.get("DOCKER_CONTEXT")
    if not context:
        try:
            context = json.loads((config_dir / "config.json").read_text()).get("currentContext")
        except (OSError, ValueError, AttributeError):
            context = None
    if context and context != "default":
        meta = config_dir / "contexts" / "meta" / hashlib.sha256(context.encode()).hexdigest() / "meta.json"
        try:
            endpoint = json.loads(meta.read_text())["Endpoints"]["docker"]["Host"]
            if isinstance(endpoint, str) and endpoint:
                return endpoint
        except (OSError, ValueError, KeyError, TypeError):
            pass
    return DEFAULT_SOCKET


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.socket_path)
        self.sock = sock


class EngineAPI:
    def __init__(self, host: str, timeout: float = 10.0) -> None:
        self.host = host
        self.timeout = timeout

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> EngineAPI:
        return cls(docker_host(env))

    def _connection(self) -> http.client.HTTPConnection:
        url = urlparse(self.host)
        if url.scheme == "unix":
            return _UnixConnection(url.path, self.timeout)
        if url.scheme in {"tcp", "http"} and not os.environ.get("DOCKER_TLS_VERIFY"):
            return http.client.HTTPConnection(url.hostname or "localhost", url.port or 2375, timeout=self.timeout)
        raise _Unsupported(self.host)

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        target = path + ("?" + urlencode(query) if query else "")
        conn = self._connection()
        try:
            conn.request("GET", target, headers={"Host": "docker"})
            response = conn.getresponse()
            body = response.read()
        except (OSError, http.client.HTTPException) as exc:
            raise EnvironmentProblem(
                f"the Docker engine at {self.host} does not answer ({exc})",
                hint="start Docker (Docker Desktop, colima start, or the docker service); `devenv doctor` checks",
            ) from exc
        finally:
            conn.close()
        if response.status == 404:
            return None
        if response.status >= 400:
            raise EnvironmentProblem(
                f"the Docker engine refused GET {path}: {response.status} {body[:200]!r}",
                hint="`devenv doctor` checks the engine and your permission to use it",
            )
        if not body:
            return None
        if response.getheader("Content-Type", "").startswith("application/json"):
            return json.loads(body)
        return body

    def containers(self, labels: Mapping[str, str], *, include_stopped: bool = True) -> list[dict[str, Any]]:
        filters = json.dumps({"label": [f"{k}={v}" for k, v in labels.items()]})
        query = {"filters": filters}
        if include_stopped:
            query["all"] = "1"
        result = self.get("/containers/json", query)
        return list(result or [])

    def inspect(self, container_id: str) -> dict[str, Any] | None:
        result = self.get(f"/containers/{quote(container_id)}/json")
        return result if isinstance(result, dict) else None

    def all_containers(self) -> list[dict[str, Any]]:
        return list(self.get("/containers/json", {"all": "0"}) or [])


class _Unsupported(EnvironmentProblem):
    """TLS and ssh engine endpoints go through the docker SDK instead."""

    def __init__(self, host: str) -> None:
        super().__init__(f"the fast engine client does not speak to {host}", hint="unset DOCKER_TLS_VERIFY")
