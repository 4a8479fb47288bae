"""The daily commands: up, down, status, logs, exec, run, reset."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from devenv.cli.approval import TrustOption
from devenv.cli.completion import complete_profiles, complete_services
from devenv.cli.json_output import JsonOption
from devenv.errors import ExitCode

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.domain.stack.health import ServiceStatus
    from devenv.usecases.up import UpResult

SetOption = Annotated[list[str] | None, typer.Option("--set", "-s", help="Answer a variable: NAME=VALUE (repeatable).")]
YesOption = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
TimeoutOption = Annotated[float, typer.Option(help="Seconds to wait for services to become healthy.")]


def register(app: typer.Typer) -> None:
    app.command()(up)
    app.command()(down)
    app.command()(status)
    app.command()(logs)
    app.command(name="exec", context_settings={"allow_interspersed_args": False})(exec_)
    app.command(name="run", context_settings={"allow_interspersed_args": False})(run)
    app.command()(reset)


def up(
    ctx: typer.Context,
    services: Annotated[
        list[str] | None,
        typer.Argument(help="Only these services (and their links).", autocompletion=complete_services),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", help="Profile name or file.", autocompletion=complete_profiles)
    ] = None,
    sets: SetOption = None,
    build: Annotated[bool, typer.Option("--build", help="Rebuild images even if unchanged.")] = False,
    no_seed: Annotated[bool, typer.Option("--no-seed", help="Skip the seed tasks.")] = False,
    repo_dir: Annotated[Path | None, typer.Option(help="Where the platform checkout is.")] = None,
    timeout: TimeoutOption = 300.0,
    trust_host_access: TrustOption = False,
    recreate_volumes: Annotated[
        bool,
        typer.Option(
            "--recreate-volumes",
            help="Delete and re-create volumes whose configuration changed (their data is lost).",
        ),
    ] = False,
    as_json: JsonOption = False,
    frozen: Annotated[
        bool, typer.Option("--frozen", help="Fail if anything would change the profile lock (for CI).")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Print the whole build log instead of each image's step.")
    ] = False,
    watch: Annotated[
        bool, typer.Option("--watch", help="Then sync code changes as you save them (Ctrl-C stops watching).")
    ] = False,
) -> None:
    """Bring the stack up: converge, wait until healthy, seed once, print the URLs."""
    from devenv.cli.approval import set_up_approval
    from devenv.cli.questions import ask_new
    from devenv.usecases.sets import parse_sets
    from devenv.usecases.up import up as do_up

    app_ctx: AppContext = ctx.obj
    if as_json and watch:
        from devenv.errors import UserError

        raise UserError("--json and --watch do not go together", hint="run `devenv up --json`, then `devenv watch`")
    set_up_approval(app_ctx, trust_host_access)
    view = ProgressView()
    try:
        result = do_up(
            app_ctx,
            profile_ref=profile,
            sets=parse_sets(sets or []),
            services=services or None,
            build=build,
            seed=not no_seed,
            timeout=timeout,
            progress=view,
            repo_dir=repo_dir,
            recreate_volumes=recreate_volumes,
            ask=ask_new,
            frozen=frozen,
            build_log=view.log if verbose else None,
        )
    finally:
        view.close()
    if as_json:
        from devenv.cli.json_output import echo_up

        return echo_up(app_ctx, "up", result)
    print_up_result(result)
    if watch:
        from devenv.cli.watch import follow

        follow(app_ctx, services)


def print_up_result(result: UpResult) -> None:
    for note in result.notes:
        typer.echo(f"note: {note}", err=True)
    _print_table(result.statuses)
    if not result.changed:
        typer.echo("Up to date: nothing changed.")
    else:
        extra = []
        if result.built:
            extra.append(f"built {', '.join(result.built)}")
        if result.seeded:
            extra.append("seeded")
        suffix = f" ({'; '.join(extra)})" if extra else ""
        typer.echo(f"Stack is up in {result.seconds:.1f}s{suffix}.")
    for warning in result.warnings:
        typer.echo(f"warning: {warning}", err=True)


class ProgressView:
    """Per-service progress: a live table on a terminal, one line per change otherwise (CI logs)."""

    def __init__(self) -> None:
        self.live: Any = None
        self.seen: dict[str, str] = {}
        self.terminal = sys.stderr.isatty()

    def __call__(self, phase: str, statuses: dict[str, ServiceStatus]) -> None:
        if self.terminal:
            self._live(phase, statuses)
            return
        if self.seen.get("") != phase:
            self.seen[""] = phase
            typer.echo(f"{phase}...", err=True)
        for name, st in statuses.items():
            shown = st.shown_state
            if self.seen.get(name) != shown and st.state != "missing":
                self.seen[name] = shown
                typer.echo(f"  {name}: {shown}", err=True)

    def _live(self, phase: str, statuses: dict[str, ServiceStatus]) -> None:
        from rich.console import Console, Group
        from rich.live import Live
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, show_header=False, pad_edge=False)
        colours = {"healthy": "green", "running": "green", "starting": "yellow", "created": "yellow"}
        for name, st in statuses.items():
            shown = "waiting" if st.state == "missing" else st.shown_state
            table.add_row(f"  {name}", Text(shown, style=colours.get(shown, "red" if st.failure else "dim")))
        view = Group(Text(f"{phase}..."), table)
        if self.live is None:
            self.live = Live(view, console=Console(stderr=True), refresh_per_second=8, transient=False)
            self.live.start()
        else:
            self.live.update(view)

    def log(self, line: str) -> None:
        """A line of output (the build log with --verbose), printed above a live table."""
        if self.live is not None:
            self.live.console.print(line, markup=False, highlight=False, soft_wrap=True)
        else:
            typer.echo(line, err=True)

    def close(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None


def _print_table(statuses: dict[str, ServiceStatus], *, now: float | None = None) -> None:
    rows = []
    for name, st in statuses.items():
        age = st.shown_uptime(now) if now else "-"
        rows.append([name, st.shown_state, ", ".join(st.urls()) or "-", st.image or "-", age])
    headers = ["SERVICE", "STATE", "URLS", "IMAGE", "UP"] if now else ["SERVICE", "STATE", "URLS", "IMAGE"]
    rows = [r if now else r[:4] for r in rows]
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows, strict=False)]
    for row in [headers, *rows]:
        typer.echo("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=False)).rstrip())


def down(
    ctx: typer.Context,
    volumes: Annotated[bool, typer.Option("--volumes", "-v", help="Also delete the stack's data volumes.")] = False,
    yes: YesOption = False,
    as_json: JsonOption = False,
    images: Annotated[bool, typer.Option("--images", help="Also delete the images this stack built.")] = False,
) -> None:
    """Stop and remove the stack's containers and network (volumes only with --volumes)."""
    from devenv.usecases.stack import down as do_down

    do_down(ctx.obj, volumes=volumes, confirm=_confirmer(ctx.obj, yes, declined="nothing removed"), images=images)
    if as_json:
        from devenv.cli.json_output import echo_down

        return echo_down(ctx.obj, volumes=volumes)
    typer.echo("Stack removed" + (" with its volumes." if volumes else "; volumes kept."))
    if images:
        typer.echo("Its built images were deleted; the next `devenv up` builds them again.")


