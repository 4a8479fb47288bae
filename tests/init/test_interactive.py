"""The new hire's flow in a real pseudo-terminal (pexpect): pick a profile from the list, answer, reach a
running stack; Ctrl-C in a question and run again to carry on; a last run is a no-op. Without a terminal,
a missing answer fails at once, naming the flag."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.common import write_yaml
from tests.helpers.init import PYTHON, question_profile, teardown
from tests.helpers.stack import devenv, free_port

ENTER = "\r"
CTRL_C = "\x03"


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A profile source folder with a busybox profile that sorts after the shipped `example`."""
    folder = tmp_path / "team-profiles"
    profile = question_profile(name="tiny", description="One busybox web page and its db")
    profile["variables"]["web_port"]["default"] = free_port()
    write_yaml(folder / "tiny.yaml", profile)
    return folder


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ws"
    yield path
    teardown(path)


def spawn(ws: Path, sources: Path) -> Any:
    import pexpect

    env = {**os.environ, "DEVENV_PROFILE_SOURCES": str(sources), "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "120"}
    return pexpect.spawn(
        PYTHON,
        ["-m", "devenv", "init", "--dir", str(ws)],
        env=env,
        cwd=str(ws.parent),
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )


def finish(child: Any) -> int:
    import pexpect

    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus)


@pytest.mark.integration
@pytest.mark.slow
def test_choose_answer_interrupt_resume_and_no_op(ws: Path, sources: Path) -> None:
    # 1. choose from the list, then Ctrl-C at the first question
    child = spawn(ws, sources)
    child.expect("doctor: Docker, compose and git are ready")
    child.expect("Which profile?")
    child.expect("tiny — One busybox web page and its db")  # the team's first, preselected
    child.expect("example — Five linked services")
    child.send(ENTER)
    child.expect("What the web page greets you with")
    child.send(CTRL_C)
    child.expect("run the same command again to carry on")
    assert finish(child) == 130

    # 2. the same command again: the profile is remembered, the questions come back
    child = spawn(ws, sources)
    child.expect(r"resuming at answers \(finished before: doctor, profile\)")
    child.expect("What the web page greets you with")
    child.send("Hello from pexpect" + ENTER)
    child.expect(r"Port on your machine|web_port")  # a default: Enter accepts it
    child.send(ENTER)
    child.expect("db_password")  # a secret with a default: Enter keeps it
    child.send(ENTER)
    child.expect("Stack is up")
    child.expect(r"web\s+(http://localhost:\d+)")
    url = child.match.group(1)
    child.expect("devenv logs -f web")
    assert finish(child) == 0
    with urllib.request.urlopen(f"{url}/env.txt", timeout=10) as response:
        assert "GREETING=Hello from pexpect" in response.read().decode()

    # 3. once more: every step is done, nothing is asked, nothing changes
    child = spawn(ws, sources)
    child.expect("every step of devenv init finished before")
    child.expect("Up to date: nothing changed.")
    assert finish(child) == 0


@pytest.mark.integration  # doctor checks the engine before the picker
def test_the_picker_points_at_the_teams_profile_not_example(ws: Path, sources: Path) -> None:
    """Configured sources come first: Enter alone picks the team's profile, though `example` sorts before it."""
    child = spawn(ws, sources)
    child.expect("Which profile?")
    child.expect("tiny — One busybox web page and its db")
    child.expect("example — Five linked services")
    child.send(ENTER)  # nothing moved the pointer
    child.expect("What the web page greets you with")  # tiny's first question, not example's
    child.send(CTRL_C)
    assert finish(child) == 130


def test_without_a_terminal_a_missing_answer_fails_naming_the_flag(tmp_path: Path, sources: Path) -> None:
    done = devenv(
        "init", "--profile", "tiny", "--dir", str(tmp_path / "ws"), cwd=tmp_path,
        env={"DEVENV_PROFILE_SOURCES": str(sources)},
    )  # fmt: skip
    assert done.code == 2
    assert "error: variable 'greeting' has no default and no answer, and there is no terminal to ask" in done.err
    assert "hint: pass --set greeting=VALUE" in done.err
    assert not (tmp_path / "ws").exists()
    done = devenv("init", "--dir", str(tmp_path / "ws"), cwd=tmp_path, env={"DEVENV_PROFILE_SOURCES": str(sources)})
    assert done.code == 2 and "pass --profile NAME; available: tiny, example" in done.err  # the team's first
