"""A non-editable install carries every package and the shipped profiles (install.sh installs that way)."""

from __future__ import annotations

import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

from tests.helpers.common import REPO_ROOT


def test_every_package_folder_is_listed() -> None:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO_ROOT).parts) for p in (REPO_ROOT / "devenv").rglob("__init__.py")}
    assert found <= listed, f"add to pyproject [tool.setuptools] packages: {sorted(found - listed)}"


def test_wheel_contains_the_shipped_profiles(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(REPO_ROOT),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    [wheel] = tmp_path.glob("devenv-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "devenv/profiles/example.yaml" in names
    assert "devenv/profiles/example/db/Dockerfile" in names
    assert "devenv/profiles/example/app/app/web.py" in names
    assert "devenv/cli/main.py" in names
