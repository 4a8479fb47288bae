"""`devenv --help` must stay cheap: no docker, yaml or questionary at start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.common import REPO_ROOT

PROBE = """
import json, sys
from devenv.cli.main import run
try:
    run(sys.argv[1:])
except SystemExit:
    pass
heavy = [m for m in ("docker", "yaml", "questionary", "requests", "jinja2") if m in sys.modules]
print(json.dumps(heavy), file=sys.stderr)
"""


def heavy_modules(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, cwd=REPO_ROOT, check=False
    )
    last = done.stderr.strip().splitlines()[-1]
    result: list[str] = json.loads(last)
    return result


def test_help_imports_no_heavy_module() -> None:
    assert heavy_modules("--help") == []


def test_group_help_and_version_import_no_heavy_module() -> None:
    assert heavy_modules("profile", "--help") == []
    assert heavy_modules("--version") == []


def test_probe_can_see_a_heavy_import(tmp_path: Path) -> None:
    # the probe itself must be able to fail: `profile lint` really parses YAML
    (tmp_path / "p.yaml").write_text("name: p\nversion: 1.0.0\nservices: {a: {image: x}}\n")
    assert "yaml" in heavy_modules("profile", "lint", str(tmp_path / "p.yaml"))


def test_python_dash_m_and_console_script_agree() -> None:
    a = subprocess.run([sys.executable, "-m", "devenv", "--version"], capture_output=True, text=True, check=True)
    assert a.stdout.startswith("devenv ")
