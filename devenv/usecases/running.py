"""A command that needs a service's container running (`exec`) says what to run when it is not,
instead of passing compose's raw "service is not running" through."""

from __future__ import annotations

from devenv.context import AppContext
from devenv.domain.stack.health import service_statuses
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.domain.stack.not_up import why_not_running
from devenv.errors import StackFailure


def require_running(ctx: AppContext, project: str, service: str) -> None:
    """One engine query; raises StackFailure (exit 4) naming `devenv up` when the service is not running."""
    status = service_statuses(ctx.engine.containers({PROJECT_LABEL: project}), [service])[service]
    if status.state == "running":
        return
    message, hint = why_not_running(status)
    raise StackFailure(message, hint=hint)
