"""Strict, isolated tests: every platformdirs path in a temp dir, no colour, no user config."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.cli.main import run
from devenv.context import AppContext
from devenv.settings import load_settings
from tests.helpers.common import Result, have_engine

# No automatic `seeded` snapshot (it would leave engine volumes behind each test stack, and turn a `reset`
# that a test expects to re-seed into a restore). Set for the whole session, not only in `isolated`, so
# stacks that module-scoped fixtures bring up get it too; tests/stack/test_snapshots.py turns it on.
os.environ["DEVENV_AUTO_SNAPSHOT"] = "0"


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    for var in ("CONFIG", "CACHE", "DATA"):
        monkeypatch.setenv(f"DEVENV_{var}_DIR", str(home / var.lower()))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.setenv("COLUMNS", "200")
    # no automatic `seeded` snapshot (it would leave engine volumes behind each test stack): the snapshot
    # tests (tests/stack/test_snapshots.py) turn it on and clean up what it made
    monkeypatch.setenv("DEVENV_AUTO_SNAPSHOT", "0")
    for var in list(os.environ):
        if var.startswith("DEVENV_VAR_") or var in {
            "DEVENV_WORKSPACE",
            "DEVENV_PROFILE",
            "DEVENV_PROFILE_SOURCES",
        }:
            monkeypatch.delenv(var)
    return home


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Callable[..., Result]:
    """Run devenv in-process through its one error handler, as `main` does, from `cwd` (default tmp_path).

    A DevenvError goes through the real handler (message, hint, exit code); any other exception is a bug
    and propagates, so a crash fails the test instead of passing as an exit code.
    """

    def invoke(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
        environ = {**os.environ, **(env or {})}
        ctx = AppContext(settings=load_settings(environ), cwd=cwd or tmp_path, env=environ, interactive=False)
        capsys.readouterr()
        code = run(list(args), obj=ctx, raise_bugs=True)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Integration tests need a real engine. In CI (CI=true) a missing engine is a failure, not a skip."""
    if os.environ.get("CI") == "true" or not any(i.get_closest_marker("integration") for i in items):
        return
    if not have_engine():
        skip = pytest.mark.skip(reason="no Docker engine answers (scripts/engine.sh start provides one)")
        for item in items:
            if item.get_closest_marker("integration"):
                item.add_marker(skip)
