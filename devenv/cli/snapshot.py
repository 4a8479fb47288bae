"""`devenv snapshot save|restore|list|rm`: whole-stack copies of the data, kept in the engine."""

from __future__ import annotations

import time
from pathlib import Path
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

    from devenv.usecases.snapshots import human_age, human_size, list_snapshots

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


@app.command(name="export")
def export_(
    ctx: typer.Context,
    name: NameArgument,
    file: Annotated[Path, typer.Argument(help="The archive to write (.tar.gz).")],
) -> None:
    """Write a snapshot to a compressed archive with a manifest and checksums, to share seeded data."""
    from devenv.usecases.snapshot_share import export_snapshot

    export_snapshot(ctx.obj, name, file, say=_say)
    typer.echo(f"Exported snapshot '{name}' to {file}.")


@app.command(name="import")
def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="An archive made by `devenv snapshot export`.")],
) -> None:
    """Verify an archive in full, then add it as a snapshot (replacing one of the same name)."""
    from devenv.usecases.snapshot_share import import_snapshot

    snap = import_snapshot(ctx.obj, file, say=_say)
    typer.echo(f"Imported snapshot '{snap.name}': `devenv snapshot restore {snap.name}` puts it in place.")


@app.command()
def rm(ctx: typer.Context, name: NameArgument) -> None:
    """Delete a snapshot (its record and its volumes in the engine)."""
    from devenv.usecases.snapshots import human_size, remove

    snap = remove(ctx.obj, name)
    typer.echo(f"Removed snapshot '{snap.name}' ({human_size(snap.size)} freed).")


__all__ = ["app"]
