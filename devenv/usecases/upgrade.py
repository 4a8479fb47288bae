"""The command that upgrades this devenv, for a profile whose `requires` this version does not meet.

install.sh leaves a receipt in the data dir (`version=V source=checkout:DIR` or `source=URL#sha256=HEX`);
without one, devenv was installed with pip.
"""

from __future__ import annotations

import sys
from dataclasses import replace

from devenv.context import AppContext
from devenv.errors import ProfileError


def upgrade_command(ctx: AppContext) -> str:
    try:
        receipt = (ctx.settings.paths.data_dir / "receipt").read_text(encoding="utf-8")
    except OSError:
        return f"{sys.executable} -m pip install --upgrade devenv"
    fields = dict(part.split("=", 1) for part in receipt.split() if "=" in part)
    source = fields.get("source", "")
    if source.startswith("checkout:"):
        checkout = source.removeprefix("checkout:")
        return f"git -C {checkout} pull && sh {checkout}/install.sh"
    return "sh install.sh --url NEW-RELEASE-URL --sha256 ITS-SHA256 (the new release's install line)"


def explain_requires(ctx: AppContext, error: ProfileError) -> ProfileError:
    """The same error, with the exact upgrade command as the hint of a `requires` problem."""
    if not any(p.code == "requires" for p in error.problems):
        return error
    command = upgrade_command(ctx)
    problems = [replace(p, hint=f"upgrade devenv: {command}") if p.code == "requires" else p for p in error.problems]
    return ProfileError(problems, hint=error.hint)
