"""`devenv doctor [--fix] [--dry-run] [--yes] [--json] [--port N]`: check this machine, offer the fixes."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from devenv.errors import ExitCode

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.usecases.doctor import DoctorReport

STYLE = {"ok": "green", "warn": "yellow", "fail": "red"}


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    ctx: typer.Context,
    fix: Annotated[bool, typer.Option("--fix", help="Offer to run the fixes (shown first, asked once).")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the fix plan; run nothing.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Run the fix plan without asking.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
    ports: Annotated[
        list[int] | None,
        typer.Option("--port", help="A host port that must be free (default: the workspace profile's ports)."),
    ] = None,
    docker_repo: Annotated[
        bool, typer.Option("--docker-repo", help="Linux: install from Docker's repository, not the distro's.")
    ] = False,
    desktop: Annotated[
        bool, typer.Option("--desktop", help="macOS: install Docker Desktop instead of colima.")
    ] = False,
) -> None:
    """Check OS, Docker CLI, engine, compose v2, git, disk, memory, access and ports; --fix repairs them."""
    from devenv.usecases.doctor import apply_fixes, default_options, run_doctor, workspace_ports

    app: AppContext = ctx.obj
    ports = ports or workspace_ports(app)
    options = default_options(app, docker_repo=docker_repo, desktop=desktop)
    report = run_doctor(app, ports=ports or [], options=options)
    if as_json and not (fix or dry_run):
        typer.echo(json.dumps(report.as_dict(), indent=2))
        _exit(report)
    _print_report(app, report)
    if fix or dry_run:
        report = apply_fixes(
            app,
            report,
            out=typer.echo,
            confirm=_confirm(app),
            dry_run=dry_run,
            assume_yes=yes,
            output=_passthrough,
            ports=ports or [],
        )
        if not dry_run:
            _print_report(app, report)
    elif any(r.fix is not None and r.status != "ok" for r in report.results):
        typer.echo("run `devenv doctor --fix` to apply the fixes (or --dry-run to see the exact commands)")
    _exit(report)


def _print_report(app: AppContext, report: DoctorReport) -> None:
    from rich.table import Table

    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("check")
    table.add_column("status")
    table.add_column("detail", overflow="fold")
    for r in report.results:
        table.add_row(r.title, f"[{STYLE[r.status]}]{r.status}[/]", r.detail)
    app.console.print(table)
    as_root = report.facts.platform.is_root
    for r in report.results:
        if r.status == "ok":
            continue
        if r.fix is not None and r.fix.steps:
            commands = "; ".join(s.display(as_root=as_root) for s in r.fix.steps)
            app.console.print(f"{r.title}: fix: {commands}", markup=False)
        elif r.fix is not None and r.fix.blocked:
            app.console.print(f"{r.title}: {r.fix.blocked}; {r.fix.hint or ''}".rstrip("; "), markup=False)
        if r.hint:
            app.console.print(f"{r.title}: hint: {r.hint}", markup=False)


def _confirm(app: AppContext) -> Callable[[str], bool]:
    from devenv.cli.confirm import confirmer

    return confirmer(app)  # --yes is the plan runner's assume_yes: some questions it must not answer


def _passthrough(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _exit(report: DoctorReport) -> None:
    raise typer.Exit(ExitCode.OK if report.ok else ExitCode.ENVIRONMENT)
