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
from devenv.cli import doctor, housekeeping, init, parity, profile, snapshot, source, stack, sync, update, watch
from devenv.cli.quiet import QuietExit
from devenv.cli.workspace_option import WorkspaceGroup
from devenv.context import AppContext
from devenv.errors import DevenvError, ExitCode, Terminated

HELP = "From a bare laptop to a running, seeded, healthy copy of your platform in one command."


def _version(value: bool) -> None:
    if value:
        typer.echo(f"devenv {__version__}")
        raise typer.Exit()


def build_app(made: list[AppContext] | None = None) -> typer.Typer:
    """The typer app; the context its root callback builds is appended to `made` (the error handler's)."""
    app = typer.Typer(
        name="devenv",
        cls=WorkspaceGroup,  # -w/--workspace after the command too
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
        context: Annotated[
            str | None,
            typer.Option("--context", help="Docker context to use, as `docker --context` (wins over DOCKER_HOST)."),
        ] = None,
    ) -> None:
        if isinstance(ctx.obj, AppContext):  # tests hand in a ready context
            ctx.obj.debug = ctx.obj.debug or debug
            if workspace is not None:
                ctx.obj.workspace_override = workspace
            if context is not None:
                ctx.obj.use_docker_context(context)
            return
        ctx.obj = AppContext.from_environment(debug=debug, workspace=workspace)
        if context is not None:
            ctx.obj.use_docker_context(context)
        if made is not None:
            made.append(ctx.obj)

    app.add_typer(profile.app, name="profile")
    app.add_typer(snapshot.app, name="snapshot")
    for register in _command_modules():
        register(app)
    return app


def _command_modules() -> list[Callable[[typer.Typer], None]]:
    """Each command group module exposes `register(app)`; imported by name, so a missing one fails loudly."""
    return [
        stack.register,
        doctor.register,
        init.register,
        parity.register,
        source.register,
        update.register,
        housekeeping.register,
        watch.register,
        sync.register,
    ]


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
    made: list[AppContext] = [obj] if obj is not None else []
    app = build_app(made)
    signals: list[int] = []
    quiet = False  # an ending the user chose (cli/quiet.py): no "run the same command again"
    restore = _on_sigterm(signals)
    try:
        result = app(args=args, prog_name="devenv", standalone_mode=False, obj=obj)
    except DevenvError as exc:
        if debug:
            raise
        report_error(exc, _secrets(made[-1] if made else None))
        return int(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        result = int(ExitCode.INTERRUPTED)
    except typer.Exit as exc:
        result = exc.exit_code
    except QuietExit as exc:
        result, quiet = exc.exit_code, True
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
        print(_redacted(f"error: internal error: {type(exc).__name__}: {exc}", made), file=sys.stderr)
        print("hint: this is a bug in devenv; run again with --debug and report the traceback", file=sys.stderr)
        return int(ExitCode.INTERNAL)
    finally:
        restore()
    code = int(result) if isinstance(result, int) else int(ExitCode.OK)
    if signals:  # SIGTERM took the Ctrl-C path (clean-ups ran); its exit code says which signal it was
        code = int(ExitCode.TERMINATED)
    if code in (ExitCode.INTERRUPTED, ExitCode.TERMINATED) and not quiet:  # say what to do, whatever typer made of it
        print("\ninterrupted; run the same command again to carry on", file=sys.stderr)
    return code


def _on_sigterm(received: list[int]) -> Callable[[], None]:
    """Handle SIGTERM like Ctrl-C: raise where the program is, so clean-ups run (children stopped, terminal
    restored); returns what puts the previous handler back. Only the main thread can set handlers."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def handler(signum: int, _frame: object) -> None:
        if not received:
            received.append(signum)
            raise Terminated()

    previous = signal.signal(signal.SIGTERM, handler)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore


def _secrets(obj: AppContext | None) -> set[str]:
    """Every secret value this command may have seen: those it read, and the workspace's .env."""
    if obj is None:
        return set()
    found = set(obj.secrets)
    try:
        from devenv.usecases.workspace import locate

        found.update(locate(obj).read_secrets().values())
    except (DevenvError, OSError):
        pass
    return found


def _redacted(text: str, made: list[AppContext]) -> str:
    from devenv.redact import redact

    return redact(text, _secrets(made[-1] if made else None))


def report_error(exc: DevenvError, secrets: set[str] | None = None) -> None:
    """The one place errors are printed; secret values never are (see devenv/redact.py)."""
    from devenv.redact import redact

    hide = secrets or set()
    print(redact(f"error: {exc.message}", hide), file=sys.stderr)
    if len(exc.details) > 1:
        for line in exc.details:
            print(redact(f"  {line}", hide), file=sys.stderr)
    if exc.hint:
        print(redact(f"hint: {exc.hint}", hide), file=sys.stderr)


def main() -> None:
    sys.exit(run())
