"""What the engine says about a stack's containers, as per-service status: pure, tested without Docker."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from devenv.domain.stack.names import HASH_LABEL, ONEOFF_LABEL, SERVICE_LABEL


@dataclass(frozen=True)
class ServiceStatus:
    service: str
    state: str  # running, exited, restarting, created, paused, dead, missing
    health: str | None = None  # healthy, unhealthy, starting; None without a healthcheck
    exit_code: int | None = None
    container_id: str = ""
    container: str = ""
    image: str = ""
    created: int = 0
    status_text: str = ""
    config_hash: str | None = None
    ports: tuple[tuple[str, int, int, str], ...] = field(default=())  # (ip, public, private, proto)

    @property
    def ready(self) -> bool:
        return self.state == "running" and self.health in (None, "healthy")

    @property
    def failure(self) -> str | None:
        """Why this service will not become ready by waiting longer, or None."""
        if self.state in {"exited", "dead"}:
            return f"exited with code {self.exit_code}" if self.exit_code is not None else "stopped"
        if self.state == "restarting":
            return f"keeps restarting (last exit code {self.exit_code})" if self.exit_code else "keeps restarting"
        if self.health == "unhealthy":
            return "is unhealthy"
        return None

    @property
    def shown_state(self) -> str:
        if self.state == "running" and self.health:
            return self.health
        return self.state

    def urls(self) -> list[str]:
        seen: list[str] = []
        for ip, public, _private, proto in self.ports:
            if proto != "tcp" or not public or ":" in ip:
                continue
            host = "localhost" if ip in {"0.0.0.0", "127.0.0.1", ""} else ip
            url = f"http://{host}:{public}"
            if url not in seen:
                seen.append(url)
        return seen

    def shown_uptime(self, now: float) -> str:
        """How long a running container has been up, for the status table ("-" when not running)."""
        return uptime(now - self.created) if self.created and self.state == "running" else "-"


_HEALTH = re.compile(r"\((healthy|unhealthy|health: starting)\)")
_EXIT = re.compile(r"(?:Exited|Restarting) \((-?\d+)\)")


def status_from_container(service: str, container: dict[str, Any]) -> ServiceStatus:
    """One entry of GET /containers/json as a ServiceStatus."""
    text = str(container.get("Status", ""))
    health_match = _HEALTH.search(text)
    health = None
    if health_match:
        health = "starting" if health_match.group(1) == "health: starting" else health_match.group(1)
    exit_match = _EXIT.search(text)
    names = container.get("Names") or [""]
    labels = container.get("Labels") or {}
    ports = tuple(
        (
            str(p.get("IP", "")),
            int(p.get("PublicPort") or 0),
            int(p.get("PrivatePort") or 0),
            str(p.get("Type", "")),
        )
        for p in container.get("Ports") or []
    )
    return ServiceStatus(
        service=service,
        state=str(container.get("State", "unknown")),
        health=health,
        exit_code=int(exit_match.group(1)) if exit_match else None,
        container_id=str(container.get("Id", "")),
        container=str(names[0]).lstrip("/"),
        image=str(container.get("Image", "")),
        created=int(container.get("Created") or 0),
        status_text=text,
        config_hash=labels.get(HASH_LABEL),
        ports=tuple(sorted(ports)),
    )


def service_statuses(containers: Iterable[dict[str, Any]], services: Iterable[str]) -> dict[str, ServiceStatus]:
    """Per expected service, its newest non-one-off container's status (or `missing`)."""
    newest: dict[str, dict[str, Any]] = {}
    for container in containers:
        labels = container.get("Labels") or {}
        if labels.get(ONEOFF_LABEL) == "True":
            continue
        name = labels.get(SERVICE_LABEL)
        if name is None:
            continue
        if name not in newest or int(container.get("Created") or 0) > int(newest[name].get("Created") or 0):
            newest[name] = container
    out = {}
    for name in services:
        found = newest.get(name)
        out[name] = status_from_container(name, found) if found else ServiceStatus(name, "missing")
    return out


def uptime(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h{(seconds % 3600) // 60:02d}m"
    return f"{seconds // 86400}d"


def health_test(config: dict[str, Any]) -> tuple[list[str], float] | None:
    """The command the engine runs as this container's health check, and its timeout in seconds, from the
    `Config` of its inspection; None when it has none. As the engine builds it: `CMD` runs as is,
    `CMD-SHELL` through the container's shell (`Shell`, else /bin/sh -c)."""
    check = config.get("Healthcheck") or {}
    test = [str(part) for part in check.get("Test") or []]
    if len(test) < 2 or test[0] not in ("CMD", "CMD-SHELL"):
        return None  # NONE, or inherited from the image and not set
    timeout = float(check.get("Timeout") or 30_000_000_000) / 1e9
    if test[0] == "CMD":
        return test[1:], timeout
    shell = [str(part) for part in config.get("Shell") or []] or ["/bin/sh", "-c"]
    return [*shell, " ".join(test[1:])], timeout
