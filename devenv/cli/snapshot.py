"""`devenv snapshot save|restore|list|rm`: whole-stack copies of the data, kept in the engine."""

from __future__ import annotations

import time
from typing import Annotated

import typer

app = typer.Typer(help="Save and restore whole-stack snapshots of the data.", no_args_is_help=True)

NameArgument = Annotated[str, typer.Argument(help="The snapshot's name.")]


def _say(text: str) -> None:
    typer.echo(text, err=True)


@app.command()
def save(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="A name (default: snap-DATE-TIME).")] = None,
) -> None:
    """Copy every data volume of the stack (its services stopped meanwhile, then started again)."""
    from devenv.usecases.snapshots import save as do_save

    snap = do_save(ctx.obj, name, say=_say)
    typer.echo(f"Saved snapshot '{snap.name}' ({len(snap.volumes)} volumes).")


@app.command()
def restore(
    ctx: typer.Context,
    name: NameArgument,
    force: Annotated[
        bool, typer.Option("--force", help="Restore even if a volume's owning image changed since the save.")
    ] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for services to become healthy.")] = 300.0,
) -> None:
    """Put a snapshot's data back (all or nothing); only the services using it restart."""
    from devenv.cli.stack import ProgressView, print_up_result
    from devenv.usecases.snapshots import restore as do_restore

    view = ProgressView()
    try:
        result = do_restore(ctx.obj, name, force=force, progress=view, timeout=timeout)
    finally:
        view.close()
    print_up_result(result)


@app.command(name="list")
def list_(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The workspace's snapshots: name, age, size, profile version."""
    import json

    from devenv.domain.snapshots import human_age, human_size
    from devenv.usecases.snapshots import list_snapshots

    snaps = list_snapshots(ctx.obj)
    if as_json:
        typer.echo(json.dumps([s.to_json() for s in snaps], indent=2))
        return
    if not snaps:
        typer.echo("No snapshots yet: `devenv snapshot save NAME` takes one.")
        return
    now = time.time()
    rows = [["NAME", "AGE", "SIZE", "PROFILE", "VOLUMES"]]
    for s in snaps:
        rows.append(
            [
                s.name,
                human_age(now - s.created),
                human_size(s.size),
                f"{s.profile} {s.profile_version}",
                ", ".join(s.volumes),
            ]
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


@app.command()
def rm(ctx: typer.Context, name: NameArgument) -> None:
    """Delete a snapshot (its record and its volumes in the engine)."""
    from devenv.domain.snapshots import human_size
    from devenv.usecases.snapshots import remove

    snap = remove(ctx.obj, name)
    typer.echo(f"Removed snapshot '{snap.name}' ({human_size(snap.size)} freed).")


__all__ = ["app"]
