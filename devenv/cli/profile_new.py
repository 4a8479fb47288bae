"""`devenv profile new NAME [--from-compose FILE ...] [-o DIR]`: start a profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    app.command("new")(new)


def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new profile's name (lower-case letters, digits, - and _).")],
    from_compose: Annotated[
        list[Path] | None,
        typer.Option("--from-compose", "-f", help="A compose file to convert (repeatable, merged in order like -f)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The profile's folder (default: ./NAME), new or empty.")
    ] = None,
) -> None:
    """Write a new profile: from compose files (plus a report of what was not carried over)."""
    from devenv.usecases.profile_new import from_compose as generate

    if not from_compose:
        raise typer.BadParameter("pass --from-compose FILE", param_hint="--from-compose")
    made = generate(ctx.obj, name, list(from_compose), output)
    dropped = [n for n in made.notes if n.dropped]
    typer.echo(f"wrote {made.profile} ({made.services} services, {made.variables} variables)")
    if made.report is not None:
        typer.echo(f"wrote {made.report} ({len(dropped)} not carried over, {len(made.notes) - len(dropped)} changed)")
    for note in dropped:
        typer.echo(f"  not carried over: {note.render()}")
    typer.echo(f"next: devenv profile lint {made.profile}")
