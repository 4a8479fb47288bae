"""The one confirmation policy for the CLI: `--yes` answers yes; on a terminal, ask; without a terminal,
stop (exit 2) naming `--yes`, never a silent "no" or a silent "yes".

Questions `--yes` does not answer by design (the docker group, Homebrew's own installer; host access has
its own flag, --trust-host-access) are the use cases' to treat as declined when NoTerminal is raised.
"""

from __future__ import annotations

from collections.abc import Callable

import typer

from devenv.context import AppContext
from devenv.errors import NoTerminal


def confirmer(
    app: AppContext,
    *,
    yes: bool = False,
    ask: Callable[[str], bool] | None = None,
    declined: str | None = None,
) -> Callable[[str], bool]:
    """`ask` puts the question on the terminal (default: typer's y/N prompt). `declined`: what a "no"
    means ("nothing reset"): said on stderr, and the command ends there with exit 1, not as an error."""

    def confirm(question: str) -> bool:
        if yes:
            return True
        if not app.interactive:
            raise NoTerminal(f"{question} needs confirmation, and there is no terminal to ask", hint="pass --yes")
        answer = ask(question) if ask is not None else bool(typer.confirm(question, default=False))
        if not answer and declined is not None:
            from devenv.cli.quiet import declined as end

            raise end(declined)
        return answer

    return confirm
