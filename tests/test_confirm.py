"""One policy when a confirmation is needed and there is no terminal: stop, naming --yes (exit 2).

Questions --yes does not answer by design (the docker group, Homebrew's installer) are declined instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.adapters import engine as engine_adapter
from devenv.cli.confirm import confirmer
from devenv.context import AppContext
from devenv.errors import ExitCode, NoTerminal
from devenv.settings import load_settings
from devenv.usecases.doctor import own_consent
from tests.helpers.common import Result, write_yaml


def app(tmp_path: Path, *, interactive: bool) -> AppContext:
    env = dict(os.environ)
    return AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=interactive)


def test_without_a_terminal_a_confirmation_stops_naming_yes(tmp_path: Path) -> None:
    with pytest.raises(NoTerminal) as caught:
        confirmer(app(tmp_path, interactive=False))("Delete everything?")
    assert caught.value.message == "Delete everything? needs confirmation, and there is no terminal to ask"
    assert caught.value.hint == "pass --yes"
    assert caught.value.exit_code == ExitCode.USER_ERROR


def test_yes_answers_without_asking(tmp_path: Path) -> None:
    asked: list[str] = []

    def ask(question: str) -> bool:
        asked.append(question)
        return False

    confirm = confirmer(app(tmp_path, interactive=False), yes=True, ask=ask)
    assert confirm("Delete everything?") is True
    assert asked == []


def test_on_a_terminal_the_question_is_asked(tmp_path: Path) -> None:
    asked: list[str] = []

    def ask(question: str) -> bool:
        asked.append(question)
        return True

    confirm = confirmer(app(tmp_path, interactive=True), ask=ask)
    assert confirm("Run this step?") is True
    assert asked == ["Run this step?"]


def test_a_question_yes_does_not_answer_is_declined_without_a_terminal(tmp_path: Path) -> None:
    assert own_consent(confirmer(app(tmp_path, interactive=False)), "Add me to the docker group?") is False
    assert own_consent(confirmer(app(tmp_path, interactive=True), ask=lambda _q: True), "Add me?") is True


def test_init_without_a_terminal_stops_at_the_fix_plan_naming_yes(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine_adapter, "usual_sockets", lambda _env: [])
    profile = write_yaml(tmp_path / "p.yaml", {"name": "p", "version": "1.0.0", "services": {"a": {"image": "x"}}})
    root = tmp_path / "ws"
    root.mkdir()
    dead = {"DOCKER_HOST": f"unix://{tmp_path}/no-engine-here.sock"}
    result = cli("init", "--profile", str(profile), cwd=root, env=dead)
    assert result.code == ExitCode.USER_ERROR, (result.out, result.err)
    assert "needs confirmation, and there is no terminal to ask" in result.err
    assert "hint: pass --yes" in result.err
