"""A service whose first health check is still to come counts as healthy once its check passes now.

The engine runs a container's first health check one `interval` after the container starts (engines
before 25 have no `start_interval`) and reports `health: starting` until then. With a 1 s interval, a
database that answers 0.4 s after its start is reported healthy at 1.4 s, and every level of links
waits that long again. devenv runs the very command the engine will run (domain/stack/health.py's
health_test: the test, in the container, as its user, with its environment and timeout) as soon as the
service runs, and takes exit 0 as the engine's next check will: healthy. Anything else (still running
after a second, an error, the container gone) changes nothing; the engine's own checks decide.

Used wherever devenv waits for or reports health: up's gate, the restart after a restore, `status`, `ls`.
"""

from __future__ import annotations

import time
from dataclasses import replace

from devenv.adapters.engine import Probe
from devenv.context import AppContext
from devenv.domain.stack.health import ServiceStatus, health_test

GAP_SECONDS = 0.1  # one container's check runs again no sooner than this, nor than its last run took
# (a check costs CPU: a Python one 0.1 s of it, while the app it checks is starting)
LIMIT_SECONDS = 1.0  # a check still running after this does not count (the engine's own one decides)


# per container id, for this process: its check command, and when it last ran with what verdict (a wait
# loop and the converge after it do not run the same check twice within GAP_SECONDS)
_PROBES: dict[str, Probe | None] = {}
_LAST: dict[str, tuple[float, bool, float, int]] = {}  # container id -> (checked at, passed, seconds it took, runs)


class HealthNow:
    """Checks the `starting` services of a status listing."""

    def __init__(self, ctx: AppContext) -> None:
        self.ctx = ctx
        self._probes = _PROBES
        self._last = _LAST

    def __call__(self, statuses: dict[str, ServiceStatus]) -> dict[str, ServiceStatus]:
        starting = [st.container_id for st in statuses.values() if _starting(st)]
        if not starting:
            return statuses
        now = time.monotonic()
        due = {}
        for container_id in starting:
            last = self._last.get(container_id)
            probe = self._probe(container_id)
            if probe is not None and _due(last, now):
                due[container_id] = probe
        if due:
            passed = self.ctx.engine.run_checks(due, LIMIT_SECONDS)
            done = time.monotonic()
            for container_id in due:
                runs = self._last[container_id][3] + 1 if container_id in self._last else 1
                self._last[container_id] = (done, container_id in passed, done - now, runs)
        return {
            name: replace(st, health="healthy") if _starting(st) and self._passed(st.container_id) else st
            for name, st in statuses.items()
        }

    def _passed(self, container_id: str) -> bool:
        last = self._last.get(container_id)
        return last is not None and last[1]

    def _probe(self, container_id: str) -> Probe | None:
        if container_id not in self._probes:
            info = self.ctx.engine.inspect(container_id) or {}
            config = info.get("Config") or {}
            test = health_test(config)
            self._probes[container_id] = (
                Probe(test[0], str(config.get("User") or ""), str(config.get("WorkingDir") or ""), test[1])
                if test
                else None
            )
        return self._probes[container_id]


def _due(last: tuple[float, bool, float, int] | None, now: float) -> bool:
    """Whether a container's check runs again now: GAP_SECONDS after its last run ended, and no sooner than
    that run took; but a failed first run is followed at once (devenv runs it the moment the container
    runs, before nearly any service answers: a database that is ready 0.05 s later was found 0.2 s late)."""
    if last is None:
        return True
    checked_at, passed, took, runs = last
    if runs == 1 and not passed:
        return True
    return now - checked_at >= max(GAP_SECONDS, took)


def _starting(st: ServiceStatus) -> bool:
    return st.state == "running" and st.health == "starting" and bool(st.container_id)
