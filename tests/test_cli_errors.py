"""The CLI's one error handler: a bug is exit 70 with a one-line report; --debug or DEVENV_DEBUG=1 shows it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devenv.cli.main import build_app, run
from devenv.context import AppContext
from devenv.errors import ExitCode
from devenv.settings import load_settings


def broken_context(tmp_path: Path, **env: str) -> AppContext:
    """A context whose settings are missing: any command that reads them hits an AttributeError, a bug."""
    ctx = AppContext(settings=load_settings(dict(os.environ)), cwd=tmp_path, env={**os.environ, **env})
    ctx.settings = None  # type: ignore[assignment]
    return ctx


def test_a_bug_exits_70_with_one_line_and_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["profile", "lint", "example"], obj=broken_context(tmp_path))
    err = capsys.readouterr().err
    assert code == ExitCode.INTERNAL
    assert int(ExitCode.INTERNAL) == 70  # EX_SOFTWARE: distinct from 1, which means 'lint/parity found problems'
    assert err.startswith("error: internal error: AttributeError: ")
    assert "hint: this is a bug in devenv; run again with --debug" in err
    assert "Traceback" not in err


def test_debug_flag_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(AttributeError):
        run(["--debug", "profile", "lint", "example"], obj=broken_context(tmp_path))


def test_devenv_debug_variable_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(AttributeError):
        run(["profile", "lint", "example"], obj=broken_context(tmp_path, DEVENV_DEBUG="1"))


def test_devenv_debug_variable_is_read_from_the_environment_without_a_context(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from devenv.context import AppContext as Real

    def broken(cls: type[Real], /, **_kw: object) -> Real:
        raise RuntimeError("boom")

    monkeypatch.setattr(Real, "from_environment", classmethod(broken))
    assert run(["profile", "lint", "example"]) == ExitCode.INTERNAL
    assert "error: internal error: RuntimeError: boom" in capsys.readouterr().err
    monkeypatch.setenv("DEVENV_DEBUG", "1")
    with pytest.raises(RuntimeError, match="boom"):
        run(["profile", "lint", "example"])


def test_raise_bugs_lets_a_crash_fail_the_caller(tmp_path: Path) -> None:
    with pytest.raises(AttributeError):
        run(["profile", "lint", "example"], obj=broken_context(tmp_path), raise_bugs=True)


def test_every_command_group_is_registered() -> None:
    app = build_app()
    names = {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}
    names |= {g.name or "" for g in app.registered_groups}
    assert {"up", "down", "status", "doctor", "init", "parity", "profile", "exec", "run"} <= names
