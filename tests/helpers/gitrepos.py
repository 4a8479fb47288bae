"""Real local git repositories for tests: an isolated git config and bare remotes served over file://."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git_env(tmp: Path) -> dict[str, str]:
    """os.environ with a git identity and `main` as the default branch, ignoring the user's own config."""
    config = tmp / "gitconfig"
    if not config.exists():
        config.write_text("[user]\n\tname = Dev\n\temail = dev@example.com\n[init]\n\tdefaultBranch = main\n")
    return {**os.environ, "GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1"}


def sh(env: dict[str, str], *argv: str, cwd: Path | None = None) -> str:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def make_remote(env: dict[str, str], root: Path, name: str) -> Path:
    """A bare repository `root/<name>.git` with one commit (a README) on main."""
    bare = root / f"{name}.git"
    sh(env, "git", "init", "--bare", "-q", "-b", "main", str(bare))
    work = root / f"{name}-seed"
    sh(env, "git", "clone", "-q", str(bare), str(work))
    (work / "README.md").write_text(f"# {name}\n")
    sh(env, "git", "add", "README.md", cwd=work)
    sh(env, "git", "commit", "-q", "-m", "first", cwd=work)
    sh(env, "git", "push", "-q", "origin", "HEAD:main", cwd=work)
    return bare


def add_worktree(env: dict[str, str], checkout: Path, path: Path, branch: str) -> Path:
    """A git worktree of `checkout` at `path`, on a new branch."""
    path.parent.mkdir(parents=True, exist_ok=True)
    sh(env, "git", "worktree", "add", "-q", "-b", branch, str(path), cwd=checkout)
    return path