def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show each service's state, health, URLs, image and uptime. Exits 4 when a service is not healthy."""
    import json

    from devenv.usecases.running import not_up_warning
    from devenv.usecases.stack import status as do_status

    report = do_status(ctx.obj)
    if as_json:
        payload = {
            "workspace": report.workspace,
            "project": report.project,
            "profile": report.profile,
            "healthy": report.healthy,
            "needs_up": report.needs_up,
            "drifted": report.drifted,
            "parity": report.parity,
            "remote": report.remote,
            "services": {
                name: {
                    "state": st.state,
                    "health": st.health,
                    "exit_code": st.exit_code,
                    "urls": st.urls(),
                    "image": st.image,
                    "container": st.container,
                    "uptime_seconds": int(report.now - st.created) if st.created else None,
                }
                for name, st in report.statuses.items()
            },
        }
        typer.echo(json.dumps(payload, indent=2))
        if not report.healthy:
            raise typer.Exit(ExitCode.STACK_FAILURE)
        return
    typer.echo(f"workspace {report.workspace}  profile {report.profile}  project {report.project}")
    _print_table(report.statuses, now=report.now)
    if report.parity:
        typer.echo(report.parity)
    if report.remote:
        typer.echo(report.remote)
    if report.profile_changed:
        typer.echo("warning: the profile or its answers changed since the last up; run `devenv up`", err=True)
    elif report.drifted:
        typer.echo(f"warning: {', '.join(report.drifted)} no longer match the profile; run `devenv up`", err=True)
    elif not_up := not_up_warning(report):
        typer.echo(f"warning: {not_up}", err=True)
    if not report.healthy:
        raise typer.Exit(ExitCode.STACK_FAILURE)


