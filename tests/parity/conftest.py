"""Parity tests run isolated even on their own: no colour, wide output, devenv's dirs in a temp dir.

(tests/conftest.py does the same for the whole suite; this keeps tests/parity self-sufficient.)
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def parity_isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    home: Path = tmp_path_factory.mktemp("parity-home")
    for var in ("CONFIG", "CACHE", "DATA"):
        monkeypatch.setenv(f"DEVENV_{var}_DIR", str(home / var.lower()))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "200")  # tables wrap at the console width; keep values on one line
    monkeypatch.delenv("DEVENV_WORKSPACE", raising=False)
