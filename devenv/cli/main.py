"""Root of the CLI: builds the context, registers command groups, and is the one place errors are caught.

Command modules import only typer and light modules at top level; heavy imports (docker, yaml,
questionary) happen inside command bodies so `devenv --help` stays fast.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from devenv import __version__
from devenv.cli import doctor, init, parity, profile, stack
from devenv.context import AppContext
from devenv.errors import DevenvError, ExitCode

HELP = "From a bare laptop to a running, seeded, healthy copy of your platform in one command."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"devenv {__version__}")
        raise typer.Exit()


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="devenv",
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        # plain help: typer's rich help imports rich.markdown and friends, about 90 ms of a 300 ms budget
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def root(
        ctx: typer.Context,
        version: Annotated[
            bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
        ] = False,
        debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks and the commands run.")] = False,
        workspace: Annotated[
            Path | None,
            typer.Option("--workspace", "-w", envvar="DEVENV_WORKSPACE", help="Workspace folder."),
        ] = None,
    ) -> None:
        if isinstance(ctx.obj, AppContext):  # tests hand in a ready context
            ctx.obj.debug = ctx.obj.debug or debug
            if workspace is not None:
                ctx.obj.workspace_override = workspace
            return
        ctx.obj = AppContext.from_environment(debug=debug, workspace=workspace)

    app.add_typer(profile.app, name="profile")
    for register in _command_modules():
        register(app)
    return app


def _command_modules() -> list[Callable[[typer.Typer], None]]:
    """Each command group module exposes `register(app)`; imported by name, so a missing one fails loudly."""
    return [stack.register, doctor.register, init.register, parity.register]


def _debug_requested(args: list[str], obj: AppContext | None) -> bool:
    """`--debug`, a context that asks for it, or DEVENV_DEBUG=1 (read from the context's environment)."""
    env = obj.env if obj is not None else os.environ
    return "--debug" in args or (obj is not None and obj.debug) or env.get("DEVENV_DEBUG") == "1"


def run(argv: list[str] | None = None, obj: AppContext | None = None, *, raise_bugs: bool = False) -> int:
    """Run the CLI and return its exit code; every DevenvError becomes a message, a hint and a code.

    Any other exception is a bug: exit 70 with a one-line report, or the traceback with --debug. Tests
    pass `raise_bugs` so that a crash fails the test instead of passing as an exit code.
    """
    args = sys.argv[1:] if argv is None else argv
    debug = _debug_requested(args, obj)
    app = build_app()
    try:
        result = app(args=args, prog_name="devenv", standalone_mode=False, obj=obj)
    except DevenvError as exc:
        if debug:
            raise
        report_error(exc)
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        result = int(ExitCode.INTERRUPTED)
    except typer.Exit as exc:
        result = exc.exit_code
    except typer.TyperException as exc:  # usage errors: unknown option, missing argument
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"error: {exc.format_message()}", file=sys.stderr)
        return int(ExitCode.USER_ERROR)
    except Exception as exc:
        if debug or raise_bugs:
            raise
        print(f"error: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("hint: this is a bug in devenv; run again with --debug and report the traceback", file=sys.stderr)
        return int(ExitCode.INTERNAL)
    code = int(result) if isinstance(result, int) else int(ExitCode.OK)
    if code == ExitCode.INTERRUPTED:  # typer turns Ctrl-C into a silent Exit(130): say what to do
        print("\ninterrupted; run the same command again to carry on", file=sys.stderr)
    return code


def report_error(exc: DevenvError) -> None:
    print(f"error: {exc.message}", file=sys.stderr)
    if len(exc.details) > 1:
        for line in exc.details:
            print(f"  {line}", file=sys.stderr)
    if exc.hint:
        print(f"hint: {exc.hint}", file=sys.stderr)


def main() -> None:
    sys.exit(run())