def logs(
    ctx: typer.Context,
    services: Annotated[
        list[str] | None, typer.Argument(help="Services (default: all).", autocompletion=complete_services)
    ] = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="Keep following new output.")] = False,
    tail: Annotated[int | None, typer.Option("--tail", "-n", help="Only the last N lines of each.")] = None,
) -> None:
    """Show the services' logs."""
    from devenv.cli.quiet import QuietExit
    from devenv.errors import Terminated
    from devenv.usecases.stack import logs as do_logs

    try:
        code = do_logs(ctx.obj, services or [], follow=follow, tail=tail)
    except KeyboardInterrupt as exc:
        if isinstance(exc, Terminated) or not follow:
            raise
        code = ExitCode.INTERRUPTED
    if follow and code == ExitCode.INTERRUPTED:  # Ctrl-C is how a follow ends: nothing to carry on
        raise QuietExit(code)
    raise typer.Exit(code)


def exec_(
    ctx: typer.Context,
    service: Annotated[str, typer.Argument(help="A running service.", autocompletion=complete_services)],
    command: Annotated[list[str], typer.Argument(help="The command and its arguments.")],
) -> None:
    """Run a command in a service's running container; exits with the command's exit code."""
    from devenv.usecases.stack import exec_in

    raise typer.Exit(exec_in(ctx.obj, service, command, tty=sys.stdin.isatty() and sys.stdout.isatty()))


def run(
    ctx: typer.Context,
    service: Annotated[
        str, typer.Argument(help="The service whose container to use.", autocompletion=complete_services)
    ],
    command: Annotated[list[str], typer.Argument(help="The command and its arguments.")],
) -> None:
    """Run a command in a fresh one-off container of a service (links started first); removed after."""
    from devenv.usecases.stack import run_once

    raise typer.Exit(run_once(ctx.obj, service, command, tty=sys.stdin.isatty() and sys.stdout.isatty()))


def reset(
    ctx: typer.Context,
    yes: YesOption = False,
    timeout: TimeoutOption = 300.0,
    as_json: JsonOption = False,
    reseed: Annotated[
        bool, typer.Option("--reseed", help="Delete the data and run the seed again (refreshes the snapshot).")
    ] = False,
) -> None:
    """Back to freshly seeded data: restore the 'seeded' snapshot, or delete the volumes and seed again."""
    from devenv.usecases.stack import reset as do_reset

    view = ProgressView()
    try:
        result = do_reset(
            ctx.obj,
            confirm=_confirmer(ctx.obj, yes, declined="nothing reset"),
            progress=view,
            timeout=timeout,
            reseed=reseed,
        )
    finally:
        view.close()
    if as_json:
        from devenv.cli.json_output import echo_up

        return echo_up(ctx.obj, "reset", result)
    print_up_result(result)


def _confirmer(app_ctx: AppContext, yes: bool, *, declined: str | None = None) -> Callable[[str], bool]:
    from devenv.cli.confirm import confirmer

    return confirmer(app_ctx, yes=yes, declined=declined)


__all__ = ["ExitCode", "register"]
