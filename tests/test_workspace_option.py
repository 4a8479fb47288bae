"""`-w/--workspace` works after the command too, on every command that works on a workspace."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import typer

from devenv.cli.main import build_app
from devenv.cli.workspace_option import NOT_A_WORKSPACE_COMMAND
from tests.helpers.common import Result


def test_every_workspace_command_takes_the_option_after_its_name() -> None:
    group = typer.main.get_command(build_app())
    assert isinstance(group, typer.core.TyperGroup)
    commands = {n: c for n, c in group.commands.items() if not isinstance(c, typer.core.TyperGroup)}
    assert {"up", "down", "status", "logs", "exec", "run", "reset", "init", "doctor", "parity"} <= set(commands)
    for name, command in commands.items():
        opts = [o for p in command.params for o in getattr(p, "opts", [])]
        assert ("--workspace" in opts and "-w" in opts) != (name in NOT_A_WORKSPACE_COMMAND), name


def test_after_the_command_it_names_the_workspace_as_before_it(cli: Callable[..., Result], tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for args in (["status", "-w", str(elsewhere)], ["--workspace", str(elsewhere), "status"]):
        done = cli(*args, "--json")
        assert done.code == 2, done.err
        assert f"error: {elsewhere} is not a devenv workspace" in done.err, done.err
    done = cli("logs", "--workspace", str(elsewhere), "web")
    assert done.code == 2 and f"{elsewhere} is not a devenv workspace" in done.err
    done = cli("exec", "-w", str(elsewhere), "web", "true")
    assert done.code == 2 and f"{elsewhere} is not a devenv workspace" in done.err
