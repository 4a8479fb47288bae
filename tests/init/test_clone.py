"""The checkout is the workspace: cloning into a folder that already holds .devenv/, with real git."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from devenv.adapters.workspace import Workspace
from devenv.context import AppContext
from devenv.domain.profile.model import Repo
from devenv.settings import load_settings
from devenv.usecases.clone import clone_into, finish_interrupted_clone
from devenv.usecases.init import Record
from tests.helpers.gitrepos import git_env, sh
from tests.helpers.init import bare_repo


def context(tmp_path: Path) -> AppContext:
    env = {**os.environ, **git_env(tmp_path)}
    return AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=False)


def recorded(root: Path) -> Record:
    record = Record.load(root)
    record.writable = True
    record.finish("doctor")
    record.finish("profile", ref="p")
    return record


def test_clone_into_a_folder_holding_devenv_state_keeps_it_and_git_status_is_clean(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    url = bare_repo(tmp_path)
    root = tmp_path / "ws"
    recorded(root)
    assert clone_into(ctx, Repo(url), root, interactive=False, progress=None) == "cloned"
    assert (root / "README.md").read_text() == "# platform\n"
    assert Record.load(root).done("profile")
    Workspace(root).prepare()
    (root / ".devenv" / "state.json").write_text("{}")
    assert sh(dict(ctx.runner.env), "git", "status", "--porcelain", "--untracked-files=all", cwd=root) == ""
    assert not any(p.name.endswith(".devenv-clone") for p in tmp_path.iterdir())


def test_cloning_again_reuses_the_clone(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    url = bare_repo(tmp_path)
    root = tmp_path / "ws"
    clone_into(ctx, Repo(url), root, interactive=False, progress=None)
    assert clone_into(ctx, Repo(url), root, interactive=False, progress=None) == "reused"


def test_the_folder_keeps_its_identity(tmp_path: Path) -> None:
    """A shell sitting in the folder (`mkdir p && cd p && devenv init`) must still be in the checkout after."""
    ctx = context(tmp_path)
    url = bare_repo(tmp_path)
    root = tmp_path / "ws"
    root.mkdir()
    before = root.stat().st_ino
    clone_into(ctx, Repo(url), root, interactive=False, progress=None)
    assert root.stat().st_ino == before


def test_an_interrupted_move_is_finished_by_the_next_run(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    url = bare_repo(tmp_path)
    done = tmp_path / "done"
    clone_into(ctx, Repo(url), done, interactive=False, progress=None)
    # the state of a run stopped halfway through the move: README moved in, .git still in the staging folder
    root = tmp_path / "ws"
    recorded(root)
    staging = tmp_path / "ws.devenv-clone"
    shutil.copytree(done, staging)
    (staging / "README.md").rename(root / "README.md")
    finish_interrupted_clone(root)
    assert not staging.exists()
    assert (root / ".git").is_dir() and (root / "README.md").exists() and Record.load(root).done("profile")
    env = dict(ctx.runner.env)
    assert sh(env, "git", "status", "--porcelain", "--untracked-files=no", cwd=root) == ""


def test_a_stale_staging_folder_without_a_clone_is_left_for_the_clone_step(tmp_path: Path) -> None:
    ctx = context(tmp_path)
    url = bare_repo(tmp_path)
    root = tmp_path / "ws"
    staging = tmp_path / "ws.devenv-clone"
    staging.mkdir()
    (staging / "half").write_text("x")
    finish_interrupted_clone(root)
    assert staging.exists() and not root.exists()
    clone_into(ctx, Repo(url), root, interactive=False, progress=None)
    assert not staging.exists() and (root / ".git").is_dir()


def test_a_damaged_record_starts_over(tmp_path: Path) -> None:
    (tmp_path / ".devenv").mkdir()
    (tmp_path / ".devenv" / "init.json").write_text("{not json")
    record = Record.load(tmp_path)
    assert record.steps == {} and record.existed
    record.finish("doctor")
    assert Record.load(tmp_path).done("doctor")
