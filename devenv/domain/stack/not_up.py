"""What to say, and what to run, when a stack or a service is not up (after `down`, a crash, a `docker stop`).

Pure: the words for `status` and `exec`, from the services' statuses; `devenv up` is always the way back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from devenv.domain.stack.health import ServiceStatus

STOPPED_STATES = frozenset({"exited", "dead", "created", "paused"})


def why_not_running(status: ServiceStatus) -> tuple[str, str]:
    """(message, hint) for a command that needs the service's container running (`exec`)."""
    name = status.service
    if status.state == "missing":
        return f"service '{name}' is not running: it has no container (the stack is down)", "run `devenv up` first"
    if status.state in {"exited", "dead"} and status.exit_code not in (None, 0, 137, 143):
        return (
            f"service '{name}' is not running: it exited with code {status.exit_code}",
            f"see why with `devenv logs {name}`, then run `devenv up`",
        )
    if status.state == "restarting":
        return (
            f"service '{name}' is not running: it keeps restarting",
            f"see why with `devenv logs {name}`, fix it, then run `devenv up`",
        )
    shown = {"exited": "stopped", "dead": "stopped", "created": "created but never started"}
    return f"service '{name}' is not running (it is {shown.get(status.state, status.state)})", "run `devenv up`"


def status_warning(statuses: Mapping[str, ServiceStatus], optional: Iterable[str] = ()) -> str | None:
    """`status`'s one line when services outside the optional groups are down or stopped, else None."""
    skip = set(optional)
    wanted = {n: st for n, st in statuses.items() if n not in skip}
    missing = [n for n, st in wanted.items() if st.state == "missing"]
    stopped = [n for n, st in wanted.items() if st.state in STOPPED_STATES]
    if wanted and len(missing) == len(wanted):
        return "the stack is down (no containers); run `devenv up` to start it"
    parts = []
    if stopped:
        parts.append(f"{', '.join(stopped)} {'is' if len(stopped) == 1 else 'are'} stopped")
    if missing:
        parts.append(f"{', '.join(missing)} not created")
    return f"{'; '.join(parts)}; run `devenv up`" if parts else None
