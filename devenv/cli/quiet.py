"""Endings the user chose: declining a question, Ctrl-C on `logs -f`. They are not errors: the exit code
says what happened, and no "run the same command again to carry on" line follows."""

from __future__ import annotations

import typer

from devenv.errors import ExitCode


class QuietExit(Exception):  # not a typer.Exit: click turns those into a bare code, and this kind is lost
    """Exit with this code and nothing more (the command printed what there was to say); caught by
    devenv.cli.main.run, which keeps the "run the same command again" line for real interruptions."""

    def __init__(self, exit_code: int) -> None:
        super().__init__(exit_code)
        self.exit_code = exit_code


def declined(what: str) -> QuietExit:
    """A confirmation answered no: say so on stderr; exit 1 (nothing done), not 2 (not a mistake)."""
    typer.echo(what, err=True)
    return QuietExit(ExitCode.FAILURE)
