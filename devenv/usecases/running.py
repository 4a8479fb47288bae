"""A stack that is not (all) running: a command that needs a service's container running (`exec`) says
what to run instead of passing compose's raw "service is not running" through; `status` says it in one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devenv.context import AppContext
from devenv.domain.stack.health import service_statuses
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.domain.stack.not_up import status_warning, why_not_running
from devenv.errors import StackFailure

if TYPE_CHECKING:
    from devenv.usecases.stack import StatusReport


def require_running(ctx: AppContext, project: str, service: str) -> None:
    """One engine query; raises StackFailure (exit 4) naming `devenv up` when the service is not running."""
    status = service_statuses(ctx.engine.containers({PROJECT_LABEL: project}), [service])[service]
    if status.state == "running":
        return
    message, hint = why_not_running(status)
    raise StackFailure(message, hint=hint)


def not_up_warning(report: StatusReport) -> str | None:
    """`status`'s one line when services outside the optional groups are stopped or the stack is down."""
    return status_warning(report.statuses, report.optional)
