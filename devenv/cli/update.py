"""`devenv update`: move the workspace's profile lock to a newer (or an older) published version."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command()(update)


def update(
    ctx: typer.Context,
    check: Annotated[bool, typer.Option("--check", help="Only show the newer version and its diff.")] = False,
    to: Annotated[str | None, typer.Option("--to", help="Move to this version (also an older one).")] = None,
) -> None:
    """Show what a newer version of the profile changes, and move the lock to it."""
    from devenv.usecases.update import plan
    from devenv.usecases.update import update as do_update

    found = plan(ctx.obj, to) if check else do_update(ctx.obj, to)
    current = found.current
    if found.target is None:
        typer.echo(f"{current.pinned} is the newest published version" if to is None else f"already at {to}")
        return
    typer.echo(f"{current.source}/{current.profile}: {current.version} -> {found.target}")
    typer.echo(found.diff, nl=False)
    if found.moved:
        typer.echo(f"locked {current.profile} {found.target}; run `devenv up` to apply it")
    else:
        typer.echo(f"run `devenv update{f' --to {to}' if to else ''}` to move the lock")
        raise typer.Exit(1)
