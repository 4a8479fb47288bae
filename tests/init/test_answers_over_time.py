"""Answers over time: a variable a newer profile version adds (without a default) is asked on a terminal by
`up` and by `init` (pexpect, real engine); without a terminal the error naming --set stays. A question
without a default refuses an empty answer; `init --dry-run` without a terminal lists what it would ask."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devenv.cli.questions import NEEDS_AN_ANSWER, validator
from devenv.domain.profile.model import Variable
from tests.helpers.common import Result, write_yaml
from tests.helpers.init import PYTHON, question_profile, teardown
from tests.helpers.stack import devenv, free_port

ENTER = "\r"


def test_a_question_without_a_default_refuses_an_empty_answer() -> None:
    needed = validator(Variable(name="team", type="string"))
    assert needed("") == NEEDS_AN_ANSWER
    assert needed("  ") == NEEDS_AN_ANSWER
    assert needed("payments") is True
    assert validator(Variable(name="team", type="string", default="core"))("") is True
    secret = Variable(name="token", type="secret")
    assert validator(secret)("") == NEEDS_AN_ANSWER
    assert validator(Variable(name="token", type="secret", default="x"), empty_ok=True)("") is True


def test_dry_run_without_a_terminal_lists_what_it_would_ask(cli: Callable[..., Result], tmp_path: Path) -> None:
    profile = write_yaml(tmp_path / "p.yaml", question_profile(name="p"))
    done = cli("init", "--profile", str(profile), "--dir", "ws", "--dry-run")
    assert done.code == 0, done.err
    assert "would ask: greeting - What the web page greets you with" in done.out
    assert "answers: web_port=" in done.out and "dry run: nothing was changed" in done.out
    assert not (tmp_path / "ws").exists()


@pytest.fixture
def ws(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "ws"
    yield path
    teardown(path)


def spawn(*args: str, cwd: Path) -> Any:
    import pexpect

    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "120"}
    return pexpect.spawn(
        PYTHON, ["-m", "devenv", *args], env=env, cwd=str(cwd), encoding="utf-8", timeout=120, dimensions=(40, 120)
    )


def finish(child: Any) -> int:
    import pexpect

    child.expect(pexpect.EOF)
    child.close()
    return int(child.exitstatus)


@pytest.mark.integration
@pytest.mark.slow
def test_a_variable_a_newer_version_adds_is_asked_by_up_and_init(tmp_path: Path, ws: Path) -> None:
    profile: dict[str, Any] = question_profile(name="tiny")
    profile["variables"]["web_port"]["default"] = free_port()
    path = write_yaml(tmp_path / "tiny.yaml", profile)
    done = devenv("init", "--profile", str(path), "--dir", str(ws), "--set", "greeting=hi", "--yes", cwd=tmp_path)
    assert done.code == 0, done.err

    # the team lead publishes 1.1.0 with a question that has no default
    profile["version"] = "1.1.0"
    profile["variables"]["team"] = {"type": "string", "help": "Your team"}
    profile["services"]["web"]["environment"]["TEAM"] = "${team}"
    write_yaml(path, profile)
    done = devenv("up", cwd=ws)  # without a terminal: the error naming the flag, as before
    assert done.code == 2
    assert "variable 'team' needs an answer (Your team)" in done.err and "--set team=VALUE" in done.err

    child = spawn("up", cwd=ws)  # on a terminal: asked; an empty answer is refused
    child.expect("new questions since your last answers: team")
    child.expect(r"Your team \(team\)")
    child.send(ENTER)
    child.expect(NEEDS_AN_ANSWER)
    child.send("payments" + ENTER)
    child.expect("Stack is up")
    assert finish(child) == 0
    assert devenv("exec", "web", "sh", "-c", "echo $TEAM", cwd=ws).out.strip() == "payments"

    # 1.2.0 adds another: `init` run again in the workspace asks it too
    profile["version"] = "1.2.0"
    profile["variables"]["floor"] = {"type": "int", "help": "Your floor"}
    profile["services"]["web"]["environment"]["FLOOR"] = "${floor}"
    write_yaml(path, profile)
    child = spawn("init", "--dir", str(ws), cwd=tmp_path)
    child.expect(r"Your floor \(floor\)")
    child.send("3" + ENTER)
    child.expect("Stack is up")
    assert finish(child) == 0
    assert devenv("exec", "web", "sh", "-c", "echo $TEAM $FLOOR", cwd=ws).out.strip() == "payments 3"


def test_init_dry_run_json_is_the_only_stdout(cli: Callable[..., Result], tmp_path: Path) -> None:
    import json

    profile = write_yaml(tmp_path / "p.yaml", question_profile(name="p"))
    done = cli("init", "--profile", str(profile), "--dir", "ws", "--dry-run", "--json")
    assert done.code == 0, done.err
    payload = json.loads(done.out)
    assert payload == {
        "command": "init",
        "workspace": str(tmp_path / "ws"),
        "project": None,
        "profile": "p",
        "dry_run": True,
        "resumed_at": None,
        "all_done_before": False,
        "services": {},
        "urls": {},
    }
    assert "would ask: greeting" in done.err and "dry run: nothing was changed" in done.err
    done = cli("up", "--json")  # no workspace here: the error on stderr, nothing on stdout
    assert done.code == 2 and done.out == "" and "no devenv workspace" in done.err
