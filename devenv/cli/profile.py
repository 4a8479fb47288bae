"""`devenv profile ...`: lint, render and print the schema of profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from devenv.cli import catalog, profile_new
from devenv.errors import ExitCode

app = typer.Typer(help="Write, check and render profiles.", no_args_is_help=True, rich_markup_mode=None)
profile_new.register(app)
catalog.register(app)

RepoDirOption = Annotated[
    Path | None, typer.Option(help="The platform checkout relative paths start from (default: here).")
]
SetOption = Annotated[list[str] | None, typer.Option("--set", "-s", help="Answer a variable: NAME=VALUE (repeatable).")]


@app.command()
def lint(
    ctx: typer.Context,
    profiles: Annotated[list[str], typer.Argument(help="Profile files or names.")],
    sets: SetOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print problems as JSON.")] = False,
    repo_dir: RepoDirOption = None,
) -> None:
    """Check profiles; print every problem with file:line:column. Exits 1 when any has problems."""
    from devenv.usecases.profiles import lint as lint_profiles
    from devenv.usecases.sets import parse_sets

    results = lint_profiles(ctx.obj, profiles, parse_sets(sets or []), repo_dir=repo_dir)
    if as_json:
        payload = [
            {"profile": r.file, "ok": r.ok, "paths_from": r.paths_from, "problems": [p.as_dict() for p in r.problems]}
            for r in results
        ]
        typer.echo(json.dumps(payload, indent=2))
    else:
        for r in results:
            if r.ok:
                typer.echo(f"ok: {r.file}")
            for problem in r.problems:
                typer.echo(problem.render(), err=True)
            if r.paths_from:
                typer.echo(f"  relative paths resolved against {r.paths_from}", err=True)
        bad = sum(len(r.problems) for r in results)
        if bad:
            typer.echo(f"{bad} problem{'s' if bad > 1 else ''} found", err=True)
    if not all(r.ok for r in results):
        raise typer.Exit(ExitCode.FAILURE)


@app.command()
def render(
    ctx: typer.Context,
    profile: Annotated[str, typer.Argument(help="A profile file or name.")],
    sets: SetOption = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write compose.yaml and .env (0600) into this folder."),
    ] = None,
    project: Annotated[str | None, typer.Option(help="Compose project name.")] = None,
    repo_dir: RepoDirOption = None,
) -> None:
    """Print the plain compose file devenv would run (secrets stay out of it)."""
    from devenv.usecases.profiles import render_explained, write_rendered
    from devenv.usecases.sets import parse_sets

    rendered, notes = render_explained(ctx.obj, profile, parse_sets(sets or []), project=project, repo_dir=repo_dir)
    for note in notes:
        typer.echo(note if note.startswith("warning: ") else f"note: {note}", err=True)
    if output is None:
        typer.echo(rendered.compose_text, nl=False)
        return
    compose_file, env_file = write_rendered(rendered, output)
    typer.echo(f"wrote {compose_file} and {env_file}")


@app.command()
def schema() -> None:
    """Print the JSON Schema of the profile format, for editors."""
    from devenv.usecases.profiles import profile_schema

    typer.echo(json.dumps(profile_schema(), indent=2))
