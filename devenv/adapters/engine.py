"""The Docker engine, through the docker SDK. The one module that owns a docker SDK client.

`import docker` costs about 0.25 s, so it happens inside methods, never at import time. Which engine
to talk to is decided the way the docker CLI decides (DOCKER_HOST, else DOCKER_CONTEXT or the current
context, else the default socket), so devenv and `docker compose` always talk to the same engine.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any

from devenv.adapters.dockerapi import Endpoint, resolve_endpoint
from devenv.domain.doctor.facts import EndpointProbe, EngineInfo
from devenv.domain.health import PROJECT_LABEL
from devenv.errors import EnvironmentProblem

PROBE_API_VERSION = "1.24"  # the SDK's minimum: a fixed version means building a client sends no request


def usual_sockets(env: Mapping[str, str]) -> list[Endpoint]:
    """Where engines usually listen: probed when the chosen endpoint is silent, to say what would work."""
    home = Path(env.get("HOME") or Path.home())
    runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    candidates = [
        ("/var/run/docker.sock", "default socket"),
        (f"{home}/.docker/run/docker.sock", "Docker Desktop socket"),
        (f"{home}/.docker/desktop/docker.sock", "Docker Desktop socket"),
        (f"{home}/.colima/default/docker.sock", "colima socket"),
        (f"{home}/.config/colima/default/docker.sock", "colima socket"),
        (f"{home}/.orbstack/run/docker.sock", "OrbStack socket"),
        (f"{home}/.rd/docker.sock", "Rancher Desktop socket"),
        (f"{runtime}/docker.sock", "rootless Docker socket"),
        (f"{runtime}/podman/podman.sock", "Podman socket"),
        ("/run/podman/podman.sock", "Podman socket"),
    ]
    return [Endpoint(f"unix://{path}", source) for path, source in candidates]


def _unix_path(url: str) -> str | None:
    if url.startswith("unix://"):
        return url[len("unix://") :]
    return None


class Engine:
    """One engine endpoint and its SDK client. Build it from AppContext.engine; tests build their own."""

    def __init__(self, env: Mapping[str, str], *, timeout: float = 60.0, probe_timeout: float = 5.0) -> None:
        self.env = env
        self.timeout = timeout
        self.probe_timeout = probe_timeout

    @cached_property
    def endpoint(self) -> Endpoint:
        return resolve_endpoint(self.env)

    @property
    def base_url(self) -> str:
        return self.endpoint.url

    def _client_kwargs(self, url: str) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"base_url": url}
        if url.startswith("ssh://"):
            kwargs["use_ssh_client"] = True
        if url.startswith("tcp://") and self.env.get("DOCKER_TLS_VERIFY") and url == self.env.get("DOCKER_HOST"):
            from docker.utils import kwargs_from_env

            kwargs["tls"] = kwargs_from_env(environment=dict(self.env)).get("tls", False)
        return kwargs

    @cached_property
    def client(self) -> Any:
        """A docker.DockerClient for the chosen endpoint (API version negotiated with the engine)."""
        import docker
        from docker.errors import DockerException

        try:
            return docker.DockerClient(timeout=int(self.timeout), **self._client_kwargs(self.base_url))
        except DockerException as exc:
            raise EnvironmentProblem(
                f"no Docker engine answers at {self.base_url} ({self.endpoint.source})",
                hint="`devenv doctor` finds out why and offers to start or install one",
            ) from exc

    def ping(self) -> bool:
        return self.probe(self.endpoint).answered

    def version(self) -> dict[str, Any]:
        return self._call("version")

    def info(self) -> dict[str, Any]:
        return self._call("info")

    def _call(self, what: str) -> dict[str, Any]:
        from docker.errors import DockerException

        try:
            result = self.client.version() if what == "version" else self.client.info()
        except DockerException as exc:
            raise EnvironmentProblem(
                f"the Docker engine at {self.base_url} did not answer `{what}`: {exc}",
                hint="`devenv doctor` checks the engine",
            ) from exc
        return dict(result)

    def probe(self, endpoint: Endpoint) -> EndpointProbe:
        """Does this endpoint answer a ping? Never raises."""

        def result(answered: bool, error: str = "", denied: bool = False) -> EndpointProbe:
            return EndpointProbe(endpoint.url, endpoint.source, answered, error, denied, endpoint.explicit)

        path = _unix_path(endpoint.url)
        if path is not None:
            if not os.path.exists(path):
                return result(False, "no such socket")
            if not os.access(path, os.R_OK | os.W_OK):
                return result(False, "permission denied", denied=True)
        try:
            api = self._api(endpoint.url, self.probe_timeout)
            api.ping()
            api.close()
        except Exception as exc:  # the SDK raises requests', urllib3's and its own errors alike
            text = _short_error(exc)
            return result(False, text, denied="permission denied" in text)
        return result(True)

    def probe_all(self) -> list[EndpointProbe]:
        """The chosen endpoint first, then every usual socket that exists (each must answer to count)."""
        chosen = self.endpoint
        probes = [self.probe(chosen)]
        seen = {os.path.realpath(_unix_path(chosen.url) or chosen.url)}
        for candidate in usual_sockets(self.env):
            path = _unix_path(candidate.url) or ""
            real = os.path.realpath(path)
            if real in seen or not os.path.exists(path):
                continue
            seen.add(real)
            probes.append(self.probe(candidate))
        return probes

    def describe(self, url: str | None = None) -> EngineInfo:
        """`version` + `info` of an endpoint that answers, reduced to what doctor needs."""
        target = url or self.base_url
        try:
            api = self._api(target, self.timeout)
            version = api.version(api_version=False)
            info = api.info()
            api.close()
        except Exception as exc:
            raise EnvironmentProblem(
                f"the Docker engine at {target} stopped answering: {_short_error(exc)}",
                hint="run `devenv doctor` again once the engine is up",
            ) from exc
        return engine_info(target, version, info)

    def inspect_project(self, project: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(container attrs, image attrs) of each running container of a compose project, for parity."""
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for container in self.client.containers.list(filters={"label": f"{PROJECT_LABEL}={project}"}):
            attrs = dict(container.attrs)
            image_id = str(attrs.get("Image") or "")
            pairs.append((attrs, dict(self.client.images.get(image_id).attrs) if image_id else {}))
        return pairs

    def wait_until_ready(self, timeout: float = 90.0, interval: float = 1.0) -> bool:
        """Poll the chosen endpoint until it answers (after starting an engine)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.ping():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)

    def close(self) -> None:
        if "client" in self.__dict__:
            self.__dict__.pop("client").close()

    def _api(self, url: str, timeout: float) -> Any:
        import docker

        return docker.APIClient(version=PROBE_API_VERSION, timeout=int(max(timeout, 1)), **self._client_kwargs(url))


def engine_info(url: str, version: Mapping[str, Any], info: Mapping[str, Any]) -> EngineInfo:
    platform = version.get("Platform") or {}
    components = version.get("Components") or []
    return EngineInfo(
        url=url,
        server_version=str(version.get("Version", "?")),
        api_version=str(version.get("ApiVersion", "0")),
        os_name=str(info.get("OperatingSystem", "")),
        name=str(info.get("Name", "")),
        platform_name=str(platform.get("Name", "")) if isinstance(platform, Mapping) else "",
        mem_total=int(info.get("MemTotal") or 0),
        ncpu=int(info.get("NCPU") or 0),
        root_dir=str(info.get("DockerRootDir", "")),
        security_options=tuple(str(s) for s in info.get("SecurityOptions") or ()),
        components=tuple(str(c.get("Name", "")) for c in components if isinstance(c, Mapping)),
    )


def _short_error(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for marker in ("Connection refused", "Permission denied", "No such file or directory", "timed out"):
        if marker.lower() in text.lower():
            return marker.lower()
    return text[:160]
