"""Helpers for the init tests: a bare platform repo, profiles, teardown."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.helpers.common import REPO_ROOT, write_yaml
from tests.helpers.gitrepos import git_env, make_remote
from tests.helpers.stack import busybox_profile

PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python") if (REPO_ROOT / ".venv/bin/python").exists() else sys.executable


def bare_repo(tmp: Path, name: str = "platform") -> str:
    """A bare repository with one commit on main (a README); returns its file:// URL."""
    return f"file://{make_remote(git_env(tmp), tmp, name)}"


def question_profile(**overrides: Any) -> dict[str, Any]:
    """The busybox stack with one question that has no default (greeting) before two that have one."""
    profile = busybox_profile(**overrides)
    for service in profile["services"].values():
        service["init"] = True  # httpd as PID 1 ignores SIGTERM: a recreate would wait 10 s to stop it
    defaults = profile["variables"]
    profile["variables"] = {
        "greeting": {"type": "string", "help": "What the web page greets you with"},
        "web_port": defaults["web_port"],
        "db_password": defaults["db_password"],
    }
    return profile


def write_profile(path: Path, profile: dict[str, Any]) -> Path:
    return write_yaml(path, profile)


def project_of(ws: Path) -> str | None:
    state = ws / ".devenv" / "state.json"
    if not state.exists():
        return None
    return str(json.loads(state.read_text())["project"])


def teardown(ws: Path, *, images: bool = False) -> None:
    """`docker compose -p <project> down -v` for the workspace's stack (and its built images)."""
    project = project_of(ws)
    if project is None:
        return
    argv = ["docker", "compose", "-p", project, "down", "-v", "--remove-orphans", "-t", "1"]
    if images:
        argv += ["--rmi", "local"]
    subprocess.run(argv, capture_output=True, check=False, timeout=300)
