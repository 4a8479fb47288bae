"""The Docker engine: the one engine client of devenv (listing, inspecting, removing, probing, describing).

Every call is one or two Engine API requests, spoken over the standard library (http.py) for a unix
socket or plain tcp endpoint, so `devenv status`, a no-op `devenv up` and diagnosis never import the
docker SDK (about 0.25 s); TLS uses ssl, ssh the engine's socket forwarded over a shared master
connection (adapters/ssh_forward.py), else the docker CLI's `ssh HOST docker system dial-stdio` (ssh.py).
Which engine: see endpoint.py. Build it from AppContext.engine; tests build their own.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from devenv.adapters.engine.endpoint import Endpoint, docker_host, resolve_endpoint, unix_path, usual_sockets
from devenv.adapters.engine.http import Transport, transport_for
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.errors import EnvironmentProblem

if TYPE_CHECKING:  # doctor's models: imported where doctor needs them, not on the hot paths
    from devenv.adapters.engine.volumecopy import VolumeCopies
    from devenv.domain.doctor.facts import EndpointProbe, EngineInfo

__all__ = ["Endpoint", "Engine", "Probe", "docker_host", "engine_info", "resolve_endpoint", "usual_sockets"]


@dataclass(frozen=True)
class Probe:
    """A command to run in a running container (its health check's test), and how long it may take."""

    argv: list[str]
    user: str
    workdir: str
    timeout: float


def _label_filter(labels: Mapping[str, str]) -> str:
    return json.dumps({"label": [f"{k}={v}" for k, v in labels.items()]})


class Engine:
    """One engine endpoint (resolved on first use) and the requests devenv makes to it."""

    def __init__(
        self, env: Mapping[str, str], *, timeout: float = 10.0, probe_timeout: float = 5.0, debug: bool = False
    ) -> None:
        self.env = env
        self.timeout = timeout
        self.probe_timeout = probe_timeout
        self.debug = debug  # say how an ssh engine is reached (its socket forwarded, or dial-stdio and why)

    def twin(self) -> Engine:
        """The same engine on connections of its own: for a thread that works beside this one."""
        return Engine(self.env, timeout=self.timeout, probe_timeout=self.probe_timeout, debug=self.debug)

    @cached_property
    def endpoint(self) -> Endpoint:
        return resolve_endpoint(self.env)

    @property
    def base_url(self) -> str:
        return self.endpoint.url

    @cached_property
    def _transport(self) -> Transport:
        return transport_for(self.endpoint, self.env, self.timeout, debug=self.debug)

    def get(self, path: str, query: Mapping[str, str] | None = None) -> Any:
        return self._transport.request("GET", path, query)

    # --- containers and volumes (the hot paths: status, no-op up, data, down) ---

    def containers(self, labels: Mapping[str, str], *, include_stopped: bool = True) -> list[dict[str, Any]]:
        query = {"filters": _label_filter(labels)}
        if include_stopped:
            query["all"] = "1"
        return list(self.get("/containers/json", query) or [])

    def inspect(self, container_id: str) -> dict[str, Any] | None:
        result = self.get(f"/containers/{quote(container_id)}/json")
        return result if isinstance(result, dict) else None

    def containers_labelled(self, key: str) -> list[dict[str, Any]]:
        """Every container (stopped ones too) that carries the label `key`, whatever its value."""
        return list(self.get("/containers/json", {"all": "1", "filters": json.dumps({"label": [key]})}) or [])

    def all_containers(self) -> list[dict[str, Any]]:
        return list(self.get("/containers/json", {"all": "0"}) or [])

    def volumes(self, labels: Mapping[str, str]) -> list[dict[str, Any]]:
        """Volumes carrying all these labels (Name, Driver, Options, CreatedAt, Labels)."""
        result = self.get("/volumes", {"filters": _label_filter(labels)})
        return list((result or {}).get("Volumes") or []) if isinstance(result, dict) else []

    def remove_container(self, name: str) -> None:
        """Stop and delete a container by name or id (SIGKILL); one that is already gone is fine."""
        self._transport.request("DELETE", f"/containers/{quote(name)}", {"force": "1", "v": "1"})

    def remove_container_soon(self, name: str) -> None:
        """remove_container, in a thread of its own (on its own connection): the caller goes on meanwhile,
        and the process waits for it before it exits."""
        import threading

        def remove() -> None:
            twin = self.twin()
            try:
                twin.remove_container(name)
            except EnvironmentProblem:
                pass  # labelled: the next command that copies removes it
            finally:
                twin.close()

        threading.Thread(target=remove, name="devenv-remove-helper").start()

    def start_containers(self, ids: Sequence[str]) -> None:
        """Start existing containers, all at once (one that runs already is fine)."""
        self._at_once("POST", [f"/containers/{quote(i)}/start" for i in ids], {})

    def stop_containers(self, ids: Sequence[str], timeout: int = 10) -> None:
        """Stop containers as `docker stop` does (SIGTERM, SIGKILL after `timeout` s), all at once."""
        self._at_once("POST", [f"/containers/{quote(i)}/stop" for i in ids], {"t": str(timeout)})

    def _at_once(self, method: str, paths: Sequence[str], query: Mapping[str, str]) -> None:
        """One request per path, in parallel, each on its own connection (the engine takes seconds per
        container start or stop, mostly waiting): the first error is raised once all are done."""
        if len(paths) <= 1:
            for path in paths:
                self._transport.request(method, path, query)
            return
        from concurrent.futures import ThreadPoolExecutor

        def one(path: str) -> None:
            transport = transport_for(self.endpoint, self.env, self.timeout, debug=self.debug)
            try:
                transport.request(method, path, query)
            finally:
                transport.close()

        with ThreadPoolExecutor(max_workers=min(len(paths), 16)) as pool:
            for future in [pool.submit(one, path) for path in paths]:
                future.result()

    def run_checks(self, checks: Mapping[str, Probe], limit: float) -> set[str]:
        """Run each container's check command in it now, all at once, as the engine runs a health check
        (the container's user, working folder and environment); the ids whose command exited 0 within its
        timeout (and within `limit` seconds: one still running then counts as not passed)."""
        if not checks:
            return set()
        from concurrent.futures import ThreadPoolExecutor

        def one(container_id: str) -> bool:
            probe = checks[container_id]
            transport = transport_for(self.endpoint, self.env, self.timeout, debug=self.debug)
            try:
                body = {"Cmd": probe.argv, "User": probe.user, "WorkingDir": probe.workdir}
                made = transport.request("POST", f"/containers/{quote(container_id)}/exec", body=body)
                exec_id = quote(str((made or {}).get("Id")))
                transport.request("POST", f"/exec/{exec_id}/start", body={"Detach": True, "Tty": False})
                deadline = time.monotonic() + min(probe.timeout, limit)
                while True:
                    info = transport.request("GET", f"/exec/{exec_id}/json") or {}
                    if not info.get("Running"):
                        return info.get("ExitCode") == 0
                    if time.monotonic() >= deadline:
                        return False  # left to finish in the container; the engine's own check decides
                    time.sleep(0.02)
            except EnvironmentProblem:  # the container stopped meanwhile, or is paused
                return False
            finally:
                transport.close()

        ids = list(checks)
        with ThreadPoolExecutor(max_workers=min(len(ids), 16)) as pool:
            passed = list(pool.map(one, ids))
        return {i for i, ok in zip(ids, passed, strict=True) if ok}

    def remove_volume(self, name: str) -> None:
        """Delete a volume (its data is gone); a volume that is already gone is fine."""
        self._transport.request("DELETE", f"/volumes/{quote(name)}")

    def inspect_project(self, project: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        """(container attrs, image attrs) of each running container of a compose project, for parity."""
        pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for summary in self.containers({PROJECT_LABEL: project}, include_stopped=False):
            attrs = self.inspect(str(summary.get("Id") or "")) or {}
            image_id = str(attrs.get("Image") or "")
            image = self.get(f"/images/{quote(image_id)}/json") if image_id else None
            pairs.append((attrs, image if isinstance(image, dict) else {}))
        return pairs

    @cached_property
    def volume_copies(self) -> VolumeCopies:
        """Volumes created and copied inside the engine, for snapshots (adapters/engine/volumecopy.py)."""
        from devenv.adapters.engine.volumecopy import VolumeCopies

        return VolumeCopies(self)

    # --- the engine itself (doctor, init) ---

    def ping(self) -> bool:
        return self.probe(self.endpoint).answered

    def version(self) -> dict[str, Any]:
        return self._chosen_call("/version")

    def info(self) -> dict[str, Any]:
        return self._chosen_call("/info")

    def _chosen_call(self, path: str) -> dict[str, Any]:
        try:
            return self._describe_call(path, self.base_url)
        except EnvironmentProblem as exc:
            raise EnvironmentProblem(
                f"no Docker engine answers at {self.base_url} ({self.endpoint.source})",
                hint="`devenv doctor` finds out why and offers to start or install one",
            ) from exc

    def _describe_call(self, path: str, url: str, timeout: float | None = None) -> dict[str, Any]:
        transport = (
            self._transport
            if url == self.base_url and timeout is None
            else self._other(self._endpoint_of(url), timeout)
        )
        result = transport.request("GET", path)
        if not isinstance(result, dict):
            raise EnvironmentProblem(
                f"the Docker engine at {url} did not answer `{path.strip('/')}`",
                hint="`devenv doctor` checks the engine",
            )
        return result

    def _endpoint_of(self, url: str) -> Endpoint:
        return self.endpoint if url == self.base_url else Endpoint(url, "probe")

    def _other(self, endpoint: Endpoint, timeout: float | None) -> Transport:
        return transport_for(endpoint, self.env, timeout or self.timeout, debug=self.debug)

    def probe(self, endpoint: Endpoint) -> EndpointProbe:
        """Does this endpoint answer a ping? Never raises."""
        from devenv.domain.doctor.facts import EndpointProbe

        def result(answered: bool, error: str = "", denied: bool = False) -> EndpointProbe:
            return EndpointProbe(endpoint.url, endpoint.source, answered, error, denied, endpoint.explicit)

        path = unix_path(endpoint.url)
        if path is not None:
            if not os.path.exists(path):
                return result(False, "no such socket")
            if not os.access(path, os.R_OK | os.W_OK):
                return result(False, "permission denied", denied=True)
        try:
            self._other(endpoint, self.probe_timeout).request("GET", "/_ping")
        except Exception as exc:  # EnvironmentProblem, or anything a TLS/ssh transport raises
            text = _short_error(exc)
            return result(False, text, denied="permission denied" in text)
        return result(True)

    def probe_all(self) -> list[EndpointProbe]:
        """The chosen endpoint first, then every usual socket that exists (each must answer to count)."""
        chosen = self.endpoint
        probes = [self.probe(chosen)]
        seen = {os.path.realpath(unix_path(chosen.url) or chosen.url)}
        for candidate in usual_sockets(self.env):
            path = unix_path(candidate.url) or ""
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
            version = self._describe_call("/version", target, self.timeout)
            info = self._describe_call("/info", target, self.timeout)
        except EnvironmentProblem as exc:
            raise EnvironmentProblem(
                f"the Docker engine at {target} stopped answering: {_short_error(exc)}",
                hint="run `devenv doctor` again once the engine is up",
            ) from exc
        return engine_info(target, version, info)

    def wait_until_ready(self, timeout: float = 90.0, interval: float = 1.0) -> bool:
        """Poll the chosen endpoint until it answers (after starting an engine)."""
        deadline = time.monotonic() + timeout
        while True:
            if self.ping():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(interval)

    def forwarded_socket(self) -> str | None:
        """For an ssh engine whose socket devenv forwards (adapters/ssh_forward.py): that local socket, for
        `docker compose` to use too. None for any other engine, and when the forward cannot be made."""
        return self._transport.forwarded() if self.endpoint.url.startswith("ssh://") else None

    def close(self) -> None:
        """Only an ssh session stays open between requests (it ends with the process anyway)."""
        if "_transport" in self.__dict__:
            self._transport.close()


def engine_info(url: str, version: Mapping[str, Any], info: Mapping[str, Any]) -> EngineInfo:
    from devenv.domain.doctor.facts import EngineInfo

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
