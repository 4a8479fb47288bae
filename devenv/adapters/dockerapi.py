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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlparse

from devenv.errors import EnvironmentProblem

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # where the choice came from, for messages: "DOCKER_HOST", "docker context colima", ...
    explicit: bool = False  # chosen by the user (DOCKER_HOST, DOCKER_CONTEXT, a current context)


def _docker_config_dir(env: Mapping[str, str]) -> Path:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]).expanduser()
    return Path(env.get("HOME") or Path.home()) / ".docker"


def resolve_endpoint(env: Mapping[str, str]) -> Endpoint:
    """The endpoint the docker CLI would use with this environment."""
    host = env.get("DOCKER_HOST")
    if host:
        return Endpoint(host, "DOCKER_HOST", explicit=True)
    config = _docker_config_dir(env)
    context = env.get("DOCKER_CONTEXT")
    if not context:
        try:
            loaded = json.loads((config / "config.json").read_text(encoding="utf-8"))
            context = loaded.get("currentContext") if isinstance(loaded, dict) else None
        except (OSError, ValueError):
            context = None
    if context and context != "default":
        digest = hashlib.sha256(context.encode()).hexdigest()
        meta = config / "contexts" / "meta" / digest / "meta.json"
        try:
            url = json.loads(meta.read_text(encoding="utf-8"))["Endpoints"]["docker"]["Host"]
        except (OSError, ValueError, KeyError, TypeError):
            url = None
        if isinstance(url, str) and url:
            return Endpoint(url, f"docker context {context}", explicit=True)
        raise EnvironmentProblem(
            f"the docker context '{context}' has no endpoint devenv can read",
            hint="`docker context ls` lists the contexts; `docker context use default` goes back",
        )
    return Endpoint(DEFAULT_SOCKET, "default socket")


def docker_host(env: Mapping[str, str]) -> str:
    """Where the engine is: DOCKER_HOST, else the docker CLI's current context, else the default socket."""
    return resolve_endpoint(env).url


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
        return self._request("GET", path, query)

    def _request(self, method: str, path: str, query: Mapping[str, str] | None = None) -> Any:
        target = path + ("?" + urlencode(query) if query else "")
        conn = self._connection()
        try:
            conn.request(method, target, headers={"Host": "docker"})
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
                f"the Docker engine refused {method} {path}: {response.status} {body[:200]!r}",
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

    def volumes(self, labels: Mapping[str, str]) -> list[dict[str, Any]]:
        """Volumes carrying all these labels (Name, Driver, Options, CreatedAt, Labels)."""
        filters = json.dumps({"label": [f"{k}={v}" for k, v in labels.items()]})
        result = self.get("/volumes", {"filters": filters})
        return list((result or {}).get("Volumes") or []) if isinstance(result, dict) else []

    def remove_container(self, name: str) -> None:
        """Stop and delete a container by name or id (SIGKILL); one that is already gone is fine."""
        self._request("DELETE", f"/containers/{quote(name)}", {"force": "1", "v": "1"})

    def remove_volume(self, name: str) -> None:
        """Delete a volume (its data is gone); a volume that is already gone is fine."""
        self._request("DELETE", f"/volumes/{quote(name)}")


class _Unsupported(EnvironmentProblem):
    """TLS and ssh engine endpoints go through the docker SDK instead."""

    def __init__(self, host: str) -> None:
        super().__init__(f"the fast engine client does not speak to {host}", hint="unset DOCKER_TLS_VERIFY")
