"""Housekeeping: `devenv ls`, `stop`, `restart` and `build` (docs/stack.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from devenv.cli.completion import complete_services

if TYPE_CHECKING:
    from devenv.domain.stack.listing import WorkspaceLine

ServicesArgument = Annotated[
    list[str] | None, typer.Argument(help="Services (default: all).", autocompletion=complete_services)
]


def register(app: typer.Typer) -> None:
    app.command(name="ls")(ls)
    app.command()(stop)
    app.command()(restart)
    app.command()(build)


def ls(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List this machine's workspaces: folder, profile, state and host ports."""
    import json

    from devenv.usecases.listing import list_workspaces

    found = list_workspaces(ctx.obj)
    if as_json:
        typer.echo(json.dumps([_as_dict(line) for line in found], indent=2))
        return
    if not found:
        typer.echo("No workspaces on this machine yet: `devenv init` or `devenv up --profile NAME` makes one.")
        return
    rows = [["WORKSPACE", "PROFILE", "STATE", "PORTS"]]
    rows += [[w.root, w.profile, w.shown_state, ", ".join(map(str, w.ports)) or "-"] for w in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


def _as_dict(line: WorkspaceLine) -> dict[str, object]:
    return {
        "workspace": line.root,
        "profile": line.profile,
        "project": line.project,
        "state": line.state,
        "ready": line.ready,
        "services": line.services,
        "ports": list(line.ports),
        "found_by": line.found_by,
    }


def stop(ctx: typer.Context, services: ServicesArgument = None) -> None:
    """Stop services (default: the whole stack); containers, data and images are kept. `devenv up` starts them."""
    from devenv.usecases.lifecycle import stop as do_stop

    stopped = do_stop(ctx.obj, services or [])
    typer.echo(f"Stopped {', '.join(stopped)}.")


def restart(
    ctx: typer.Context,
    services: ServicesArgument = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for services to become healthy.")] = 300.0,
) -> None:
    """Restart services (default: the whole stack) and wait until they are healthy, as `up` does."""
    from devenv.cli.stack import ProgressView, print_up_result
    from devenv.usecases.lifecycle import restart as do_restart

    view = ProgressView()
    try:
        result = do_restart(ctx.obj, services or [], timeout=timeout, progress=view)
    finally:
        view.close()
    print_up_result(result)


def build(
    ctx: typer.Context,
    services: ServicesArgument = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Print the whole build log.")] = False,
) -> None:
    """Build the images of services with a `build:` (default: all), even if unchanged; `up` then uses them."""
    from devenv.cli.stack import ProgressView
    from devenv.usecases.building import as_statuses
    from devenv.usecases.lifecycle import build as do_build

    view = ProgressView()

    def show(lines: dict[str, str]) -> None:
        view("building", as_statuses(lines))

    def echo(line: str) -> None:
        typer.echo(line, err=True)

    try:
        result = do_build(
            ctx.obj, services or [], progress=None if verbose else show, verbose=echo if verbose else None
        )
    finally:
        view.close()
    typer.echo(f"Built {', '.join(result.built)} in {result.seconds:.1f}s.")
