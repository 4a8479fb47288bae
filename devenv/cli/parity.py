"""`devenv parity`: check the dev stack against production manifests; exits 1 when errors remain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from devenv.errors import ExitCode

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.errors import DevenvError


FORMATS = ("table", "lines", "json", "github")


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
    dev: Annotated[
        list[Path] | None,
        typer.Option(
            "--dev",
            help="Compare this compose file as the dev side. Repeat it to merge override files as "
            "`docker compose -f a.yml -f b.yml` does; `include:` is followed.",
        ),
    ] = None,
    parity_config: Annotated[
        Path | None,
        typer.Option("--parity-config", help="YAML file with a parity: section (mapping, allow-list)."),
    ] = None,
    values_env: Annotated[
        Path | None,
        typer.Option("--values-env", help="Env file of values to render Jinja2 manifest templates with."),
    ] = None,
    prod_env: Annotated[
        list[str] | None,
        typer.Option(
            "--prod-env",
            help="[NAME=]FILE: values of prod configuration the files do not show (EB environment "
            "properties, a ConfigMap made by a script), for container or workload NAME, else all. Repeatable.",
        ),
    ] = None,
    helm_values: Annotated[
        list[Path] | None,
        typer.Option(
            "--helm-values",
            help="A values file for `helm template` when --against is a Helm chart (needs helm). Repeatable.",
        ),
    ] = None,
    project: Annotated[
        str | None, typer.Option("--project", help="Compose project of the running dev stack to inspect.")
    ] = None,
    runtime: Annotated[
        bool, typer.Option("--runtime/--no-runtime", help="Inspect what runs (image digests, env keys).")
    ] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report (or the error) as JSON on stdout. Same as --format json.")
    ] = False,
    output: Annotated[
        str | None,
        typer.Option(
            "--format",
            help="table (default on a terminal), lines (default otherwise: one finding per line), json, "
            "or github (workflow annotations).",
        ),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
) -> None:
    """Check the dev stack against production manifests: images, env keys, ports, services."""
    from devenv.cli.parity_report import github_lines, print_report, report_lines
    from devenv.errors import DevenvError, UserError
    from devenv.usecases.parity import ParityOptions, run_parity

    app_ctx: AppContext = ctx.obj
    if output is not None and output not in FORMATS:
        raise UserError(f"--format {output}: not a format", hint=f"use one of: {', '.join(FORMATS)}")
    if as_json:
        output = "json"
    if output is None:
        output = "table" if app_ctx.console.is_terminal else "lines"
    options = ParityOptions(
        dev_file=dev[0] if dev else None,
        dev_overrides=tuple(dev[1:]) if dev else (),
        against=tuple(against or ()),
        parity_config=parity_config,
        values_env=values_env,
        prod_env=tuple(prod_env or ()),
        helm_values=tuple(helm_values or ()),
        project=project,
        inspect_runtime=runtime,
    )
    try:
        report = run_parity(app_ctx, options)
    except DevenvError as exc:
        if output != "json":
            raise
        typer.echo(json.dumps({"error": error_dict(exc)}, indent=2))  # a tool reading stdout gets JSON
        raise typer.Exit(int(exc.exit_code)) from exc
    if output == "json":
        typer.echo(json.dumps(report.to_dict(strict=strict), indent=2))
    elif output == "table":
        print_report(report, app_ctx.console, strict=strict)
    else:
        lines = report_lines if output == "lines" else github_lines
        for line in lines(report, strict=strict):
            typer.echo(line)
    if report.failed(strict=strict):
        raise typer.Exit(int(ExitCode.FAILURE))


def error_dict(exc: DevenvError) -> dict[str, object]:
    """An error as `--json` prints it: message, hint, exit code, and each located problem."""
    from devenv.errors import ProfileError

    problems = [p.as_dict() for p in exc.problems] if isinstance(exc, ProfileError) else []
    return {
        "message": exc.message,
        "hint": exc.hint,
        "exit_code": int(exc.exit_code),
        "exit_name": exc.exit_code.name.lower(),
        "problems": problems,
    }
