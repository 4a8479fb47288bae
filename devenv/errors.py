"""One error base class and the named exit codes scripts rely on.

The core raises these; only the CLI's single handler (devenv.cli.main) prints them and exits.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1  # a command ran and reported a negative result (lint findings, parity errors)
    USER_ERROR = 2  # bad profile, bad flag, bad answer
    ENVIRONMENT = 3  # no engine, no compose, no git, unsupported platform
    STACK_FAILURE = 4  # a service crashed or never became healthy
    INTERNAL = 70  # a bug in devenv (EX_SOFTWARE): an exception nobody meant to show a user
    INTERRUPTED = 130  # Ctrl-C (SIGINT): 128 + 2, as shells report it
    TERMINATED = 143  # SIGTERM (`kill`, a CI timeout, a closing IDE): 128 + 15, handled like Ctrl-C


class DevenvError(Exception):
    """Base of every error devenv means to show a user: one message, an optional hint, an exit code."""

    exit_code: ExitCode = ExitCode.USER_ERROR

    def __init__(self, message: str, *, hint: str | None = None, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.details = details or []


class UserError(DevenvError):
    exit_code = ExitCode.USER_ERROR


class NoTerminal(UserError):
    """A confirmation is needed and there is no terminal to ask: the message names the flag that answers."""


class EnvironmentProblem(DevenvError):
    exit_code = ExitCode.ENVIRONMENT


class StackFailure(DevenvError):
    exit_code = ExitCode.STACK_FAILURE


class Interrupted(DevenvError):
    exit_code = ExitCode.INTERRUPTED

    @classmethod
    def by(cls, cause: KeyboardInterrupt, message: str, *, hint: str) -> Interrupted:
        """The error for an interrupted step: Ctrl-C exits 130, SIGTERM 143 (same clean-up, its own code)."""
        error = cls(message, hint=hint)
        if isinstance(cause, Terminated):
            error.exit_code = ExitCode.TERMINATED
        return error


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised where the program was, so every `finally` and Ctrl-C clean-up runs for it too."""


@dataclass(frozen=True, order=True)
class Location:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a profile (or answers, or a manifest), pinned to where it was written."""

    message: str
    location: Location | None = None
    path: str = ""  # dotted path inside the document, e.g. services.web.links[0]
    hint: str | None = None
    code: str = "invalid"

    def render(self) -> str:
        where = f"{self.location}: " if self.location else ""
        what = f"{self.path}: " if self.path else ""
        tail = f" ({self.hint})" if self.hint else ""
        return f"{where}{what}{self.message}{tail}"

    def as_dict(self) -> dict[str, object]:
        loc = self.location
        return {
            "file": loc.file if loc else None,
            "line": loc.line if loc else None,
            "column": loc.column if loc else None,
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class ProfileError(DevenvError):
    """A profile that cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem], *, hint: str | None = None) -> None:
        self.problems = sorted(problems, key=_problem_order)
        first = self.problems[0].render() if self.problems else "invalid profile"
        more = len(self.problems) - 1
        message = first if more == 0 else f"{first} (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message, hint=hint, details=[p.render() for p in self.problems])


def _problem_order(problem: Problem) -> tuple[str, int, int, str]:
    loc = problem.location
    if loc is None:
        return ("", 0, 0, problem.message)
    return (loc.file, loc.line, loc.column, problem.message)
