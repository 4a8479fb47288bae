"""`devenv ls`: one line per workspace of this machine, from its state and its containers. Pure."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from devenv.domain.stack.health import ServiceStatus, service_statuses
from devenv.domain.stack.names import PROJECT_LABEL, WORKSPACE_LABEL

CONFIG_FILES_LABEL = "com.docker.compose.project.config_files"  # set by compose: the files it ran


@dataclass(frozen=True)
class WorkspaceLine:
    root: str
    profile: str
    project: str
    state: str  # up, starting, partly up, stopped, down, unknown (no engine), damaged
    ready: int  # services ready (running, healthy if checked), of `services`
    services: int
    ports: tuple[int, ...]
    found_by: str  # "registry" or "engine"

    @property
    def shown_state(self) -> str:
        if self.state in {"up", "partly up", "starting"}:
            return f"{self.state} ({self.ready}/{self.services} ready)"
        return self.state


def workspace_line(
    root: str,
    profile: str,
    project: str,
    services: Sequence[str],
    containers: Iterable[Mapping[str, Any]] | None,
    planned_ports: Mapping[str, Sequence[int]],
    health: Callable[[dict[str, ServiceStatus]], dict[str, ServiceStatus]] | None = None,
) -> WorkspaceLine:
    """What a workspace looks like now; `containers` None means the engine did not answer. `health`: the
    statuses as up's gate counts them (a service whose first health check is to come, checked now)."""
    planned = tuple(sorted({p for ports in planned_ports.values() for p in ports}))
    if containers is None:
        return WorkspaceLine(root, profile, project, "unknown", 0, len(services), planned, "registry")
    statuses = service_statuses([dict(c) for c in containers], services)
    if health:
        statuses = health(statuses)
    ready = sum(1 for s in statuses.values() if s.ready)
    running = [s for s in statuses.values() if s.state in {"running", "restarting"}]
    present = [s for s in statuses.values() if s.state != "missing"]
    if not present:
        state = "down"
    elif ready == len(services):
        state = "up"
    elif not running:
        state = "stopped"
    elif any(s.failure for s in present):
        state = "partly up"
    elif len(running) == len(services):
        state = "starting"
    else:
        state = "partly up"
    live = tuple(sorted({public for s in running for _ip, public, _p, _proto in s.ports if public}))
    return WorkspaceLine(root, profile, project, state, ready, len(services), live or planned, "registry")


def by_project(containers: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The engine's devenv containers (one-off ones too), grouped by compose project."""
    grouped: dict[str, list[Mapping[str, Any]]] = {}
    for container in containers:
        labels = container.get("Labels") or {}
        if labels.get(WORKSPACE_LABEL) and labels.get(PROJECT_LABEL):  # blank on a snapshot's helper
            grouped.setdefault(str(labels[PROJECT_LABEL]), []).append(container)
    return grouped


def root_from_labels(containers: Iterable[Mapping[str, Any]]) -> str | None:
    """The workspace folder a devenv stack was started from: compose records its files (.devenv/compose.yaml)."""
    for container in containers:
        files = str((container.get("Labels") or {}).get(CONFIG_FILES_LABEL, ""))
        for file in files.split(","):
            path = PurePosixPath(file)
            if path.name == "compose.yaml" and path.parent.name == ".devenv":
                return str(path.parent.parent)
    return None
