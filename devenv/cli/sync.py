"""`devenv sync`: copy the workspace's bind-mounted code to a remote Docker engine's host now."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    app.command()(sync)


def sync(ctx: typer.Context) -> None:
    """Copy bind-mounted folders to the host of a remote (ssh) Docker engine; `up` does it when they change."""
    from devenv.usecases.remote import sync_workspace

    copied = sync_workspace(ctx.obj, say=lambda note: typer.echo(note, err=True))
    if copied is None:
        typer.echo("The Docker engine is local: bind mounts need no copy.")
    else:
        typer.echo(f"Copied {len(copied)} folder(s)." if copied else "Nothing to copy.")
