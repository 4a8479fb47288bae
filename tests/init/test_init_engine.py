"""`devenv init` on a real engine: clone a local bare repo, bring a busybox stack up, resume, be a no-op."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.common import write_yaml
from tests.helpers.gitrepos import git_env, sh
from tests.helpers.init import bare_repo, question_profile, teardown
from tests.helpers.stack import devenv, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # each test takes more than ~3 s


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ws"
    yield path
    teardown(path)


def test_yes_clones_brings_the_stack_up_and_a_second_run_is_a_no_op(tmp_path: Path, ws: Path) -> None:
    env = git_env(tmp_path)
    url = bare_repo(tmp_path)
    port = free_port()
    profile = write_yaml(tmp_path / "platform.yaml", question_profile(name="platform", repo={"url": url}))
    args = ["init", "--profile", str(profile), "--dir", str(ws), "--yes", "--set", "greeting=hi"]
    first = devenv(*args, "--set", f"web_port={port}", cwd=tmp_path, env=env)
    assert first.code == 0, first.err
    assert f"cloned {url} into {ws}" in first.out
    assert "Stack is up" in first.out
    assert f"web  http://localhost:{port}" in first.out
    assert "devenv status" in first.out and "devenv logs -f web" in first.out and "devenv down" in first.out
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/env.txt", timeout=10) as response:
        assert "GREETING=hi" in response.read().decode()
    # the checkout is the workspace, and devenv's state stays out of the team's git status
    assert (ws / "README.md").read_text() == "# platform\n"
    assert sh(env, "git", "status", "--porcelain", "--untracked-files=all", cwd=ws) == ""
    record = json.loads((ws / ".devenv" / "init.json").read_text())
    assert list(record["steps"]) == ["doctor", "profile", "clone", "answers", "up"]
    # secrets only in the 0600 .env, never in the plain state files
    for name in ("init.json", "state.json", "compose.yaml"):
        assert "pw-s3cret" not in (ws / ".devenv" / name).read_text()
    assert (ws / ".devenv" / ".env").stat().st_mode & 0o777 == 0o600
    # from anywhere, with nothing but --dir: every step is done, and up is the no-op check
    second = devenv("init", "--dir", str(ws), cwd=tmp_path, env=env)
    assert second.code == 0, second.err
    assert "every step of devenv init finished before" in second.out
    assert "Up to date: nothing changed." in second.out
    assert "cloned" not in second.out


def test_a_failed_up_resumes_at_up_once_fixed(tmp_path: Path, ws: Path) -> None:
    """A stack that cannot start (an image that does not exist) fails; after the fix, init resumes at up."""
    broken = question_profile(name="broken")
    broken["services"]["web"]["image"] = "devenv-test/no-such-image:1"
    profile = write_yaml(tmp_path / "broken.yaml", broken)
    first = devenv("init", "--profile", str(profile), "--dir", str(ws), "--set", "greeting=hi", cwd=tmp_path)
    assert first.code == 4, first.out + first.err
    assert "error: " in first.err and "Traceback" not in first.err
    steps = json.loads((ws / ".devenv" / "init.json").read_text())["steps"]
    assert list(steps) == ["doctor", "profile", "answers"]
    write_yaml(profile, question_profile(name="broken"))  # the fix: an image that exists
    second = devenv("init", "--dir", str(ws), cwd=tmp_path)
    assert second.code == 0, second.err
    assert "resuming at up (finished before: doctor, profile, answers)" in second.out
    assert "Stack is up" in second.out


def test_new_answers_on_a_rerun_are_applied(tmp_path: Path, ws: Path) -> None:
    profile = write_yaml(tmp_path / "p.yaml", question_profile(name="p"))
    first = devenv("init", "--profile", str(profile), "--dir", str(ws), "--set", "greeting=hi", cwd=tmp_path)
    assert first.code == 0, first.err
    (tmp_path / "answers.yml").write_text('{"greeting": "bonjour"}\n')
    second = devenv("init", "--dir", str(ws), "--answers", "answers.yml", cwd=tmp_path)
    assert second.code == 0, second.err
    assert "answers given: the answers step runs again" in second.out and "Stack is up" in second.out
    state = json.loads((ws / ".devenv" / "state.json").read_text())
    assert state["answers"]["greeting"] == "bonjour"
