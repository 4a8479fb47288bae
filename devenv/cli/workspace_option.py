"""`-w/--workspace DIR` after the command as well as before it: `devenv status -w DIR` works as typed.

The root callback takes the option before the command (and DEVENV_WORKSPACE); this group gives every
command that works on a workspace the same option, so a hint naming it is right wherever it is typed.
The root callback has built the context by the time a command's options are parsed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup, TyperOption

from devenv.cli.completion import WORKSPACE_META

# commands that do not work on one workspace
NOT_A_WORKSPACE_COMMAND = frozenset({"ls"})  # `ls`: every workspace on this machine


class WorkspaceGroup(TyperGroup):
    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        for name, command in self.commands.items():
            if isinstance(command, TyperGroup) or name in NOT_A_WORKSPACE_COMMAND:
                continue
            if not any("--workspace" in getattr(p, "opts", ()) for p in command.params):
                command.params.append(workspace_option())


def workspace_option() -> TyperOption:
    return TyperOption(
        param_decls=["--workspace", "-w"],
        metavar="PATH",
        expose_value=False,
        callback=_use_workspace,
        help="Workspace folder (also before the command, or DEVENV_WORKSPACE).",
    )


def _use_workspace(ctx: typer.Context, _param: Any, value: str | None) -> None:
    if value is None:
        return
    ctx.meta[WORKSPACE_META] = value  # a completion runs before the context exists: it reads this
    if ctx.obj is not None:
        ctx.obj.workspace_override = Path(value)
