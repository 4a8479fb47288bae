"""`--json` on up, down, reset and init: the final state, services and URLs for scripts and editors.

Only the JSON goes to stdout (progress, notes and warnings stay on stderr, as do errors with their exit
codes). The schema is documented in docs/stack.md ("Scripts and editors: `--json`").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.domain.stack.health import ServiceStatus
    from devenv.usecases.init import InitResult
    from devenv.usecases.up import UpResult

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print the result as JSON on stdout (progress and errors on stderr).")
]


def echo_up(ctx: AppContext, command: str, result: UpResult, root: Path | None = None) -> None:
    """up's and reset's result (init's with `root`), the notes and warnings inside it, nothing else."""
    payload = {"command": command, **_workspace(ctx, root), **_up(result)}
    typer.echo(json.dumps(payload, indent=2))


def echo_down(ctx: AppContext, *, volumes: bool) -> None:
    payload = {"command": "down", **_workspace(ctx, None), "volumes_removed": volumes, "services": {}, "urls": {}}
    typer.echo(json.dumps(payload, indent=2))


def echo_init(ctx: AppContext, result: InitResult) -> None:
    extra: dict[str, Any] = {
        "dry_run": result.dry_run,
        "resumed_at": result.resumed_at,
        "all_done_before": result.all_done_before,
    }
    if result.up is None:  # a dry run: nothing is up, and the workspace may not exist yet
        payload: dict[str, Any] = {"command": "init", "workspace": str(result.root), "project": None}
        payload["profile"] = result.profile
        typer.echo(json.dumps({**payload, **extra, "services": {}, "urls": {}}, indent=2))
        return
    payload = {"command": "init", **_workspace(ctx, result.root), **extra, **_up(result.up)}
    typer.echo(json.dumps(payload, indent=2))


def _workspace(ctx: AppContext, root: Path | None) -> dict[str, Any]:
    import copy

    from devenv.usecases.workspace import open_existing

    if root is not None:
        ctx = copy.copy(ctx)
        ctx.workspace_override = root
    ws, state = open_existing(ctx)
    return {"workspace": str(ws.root), "project": state.project, "profile": state.profile.ref}


def _up(result: UpResult) -> dict[str, Any]:
    return {
        "changed": result.changed,
        "built": list(result.built),
        "seeded_now": result.seeded,
        "seconds": round(result.seconds, 3),
        "services": {name: _service(st) for name, st in result.statuses.items()},
        "urls": {name: st.urls() for name, st in result.statuses.items() if st.urls()},
        "notes": list(result.notes),
        "warnings": list(result.warnings),
    }


def _service(st: ServiceStatus) -> dict[str, Any]:
    return {
        "state": st.state,
        "health": st.health,
        "exit_code": st.exit_code,
        "urls": st.urls(),
        "image": st.image or None,
        "container": st.container or None,
    }
