"""`devenv init` decisions that need no engine: what fails before anything changes, and --dry-run."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.cli.main import run
from devenv.context import AppContext
from devenv.settings import load_settings
from tests.helpers.common import Result, write_yaml
from tests.helpers.gitrepos import git_env
from tests.helpers.init import bare_repo, question_profile

Cli = Callable[..., Result]


@pytest.fixture
def profile_path(tmp_path: Path) -> Path:
    return write_yaml(tmp_path / "profiles" / "tiny.yaml", question_profile(name="tiny"))


def test_no_terminal_and_no_profile_names_the_flag_and_lists_the_profiles(
    cli: Cli, tmp_path: Path, profile_path: Path
) -> None:
    done = cli("init", "--dir", "ws", env={"DEVENV_PROFILE_SOURCES": str(profile_path.parent)})
    assert done.code == 2
    assert "error: which profile? there is no terminal to ask" in done.err
    assert "hint: pass --profile NAME; available: tiny, example" in done.err  # the team's first
    assert not (tmp_path / "ws").exists()


def test_no_terminal_and_a_missing_answer_names_the_flag_before_anything_changes(
    cli: Cli, tmp_path: Path, profile_path: Path
) -> None:
    done = cli("init", "--profile", str(profile_path), "--dir", "ws")
    assert done.code == 2
    assert "variable 'greeting' has no default and no answer, and there is no terminal to ask" in done.err
    assert "hint: pass --set greeting=VALUE" in done.err
    assert "Traceback" not in done.err
    assert not (tmp_path / "ws").exists()
    done = cli("init", "--profile", str(profile_path), "--dir", "ws", "--yes")
    assert done.code == 2 and "--yes asks no questions" in done.err and "--set greeting=VALUE" in done.err


def test_unknown_answer_names_get_a_did_you_mean(cli: Cli, tmp_path: Path, profile_path: Path) -> None:
    (tmp_path / "answers.yaml").write_text("greting: hi\n")
    done = cli("init", "--profile", str(profile_path), "--answers", "answers.yaml", "--dir", "ws")
    assert done.code == 2
    assert "error: --answers answers.yaml: 'greting' is not a variable of profile 'tiny'" in done.err
    assert "hint: did you mean 'greeting'?" in done.err
    done = cli("init", "--profile", str(profile_path), "--set", "web_prot=1", "--dir", "ws")
    assert done.code == 2 and "did you mean 'web_port'?" in done.err


def test_a_bad_answers_file_or_profile_is_one_message_and_a_hint(cli: Cli, tmp_path: Path, profile_path: Path) -> None:
    (tmp_path / "answers.yaml").write_text("[greeting\n")
    done = cli("init", "--profile", str(profile_path), "--answers", "answers.yaml", "--dir", "ws")
    assert done.code == 2
    assert f"error: {tmp_path / 'answers.yaml'}:2: the answers file is not valid YAML or JSON" in done.err
    assert "hint:" in done.err
    done = cli("init", "--profile", str(profile_path), "--answers", "missing.yaml")
    assert done.code == 2 and "answers file not found" in done.err
    done = cli("init", "--profile", "nosuch", "--yes")
    assert done.code == 2 and "no profile named 'nosuch'" in done.err and "available: example" in done.err
    assert not (tmp_path / ".devenv").exists()


def test_a_repo_profile_refuses_a_folder_holding_other_files(cli: Cli, tmp_path: Path) -> None:
    url = bare_repo(tmp_path)
    profile = write_yaml(tmp_path / "p.yaml", question_profile(name="p", repo={"url": url}))
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "notes.txt").write_text("mine\n")
    done = cli("init", "--profile", str(profile), "--dir", "ws", "--set", "greeting=hi", env=git_env(tmp_path))
    assert done.code == 2
    assert f"error: {ws} is not empty and is not a git clone of {url}" in done.err
    assert "--dir NEW_FOLDER" in done.err
    assert sorted(p.name for p in ws.iterdir()) == ["notes.txt"]


def test_dry_run_says_what_it_would_do_and_changes_nothing(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    url = bare_repo(tmp_path)
    profile = write_yaml(tmp_path / "p.yaml", question_profile(name="p", repo={"url": url}))
    ws = tmp_path / "ws"
    ws.mkdir()
    env = {**os.environ, **git_env(tmp_path)}
    ctx = AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=True)
    code = run(["init", "--profile", str(profile), "--dir", "ws", "--dry-run"], obj=ctx, raise_bugs=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"would clone it into {ws}: {url}" in out
    assert "would ask: greeting - What the web page greets you with" in out
    assert "would ask: web_port (default " in out
    assert "would ask: db_password (secret, has a default)" in out
    assert "pw-s3cret" not in out  # a secret's default is never shown
    assert "would bring the stack up" in out and "dry run: nothing was changed" in out
    assert list(ws.iterdir()) == []


def test_dry_run_without_a_terminal_shows_the_answers_it_would_use(cli: Cli, tmp_path: Path) -> None:
    profile = write_yaml(tmp_path / "p.yaml", question_profile(name="p"))
    done = cli("init", "--profile", str(profile), "--dir", "ws", "--dry-run", "--set", "greeting=hi")
    assert done.code == 0, done.err
    assert "answers: greeting=hi, web_port=" in done.out and "db_password=(secret)" in done.out
    assert "would write the workspace in" in done.out
    assert not (tmp_path / "ws").exists()
