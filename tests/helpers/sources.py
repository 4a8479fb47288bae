"""A team's profile repository for tests: a bare repo over file://, and two machines (lead, new hire)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.helpers.common import write_yaml
from tests.helpers.gitrepos import git_env, make_remote, sh
from tests.helpers.stack import BUSYBOX, free_port


@dataclass
class Team:
    root: Path
    bare: Path
    git: dict[str, str]  # the git identity and config every machine uses
    lead: dict[str, str]  # environment of the lead's machine: its own devenv config, cache and data
    hire: dict[str, str]  # the new hire's

    @property
    def url(self) -> str:
        return f"file://{self.bare}"

    def tags(self) -> list[str]:
        return sh(self.git, "git", "--git-dir", str(self.bare), "tag", "--list").split()

    def commit_of(self, ref: str) -> str:
        return sh(self.git, "git", "--git-dir", str(self.bare), "rev-parse", f"{ref}^{{commit}}")


def machine(root: Path, name: str, git: dict[str, str]) -> dict[str, str]:
    home = root / name
    dirs = {f"DEVENV_{d.upper()}_DIR": str(home / d) for d in ("config", "cache", "data")}
    return {**git, **dirs, "HOME": str(home)}


def make_team(root: Path, repo: str = "team") -> Team:
    git = git_env(root)
    bare = make_remote(git, root, repo)
    return Team(root, bare, git, machine(root, "lead", git), machine(root, "hire", git))


def shop_profile(version: str, greeting: str = "hello", **extra: Any) -> dict[str, Any]:
    """One busybox web service that serves its environment (GREETING shows which version runs)."""
    profile: dict[str, Any] = {
        "name": "shop",
        "description": "The shop, for tests",
        "version": version,
        "variables": {"web_port": {"type": "port", "default": free_port()}},
        "services": {
            "web": {
                "image": BUSYBOX,
                "init": True,
                "command": ["sh", "-c", "mkdir -p /www && env > /www/env.txt && exec httpd -f -p 8000 -h /www"],
                "ports": ["${web_port}:8000"],
                "environment": {"GREETING": greeting},
                "healthcheck": {"test": "wget -qO- http://localhost:8000/env.txt", "interval": "1s"},
            }
        },
    }
    profile.update(copy.deepcopy(extra))
    return profile


def write_profile(folder: Path, profile: dict[str, Any]) -> Path:
    """NAME/profile.yaml, as a lead keeps a profile they publish."""
    return write_yaml(folder / "profile.yaml", profile)
