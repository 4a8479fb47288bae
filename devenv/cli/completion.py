"""Shell completion (typer's `--install-completion`): service names where a SERVICE is expected, profile
names for `--profile`, instead of file names.

A completion runs before the root callback builds the context, so it builds its own from the environment
and the `-w/--workspace` typed so far; it never prints an error (a shell would show it as a candidate).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from devenv.context import AppContext

WORKSPACE_META = "devenv.workspace"  # where the -w after a command leaves its value (cli/workspace_option.py)


def complete_services(ctx: typer.Context, incomplete: str) -> list[str]:
    """Service names of the workspace's stack not typed already (typer hands no `args`: the parsed
    SERVICE... arguments are in the command's params)."""
    from devenv.errors import DevenvError
    from devenv.usecases.completion import service_names

    try:
        names = service_names(_context(ctx))
    except (DevenvError, OSError, ValueError):
        return []
    typed = set(ctx.params.get("services") or ())
    return [n for n in names if n.startswith(incomplete) and n not in typed]


def complete_profiles(ctx: typer.Context, incomplete: str) -> list[str]:
    from devenv.errors import DevenvError
    from devenv.usecases.completion import profile_names

    try:
        names = profile_names(_context(ctx))
    except (DevenvError, OSError, ValueError):
        return []
    return [n for n in names if n.startswith(incomplete)]


def _context(ctx: typer.Context) -> AppContext:
    from devenv.context import AppContext

    if isinstance(ctx.obj, AppContext):
        return ctx.obj
    workspace = ctx.meta.get(WORKSPACE_META) or ctx.find_root().params.get("workspace")
    return AppContext.from_environment(workspace=Path(workspace) if workspace else None)
