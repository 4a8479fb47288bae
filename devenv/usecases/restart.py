"""Starting a stack's stopped services again without a compose process, after a snapshot restore.

A restore only stopped the containers: they exist and run the config the profile renders. devenv starts
each one through the engine as soon as every service it links to is met (healthy when it has a health
check, else running: the `depends_on` conditions devenv renders), polling every 0.1 s. Through compose,
each level cost a process start and its own wait: 0.8-1.5 s on the CI kind of machine between a link
turning healthy and the next service starting. Done means up's own gate: every service
ready, and one without a health check running unchanged for a moment (it is not crash-looping).
Anything unexpected (a container missing or of another config, one that exits, the time running out)
returns None, and the caller brings the stack up through compose, which says what went wrong.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from devenv.context import AppContext
from devenv.domain.stack import converge as converge_rules
from devenv.domain.stack.health import ServiceStatus, service_statuses
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.domain.stack.startorder import startable
from devenv.errors import EnvironmentProblem
from devenv.usecases.healthnow import HealthNow

if TYPE_CHECKING:
    from devenv.usecases.up import Progress
    from devenv.usecases.workspace import Prepared

POLL_SECONDS = 0.05


def start_stopped(
    ctx: AppContext, prep: Prepared, services: list[str], *, timeout: float, progress: Progress | None
) -> dict[str, ServiceStatus] | None:
    """Start `services` (stopped, of the rendered config) in link order; their statuses once all are up."""
    state = prep.state
    every = list(state.service_hashes)

    health = HealthNow(ctx)

    def current() -> dict[str, ServiceStatus]:
        return health(service_statuses(ctx.engine.containers({PROJECT_LABEL: state.project}), every))

    statuses = current()
    if any(statuses[n].state == "missing" or statuses[n].config_hash != state.service_hashes.get(n) for n in services):
        return None
    outside = {dep for n in services for dep in state.links.get(n, ()) if dep not in services}
    if any(not statuses[dep].ready for dep in outside):
        return None  # waiting on a service this restart does not start: compose decides
    pending = [n for n in services if not statuses[n].ready]
    unchecked = [n for n in services if n not in state.healthchecked]
    settling: converge_rules.Settling = {}
    deadline = time.monotonic() + timeout

    def inspect(container_id: str) -> dict[str, Any]:
        return ctx.engine.inspect(container_id) or {}

    while time.monotonic() < deadline:
        now_startable = startable(pending, state.links, state.healthchecked, statuses)
        try:
            ctx.engine.start_containers([statuses[name].container_id for name in now_startable])
        except EnvironmentProblem:  # the engine refused a start (a network to join is gone...): compose's turn
            return None
        pending = [n for n in pending if n not in now_startable]
        statuses = current()
        if progress:
            progress("starting", statuses)
        started = [n for n in services if n not in pending]
        if any(statuses[n].failure for n in started):
            return None
        now = time.monotonic()
        if converge_rules.restarted(statuses, unchecked, settling, inspect, now):
            return None
        up = not pending and all(statuses[n].ready for n in services)
        if up and converge_rules.settled(settling, unchecked, now):
            return statuses
        time.sleep(POLL_SECONDS)
    return None
