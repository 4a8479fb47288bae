"""Helpers for the init tests: local bare git repos, profiles, a devenv subprocess, teardown."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import REPO_ROOT, write_yaml
from tests.stack.helpers import busybox_profile

PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python") if (REPO_ROOT / ".venv/bin/python").exists() else sys.executable


def git_env(tmp: Path) -> dict[str, str]:
    config = tmp / "gitconfig"
    if not config.exists():
        config.write_text("[user]\n\tname = Dev\n\temail = dev@example.com\n[init]\n\tdefaultBranch = main\n")
    return {**os.environ, "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


def sh(env: dict[str, str], *argv: str, cwd: Path | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout


def bare_repo(tmp: Path, name: str = "platform") -> str:
    """A bare repository with one commit on main (a README); returns its file:// URL."""
    env = git_env(tmp)
    bare = tmp / f"{name}.git"
    sh(env, "git", "init", "--bare", "-q", "-b", "main", str(bare))
    work = tmp / f"{name}-seed"
    sh(env, "git", "clone", "-q", str(bare), str(work))
    (work / "README.md").write_text(f"# {name}\n")
    sh(env, "git", "add", "README.md", cwd=work)
    sh(env, "git", "commit", "-q", "-m", "first", cwd=work)
    sh(env, "git", "push", "-q", "origin", "HEAD:main", cwd=work)
    return f"file://{bare}"


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


@dataclass
class Done:
    code: int
    out: str
    err: str


def devenv(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> Done:
    """devenv as a real subprocess without a terminal (stdin is /dev/null)."""
    done = subprocess.run(
        [PYTHON, "-m", "devenv", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr)


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
