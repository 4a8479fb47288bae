"""`devenv parity`: check the dev stack against production manifests; exits 1 when errors remain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from devenv.errors import ExitCode

if TYPE_CHECKING:
    from devenv.context import AppContext


def register(app: typer.Typer) -> None:
    app.command()(parity)


def parity(
    ctx: typer.Context,
    against: Annotated[
        list[str] | None,
        typer.Option(
            "--against",
            "-a",
            help="Production manifests: a file or folder (kind detected from content), or the name of a "
            "parity.against entry. Repeatable. Default: the parity section's list.",
        ),
    ] = None,
    dev: Annotated[Path | None, typer.Option("--dev", help="Compare this compose file as the dev side.")] = None,
    parity_config: Annotated[
        Path | None,
        typer.Option("--parity-config", help="YAML file with a parity: section (mapping, allow-list)."),
    ] = None,
    values_env: Annotated[
        Path | None,
        typer.Option("--values-env", help="Env file of values to render Jinja2 manifest templates with."),
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", help="Compose project of the running dev stack to inspect.")
    ] = None,
    runtime: Annotated[
        bool, typer.Option("--runtime/--no-runtime", help="Inspect what runs (image digests, env keys).")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check the dev stack against production manifests: images, env keys, ports, services."""
    from devenv.cli.parity_report import print_report
    from devenv.usecases.parity import ParityOptions, run_parity

    app_ctx: AppContext = ctx.obj
    options = ParityOptions(
        dev_file=dev,
        against=tuple(against or ()),
        parity_config=parity_config,
        values_env=values_env,
        project=project,
        inspect_runtime=runtime,
    )
    report = run_parity(app_ctx, options)
    if as_json:
        typer.echo(json.dumps(report.to_dict(strict=strict), indent=2))
    else:
        print_report(report, app_ctx.console, strict=strict)
    if report.failed(strict=strict):
        raise typer.Exit(int(ExitCode.FAILURE))
