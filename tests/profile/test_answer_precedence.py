"""The answer precedence, for every command that takes answers, on real files (and the real engine for up).

    --set  >  --answers FILE (init only)  >  DEVENV_VAR_<NAME>  >  saved answers (init, up)  >  the default

Each command is run as a user runs it (a devenv subprocess, no terminal) with several layers answering
the same variable; the test reads which answer won from what the command printed or saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.common import write_yaml
from tests.helpers.stack import BUSYBOX, Done, Stack, devenv, make_stack

PROFILE: dict[str, Any] = {
    "name": "precedence",
    "version": "1.0.0",
    "variables": {
        "word": {"type": "string", "default": "default", "pattern": "[a-z]+"},
        "pw": {"type": "secret", "default": "dflt"},
    },
    "services": {
        "app": {
            "image": BUSYBOX,
            "command": ["sleep", "3600"],
            "environment": {"WORD": "${word}", "PW": "${pw}"},
            "stop_grace_period": "1s",
        }
    },
}

ENV = "DEVENV_VAR_WORD"


def write_profile(folder: Path) -> Path:
    return write_yaml(folder / "stack.yaml", PROFILE)


def rendered_word(done: Done) -> str:
    assert done.code == 0, done.err
    match = re.search(r"^\s+WORD: (\S+)$", done.out, re.M)
    assert match, done.out
    return match.group(1)


def init_word(done: Done) -> str:
    assert done.code == 0, done.err
    match = re.search(r"^answers: .*\bword=([a-z]+)", done.out, re.M)
    assert match, done.out
    return match.group(1)


def answers_file(folder: Path, word: str) -> Path:
    return write_yaml(folder / "answers.yaml", {"word": word})


# profile render: --set > DEVENV_VAR_ > default


def test_profile_render_precedence(tmp_path: Path) -> None:
    profile = str(write_profile(tmp_path))
    render = ("profile", "render", profile)
    assert rendered_word(devenv(*render, "--set", "word=set", cwd=tmp_path, env={ENV: "env"})) == "set"
    assert rendered_word(devenv(*render, cwd=tmp_path, env={ENV: "env"})) == "env"
    assert rendered_word(devenv(*render, cwd=tmp_path)) == "default"


# profile lint: --set > DEVENV_VAR_ > default; the error names the layer whose answer was used


def test_profile_lint_precedence(tmp_path: Path) -> None:
    profile = str(write_profile(tmp_path))
    done = devenv("profile", "lint", profile, "--set", "word=SETBAD", cwd=tmp_path, env={ENV: "ENVBAD"})
    assert done.code == 1
    assert "--set word: 'SETBAD' does not match" in done.err
    done = devenv("profile", "lint", profile, cwd=tmp_path, env={ENV: "ENVBAD"})
    assert done.code == 1
    assert "environment word: 'ENVBAD' does not match" in done.err
    done = devenv("profile", "lint", profile, "--set", "word=fine", cwd=tmp_path, env={ENV: "ENVBAD"})
    assert done.code == 0, done.err  # --set wins, so the environment's bad answer is never used
    assert devenv("profile", "lint", profile, cwd=tmp_path).code == 0


# init (dry run: nothing is started): --set > --answers > DEVENV_VAR_ > saved > default


def test_init_precedence_without_saved_answers(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    profile = str(write_profile(tmp_path))
    file = str(answers_file(tmp_path, "file"))
    init = ("init", "--dry-run", "--yes", "--profile", profile)
    env = {ENV: "env"}
    assert init_word(devenv(*init, "--set", "word=set", "--answers", file, cwd=root, env=env)) == "set"
    assert init_word(devenv(*init, "--answers", file, cwd=root, env=env)) == "file"
    assert init_word(devenv(*init, cwd=root, env=env)) == "env"
    assert init_word(devenv(*init, cwd=root)) == "default"


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    st = make_stack(tmp_path, PROFILE)
    try:
        yield st
    finally:
        st.cleanup()


# up, and init in a workspace with saved answers: the real engine


@pytest.mark.integration
@pytest.mark.slow
def test_up_and_init_precedence_with_saved_answers(stack: Stack) -> None:
    profile = str(stack.profile)
    done = stack.devenv("up", "--profile", profile, "--set", "word=saved")
    assert done.code == 0, done.err
    assert stack.state["answers"]["word"] == "saved"

    # init sees what up saved, below its other layers
    init = ("init", "--dry-run", "--yes", "--profile", profile)
    file = str(answers_file(stack.root.parent, "file"))
    assert init_word(devenv(*init, cwd=stack.root)) == "saved"
    assert init_word(devenv(*init, cwd=stack.root, env={ENV: "env"})) == "env"
    assert init_word(devenv(*init, "--answers", file, cwd=stack.root, env={ENV: "env"})) == "file"
    assert init_word(devenv(*init, "--set", "word=set", "--answers", file, cwd=stack.root, env={ENV: "env"})) == "set"

    # up: saved > default, DEVENV_VAR_ > saved, --set > DEVENV_VAR_
    assert stack.devenv("up").code == 0
    assert stack.state["answers"]["word"] == "saved"
    done = devenv("up", cwd=stack.root, env={ENV: "env"})
    assert done.code == 0, done.err
    assert stack.state["answers"]["word"] == "env"
    done = devenv("up", "--set", "word=set", cwd=stack.root, env={ENV: "env"})
    assert done.code == 0, done.err
    assert stack.state["answers"]["word"] == "set"


@pytest.mark.integration
def test_init_stops_like_up_when_an_answered_secret_is_gone_from_env(stack: Stack) -> None:
    """A secret answered before and lost from .env is never replaced by the default, in init as in up."""
    profile = str(stack.profile)
    done = stack.devenv("up", "--profile", profile, "--set", "pw=custom")
    assert done.code == 0, done.err
    env_file = stack.root / ".devenv" / ".env"
    env_file.write_text("".join(line for line in env_file.read_text().splitlines(True) if "_PW=" not in line))

    for args in (("init", "--dry-run", "--yes", "--profile", profile), ("up",)):
        done = stack.devenv(*args)
        assert done.code == 2, (args, done.out, done.err)
        assert "the secret 'pw' is missing from" in done.err
        assert "devenv up --set pw=..." in done.err
