"""Cloning the profile's platform repo so that the workspace folder becomes the checkout."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.adapters.workspace import STATE_DIR
from devenv.errors import UserError

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.domain.profile.model import Repo


def _staging(root: Path) -> Path:
    return root.parent / f"{root.name}.devenv-clone"


def check_clone_target(ctx: AppContext, root: Path, repo: Repo) -> None:
    """Before writing anything: the folder must be new, empty (but for .devenv/) or a clone already."""
    from devenv.adapters.git import Git

    if not root.exists():
        return
    if not root.is_dir():
        raise UserError(f"{root} is a file, not a folder for the workspace", hint="pass --dir NEW_FOLDER")
    if not [p for p in root.iterdir() if p.name != STATE_DIR]:
        return
    if Git(ctx.runner).toplevel(root) != root:
        raise UserError(
            f"{root} is not empty and is not a git clone of {repo.url}",
            hint="run devenv init in a new or empty folder: pass --dir NEW_FOLDER",
        )


def clone_into(
    ctx: AppContext, repo: Repo, root: Path, *, interactive: bool, progress: Callable[[str], None] | None
) -> str:
    """Clone the platform repo so that `root` (which may hold .devenv/ already) becomes the checkout.

    git cannot clone into a folder that is not empty, so the clone goes to a sibling first and its
    entries then move into `root`, `.git` last: `root` keeps its identity (a shell sitting in it stays
    valid), and an interrupted move is finished by the next run (finish_interrupted_clone)."""
    from devenv.adapters.git import Git

    git = Git(ctx.runner)
    if (root / ".git").exists():
        return git.clone_or_reuse(repo.url, root, branch=repo.branch, progress=progress, interactive=interactive).action
    staging = _staging(root)
    if staging.exists():
        shutil.rmtree(staging)  # an earlier clone stopped before the move began: start over
    git.clone_or_reuse(repo.url, staging, branch=repo.branch, progress=progress, interactive=interactive)
    if (staging / STATE_DIR).exists():
        shutil.rmtree(staging)
        raise UserError(
            f"the repository {repo.url} has its own {STATE_DIR}/ folder, where devenv keeps its state",
            hint="rename that folder in the repository",
        )
    root.mkdir(parents=True, exist_ok=True)
    _move_entries(staging, root)
    return "cloned"


def finish_interrupted_clone(root: Path) -> None:
    """An earlier run stopped while moving a finished clone into `root`: finish the move."""
    staging = _staging(root)
    if not staging.is_dir():
        return
    names = [p.name for p in staging.iterdir()]
    if ".git" not in names:
        if not names:
            staging.rmdir()  # everything had moved; only the empty folder was left
        return
    if root.is_dir() and any((root / name).exists() for name in names):
        return  # not a half-finished move of ours: leave both alone (the clone step starts over)
    root.mkdir(parents=True, exist_ok=True)
    _move_entries(staging, root)


def _move_entries(staging: Path, root: Path) -> None:
    entries = sorted(staging.iterdir(), key=lambda p: p.name == ".git")  # .git last: a checkout only once complete
    for entry in entries:
        os.replace(entry, root / entry.name)
    staging.rmdir()
