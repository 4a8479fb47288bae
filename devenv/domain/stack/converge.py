"""What `devenv up` must do, decided without Docker: which services, which images to build, whether
the stack is converged already, whether to seed, and when a service without a health check counts as up.

usecases/up.py asks the engine and compose, and hands their answers to these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from devenv.domain.stack.health import ServiceStatus
from devenv.domain.stack.state import WorkspaceState
from devenv.errors import UserError

SETTLE_SECONDS = 1.5  # a service without a health check must run this long without restarting

# service -> (first seen running at, (container id, StartedAt, RestartCount))
Settling = dict[str, tuple[float, tuple[object, ...]]]


def wanted_services(state: WorkspaceState, services: Sequence[str] | None) -> list[str]:
    """The services to bring up: those named (plus what they link to), else all outside optional groups."""
    if not services:
        return [n for n in state.service_hashes if n not in state.optional]
    unknown = [s for s in services if s not in state.service_hashes]
    if unknown:
        raise UserError(f"no service '{unknown[0]}' in this stack", hint=f"services: {', '.join(state.service_hashes)}")
    wanted: list[str] = []
    todo = list(services)
    while todo:
        name = todo.pop()
        if name not in wanted:
            wanted.append(name)
            todo.extend(state.links.get(name, []))
    return sorted(wanted)


def stale_images(
    wanted: Sequence[str], fingerprints: Mapping[str, str], built: Mapping[str, str], *, build: bool
) -> list[str]:
    """Wanted services with a build context whose image is older than the context (or all, with --build)."""
    return sorted(n for n in wanted if n in fingerprints and (build or built.get(n) != fingerprints[n]))


def needs_seed(state: WorkspaceState, wanted: Sequence[str], *, seed: bool) -> bool:
    """Seed when it was not done yet, and only when the services the seed tasks run in are brought up."""
    return seed and not state.seeded and state.seed_tasks > 0 and set(state.seed_services) <= set(wanted)


def converged(statuses: Mapping[str, ServiceStatus], wanted: Sequence[str], hashes: Mapping[str, str]) -> bool:
    """Every wanted service runs, is ready, and runs the config the profile renders now."""
    return all(n in statuses and statuses[n].ready and statuses[n].config_hash == hashes.get(n) for n in wanted)


def restarted(
    statuses: Mapping[str, ServiceStatus],
    services: Sequence[str],
    settling: Settling,
    inspect: Callable[[str], Mapping[str, Any]],
    now: float,
) -> dict[str, int | None]:
    """Services without a health check that restarted while settling (a crash loop between two polls).

    Each running one is watched from its first sighting: the same container must keep the same start
    time and restart count for SETTLE_SECONDS before it counts as up. `settling` is updated in place;
    `inspect` gives a container's engine inspection. Returns {service: last exit code}."""
    looping: dict[str, int | None] = {}
    for name in services:
        st = statuses[name]
        if not st.ready:
            settling.pop(name, None)
            continue
        info = inspect(st.container_id)
        state = info.get("State") or {}
        seen = (st.container_id, state.get("StartedAt"), info.get("RestartCount"))
        code = state.get("ExitCode")
        if state.get("Restarting"):
            looping[name] = code if isinstance(code, int) else None
        elif not state.get("Running"):
            settling.pop(name, None)  # stopped: the next poll sees it exited
        elif name not in settling or settling[name][1][0] != st.container_id:
            settling[name] = (now, seen)
        elif settling[name][1] != seen:
            looping[name] = code if isinstance(code, int) else None
    return looping


def settled(settling: Settling, services: Sequence[str], now: float) -> bool:
    """Every service being watched has run unchanged for SETTLE_SECONDS."""
    return all(now - settling[n][0] >= SETTLE_SECONDS for n in services if n in settling)
