"""`devenv watch` (and `devenv up --watch`): the stack up, then code changes synced as they are saved."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from devenv.cli.completion import complete_services

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.usecases.watch import WatchNote


def register(app: typer.Typer) -> None:
    app.command()(watch)


def watch(
    ctx: typer.Context,
    services: Annotated[
        list[str] | None,
        typer.Argument(help="Only these services (and their links).", autocompletion=complete_services),
    ] = None,
    no_up: Annotated[bool, typer.Option("--no-up", help="Watch the running stack; do not bring it up first.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show build output while rebuilding.")] = False,
) -> None:
    """Bring the stack up, then sync code changes into it as you save them (Ctrl-C stops watching)."""
    app_ctx: AppContext = ctx.obj
    if not no_up:
        from devenv.cli.stack import ProgressView, print_up_result
        from devenv.usecases.up import up

        view = ProgressView()
        try:
            result = up(app_ctx, services=services or None, progress=view)
        finally:
            view.close()
        print_up_result(result)
    follow(app_ctx, services, verbose=verbose)


def follow(app_ctx: AppContext, services: list[str] | None, *, verbose: bool = False) -> None:
    """Watch until Ctrl-C, printing one line per event; the stack keeps running afterwards."""
    from devenv.usecases.watch import watch as do_watch

    def report(note: WatchNote) -> None:
        if note.level == "output" and not verbose:
            return
        stamp = time.strftime("%H:%M:%S")
        who = f"{note.service}: " if note.service else ""
        prefix = {"warn": "warning: ", "error": "error: "}.get(note.level, "")
        typer.echo(f"{stamp} {prefix}{who}{note.text}", err=note.level in ("warn", "error"))
        for line in note.details:
            typer.echo(f"  {line}", err=True)

    do_watch(app_ctx, services=services, report=report)
    typer.echo("Stopped watching; the stack keeps running (`devenv down` stops it).")
