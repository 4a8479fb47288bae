"""In which order stopped services start again, and when each may: the rules compose applies to
`depends_on`, as devenv renders them (a link to a service with a health check waits until it is healthy,
a link to one without waits until it runs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from devenv.domain.stack.health import ServiceStatus


def startable(
    pending: Sequence[str],
    links: Mapping[str, Sequence[str]],
    healthchecked: Sequence[str],
    statuses: Mapping[str, ServiceStatus],
) -> list[str]:
    """The pending services whose every link is met now: healthy when it has a health check, else running."""
    ready: list[str] = []
    for name in pending:
        needs = links.get(name, ())
        if all(dep not in pending and _met(statuses.get(dep), dep in healthchecked) for dep in needs):
            ready.append(name)
    return ready


def _met(status: ServiceStatus | None, checked: bool) -> bool:
    if status is None or status.state != "running":
        return False
    return status.health == "healthy" if checked else True
