"""`devenv profile new NAME` without compose files: a few questions in a real pseudo-terminal (pexpect),
flags instead of questions without one, and a profile that lints clean either way."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.common import Result
from tests.helpers.init import PYTHON

ENTER = "\r"
CTRL_C = "\x03"


def spawn(cwd: Path, *args: str) -> Any:
    import pexpect

    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "120"}
    return pexpect.spawn(
        PYTHON, ["-m", "devenv", "profile", "new", *args], env=env, cwd=str(cwd), encoding="utf-8", timeout=60
    )


def test_the_questions_on_a_terminal_make_a_commented_profile_that_lints(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    import pexpect

    child = spawn(tmp_path, "shop")
    child.expect("What is the stack")
    child.send("\x15Shop backend" + ENTER)  # Ctrl-U clears the default
    child.expect("Name of the first service")
    child.send("\x15web" + ENTER)
    child.expect("Image of web")
    child.send("\x15busybox:1.36" + ENTER)
    child.expect("Port web listens on")
    child.send("99999" + ENTER)
    child.expect("a port from 1 to 65535")  # checked as it is typed
    child.send("\x158000" + ENTER)
    child.expect("PostgreSQL")
    child.send("y")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    text = (tmp_path / "shop" / "profile.yaml").read_text()
    assert text.startswith("# A devenv profile") and "# a named volume" in text
    doc = yaml.safe_load(text)
    assert doc["description"] == "Shop backend"
    assert doc["services"]["web"] == {"image": "busybox:1.36", "links": ["db"], "ports": ["${web_port}:8000"]}
    assert doc["variables"]["web_port"]["default"] == 8000 and doc["variables"]["db_password"]["type"] == "secret"
    assert cli("profile", "lint", "shop/profile.yaml", cwd=tmp_path).code == 0


def test_ctrl_c_in_a_question_writes_nothing(tmp_path: Path) -> None:
    import pexpect

    child = spawn(tmp_path, "shop")
    child.expect("What is the stack")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.iterdir()) == []


def test_without_a_terminal_it_asks_nothing_and_names_the_flags(tmp_path: Path, cli: Callable[..., Result]) -> None:
    done = cli("profile", "new", "shop", cwd=tmp_path)
    assert done.code == 2
    assert "there is no terminal" in done.err and "hint: pass --image IMAGE" in done.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("db", [False, True])
def test_flags_answer_the_questions(db: bool, tmp_path: Path, cli: Callable[..., Result]) -> None:
    args = ["--image", "busybox:1.36", "--service", "api", "--port", "9000", *(["--db"] if db else [])]
    done = cli("profile", "new", "shop", *args, "-o", "profiles/shop", cwd=tmp_path)
    assert done.code == 0, done.err
    doc = yaml.safe_load((tmp_path / "profiles/shop/profile.yaml").read_text())
    assert doc["services"]["api"]["ports"] == ["${api_port}:9000"]
    assert ("db" in doc["services"]) is db
    assert cli("profile", "lint", "profiles/shop/profile.yaml", cwd=tmp_path).code == 0


def test_a_bad_flag_value_is_refused_and_writes_nothing(tmp_path: Path, cli: Callable[..., Result]) -> None:
    done = cli("profile", "new", "shop", "--image", "busybox:1.36", "--service", "Bad Name", cwd=tmp_path)
    assert done.code == 2 and "'Bad Name' is not a service name" in done.err
    assert list(tmp_path.iterdir()) == []


def test_a_profile_that_would_not_lint_is_never_put_in_place(tmp_path: Path, cli: Callable[..., Result]) -> None:
    done = cli("profile", "new", "shop", "--image", "busybox:${tag}", cwd=tmp_path)  # an undefined variable
    assert done.code == 2
    assert "the generated profile does not lint" in done.err and "undefined variable 'tag'" in done.err
    assert list(tmp_path.iterdir()) == []  # neither the folder nor its temporary sibling


def test_question_flags_with_compose_files_are_refused(tmp_path: Path, cli: Callable[..., Result]) -> None:
    done = cli("profile", "new", "shop", "--from-compose", "compose.yaml", "--db", cwd=tmp_path)
    assert done.code == 2 and "drop those flags" in done.err
