"""`devenv source add/list/remove/refresh`: where team profiles come from."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(help="Add, list, remove and refresh profile sources.", no_args_is_help=True, rich_markup_mode=None)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="source")


@app.command()
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A short name: profiles are then named NAME/PROFILE.")],
    url: Annotated[str, typer.Argument(help="A git URL (https, ssh, file://) or a folder of profiles.")],
    allowed_signers: Annotated[
        Path | None,
        typer.Option(help="Require every release to carry a tag signed by a key in this allowed-signers file."),
    ] = None,
) -> None:
    """Register a profile source (a git source is cloned into devenv's cache)."""
    from devenv.usecases.sources import add as add_source

    source = add_source(ctx.obj, name, url, allowed_signers=allowed_signers)
    signed = " (signed releases only)" if source.allowed_signers else ""
    typer.echo(f"added {source.kind} source '{source.name}': {source.url}{signed}")


@app.command(name="list")
def list_(ctx: typer.Context) -> None:
    """List the profile sources, the shipped one first."""
    from devenv.usecases.sources import listing

    rows = listing(ctx.obj)
    width = max(len(r.name) for r in rows)
    for r in rows:
        typer.echo(f"{r.name.ljust(width)}  {r.kind:<8}  {r.url}" + ("  (signed)" if r.signed else ""))


@app.command()
def remove(ctx: typer.Context, name: Annotated[str, typer.Argument(help="The source's name.")]) -> None:
    """Forget a source and its cache (workspaces pinned to it keep their lock)."""
    from devenv.usecases.sources import remove as remove_source

    source = remove_source(ctx.obj, name)
    typer.echo(f"removed source '{source.name}'")


@app.command()
def refresh(
    ctx: typer.Context, name: Annotated[str | None, typer.Argument(help="One source (default: all).")] = None
) -> None:
    """Fetch new versions of git sources."""
    from devenv.usecases.sources import refresh as refresh_sources

    for source, versions in refresh_sources(ctx.obj, name):
        newest = ", ".join(f"{p} {v[-1]}" for p, v in sorted(versions.items())) or "no published versions"
        typer.echo(f"{source.name}: {newest}")
