"""`devenv profile publish / list / show / diff`: profiles as a team publishes and installs them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Adds the commands to the `profile` group."""
    app.command()(publish)
    app.command(name="list")(list_)
    app.command()(show)
    app.command()(diff)


def publish(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="The profile file, or its folder.")],
    to: Annotated[str, typer.Option("--to", help="The git source to publish to.")],
    sign: Annotated[bool, typer.Option("--sign", help="Sign the tag (git's user.signingkey and gpg.format).")] = False,
) -> None:
    """Lint, commit into the source, tag NAME/vVERSION and push."""
    from devenv.usecases.publish import publish as do_publish

    done = do_publish(ctx.obj, path, to, sign=sign)
    after = f" (after {done.previous})" if done.previous else ""
    typer.echo(
        f"published {done.source.name}/{done.name} {done.version}{after}: tag {done.tag} pushed to {done.source.url}"
    )


def list_(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Argument(help="Only this source.")] = None,
) -> None:
    """List the profiles of every source (or one), with their published versions."""
    from devenv.usecases.catalog import catalog

    rows = catalog(ctx.obj, source)
    width = max((len(r.ref) for r in rows), default=0)
    source_width = max((len(r.source) for r in rows), default=0)
    version_width = max((len(", ".join(r.versions)) for r in rows), default=0)
    for r in rows:
        versions = ", ".join(r.versions).ljust(version_width)
        typer.echo(f"{r.ref.ljust(width)}  {r.source.ljust(source_width)}  {versions}  {r.description}".rstrip())


def show(
    ctx: typer.Context, ref: Annotated[str, typer.Argument(help="NAME, SOURCE/NAME or SOURCE/NAME@VERSION.")]
) -> None:
    """Print a profile (a published version with @VERSION)."""
    from devenv.usecases.catalog import show as show_profile

    path, text = show_profile(ctx.obj, ref)
    typer.echo(f"# {ref}: {path}", err=True)
    typer.echo(text, nl=False)


def diff(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="NAME@VERSION")],
    new: Annotated[str, typer.Argument(help="NAME@VERSION (or just VERSION)")],
) -> None:
    """Show what changed between two versions of a profile."""
    from devenv.usecases.catalog import diff as diff_profiles

    text = diff_profiles(ctx.obj, old, new)
    typer.echo(text or f"no difference between {old} and {new}", nl=not text)
