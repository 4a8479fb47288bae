"""Which answer wins, and what happens when one is missing: --set > --answers > DEVENV_VAR_ > saved > ask."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devenv.adapters.workspace import Workspace
from devenv.context import AppContext
from devenv.domain.profile.answers import Answers
from devenv.domain.profile.model import Profile, Variable
from devenv.domain.stack.state import ProfileRef, WorkspaceState
from devenv.errors import UserError
from devenv.settings import load_settings
from devenv.usecases.answers import collect_answers, read_answers_file
from devenv.usecases.profiles import load
from tests.helpers.common import write_yaml

PROFILE = {
    "name": "answers",
    "version": "1.0.0",
    "variables": {
        "name": {"type": "string", "help": "Your name"},
        "port": {"type": "port", "default": 8000},
        "debug": {"type": "bool", "default": False},
        "token": {"type": "secret"},
    },
    "services": {"web": {"image": "busybox:1.36"}},
}


def context(tmp_path: Path, *, interactive: bool, env: dict[str, str] | None = None) -> AppContext:
    environ = {**os.environ, **(env or {})}
    return AppContext(settings=load_settings(environ), cwd=tmp_path, env=environ, interactive=interactive)


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    path = write_yaml(tmp_path / "answers.yaml", PROFILE)
    return load(context(tmp_path, interactive=False), str(path))


class Asker:
    """Stands in for the questionary prompts: records what was asked, answers from a dict."""

    def __init__(self, replies: dict[str, str]) -> None:
        self.replies = replies
        self.asked: list[str] = []

    def __call__(self, variables: list[Variable]) -> dict[str, str]:
        self.asked += [v.name for v in variables]
        return {v.name: self.replies[v.name] for v in variables}


def collect(
    ctx: AppContext,
    profile: Profile,
    root: Path,
    *,
    sets: dict[str, str] | None = None,
    file: dict[str, object] | None = None,
    yes: bool = False,
    ask: Asker | None = None,
) -> dict[str, str]:
    given = Answers(sets or {}, ("--answers a.yaml", file or {}))
    return collect_answers(ctx, profile, root, given, yes=yes, ask=ask)


def save_answers(root: Path, profile: Profile, answers: dict[str, str], secrets: dict[str, str]) -> None:
    ws = Workspace(root)
    ws.save(WorkspaceState("w", "p", ProfileRef("answers", profile.file), answers=answers))
    ws.env_file.write_text("".join(f"DEVENV_SECRET_{k.upper()}='{v}'\n" for k, v in secrets.items()))


def test_each_layer_wins_over_the_ones_below(tmp_path: Path, profile: Profile) -> None:
    root = tmp_path / "ws"
    save_answers(root, profile, {"name": "saved", "port": "8001", "debug": "true"}, {"token": "saved-token"})
    env = {"DEVENV_VAR_NAME": "env", "DEVENV_VAR_PORT": "8002", "DEVENV_VAR_TOKEN": "env-token"}
    ctx = context(tmp_path, interactive=True, env=env)
    ask = Asker({})
    values = collect(ctx, profile, root, sets={"name": "set"}, file={"name": "file", "port": 8003}, ask=ask)
    assert values == {"name": "set", "port": "8003", "debug": "true", "token": "env-token"}
    assert ask.asked == []
    values = collect(ctx, profile, root, file={"port": 8003}, ask=ask)
    assert values["name"] == "env"
    values = collect(context(tmp_path, interactive=True), profile, root, ask=ask)
    assert values == {"name": "saved", "port": "8001", "debug": "true", "token": "saved-token"}
    assert ask.asked == []


def test_saved_answers_of_another_profile_are_not_used(tmp_path: Path, profile: Profile) -> None:
    root = tmp_path / "ws"
    Workspace(root).save(WorkspaceState("w", "p", ProfileRef("other", "/elsewhere/other.yaml"), answers={"name": "x"}))
    ask = Asker({"name": "asked", "port": "8000", "debug": "no", "token": "t0k"})
    values = collect(context(tmp_path, interactive=True), profile, root, ask=ask)
    assert ask.asked == ["name", "port", "debug", "token"]  # nothing was taken from the other profile's answers
    assert values["name"] == "asked"


def test_interactive_asks_every_unanswered_variable_defaults_included(tmp_path: Path, profile: Profile) -> None:
    ask = Asker({"name": "Ada", "debug": "yes", "token": "t0k"})
    values = collect(context(tmp_path, interactive=True), profile, tmp_path / "ws", sets={"port": "9000"}, ask=ask)
    assert ask.asked == ["name", "debug", "token"]  # port came from --set; debug is asked with its default
    assert values == {"name": "Ada", "port": "9000", "debug": "true", "token": "t0k"}


def test_an_answer_that_does_not_fit_is_a_user_error(tmp_path: Path, profile: Profile) -> None:
    with pytest.raises(UserError, match="--set port: 'eighty' is not a whole number"):
        collect(context(tmp_path, interactive=False), profile, tmp_path, sets={"port": "eighty"})
    with pytest.raises(UserError, match=r"--answers a\.yaml port: 70000 is above the maximum 65535"):
        collect(context(tmp_path, interactive=False), profile, tmp_path, file={"port": 70000})
    ask = Asker({"name": "Ada", "port": "8000", "debug": "perhaps", "token": "t"})
    with pytest.raises(UserError, match="answer to debug: 'perhaps' is not true or false"):
        collect(context(tmp_path, interactive=True), profile, tmp_path, ask=ask)


def test_yes_takes_defaults_and_names_the_flag_for_what_has_none(tmp_path: Path, profile: Profile) -> None:
    ask = Asker({})
    ctx = context(tmp_path, interactive=True)
    with pytest.raises(UserError) as caught:
        collect(ctx, profile, tmp_path, yes=True, ask=ask)
    assert "variable 'name' has no default and no answer, and --yes asks no questions" in caught.value.message
    assert caught.value.hint is not None and "--set name=VALUE" in caught.value.hint
    values = collect(ctx, profile, tmp_path, sets={"name": "Ada", "token": "t"}, yes=True, ask=ask)
    assert values == {"name": "Ada", "port": "8000", "debug": "false", "token": "t"}
    assert ask.asked == []


def test_without_a_terminal_a_missing_answer_names_the_flag(tmp_path: Path, profile: Profile) -> None:
    ask = Asker({})
    with pytest.raises(UserError) as caught:
        collect(context(tmp_path, interactive=False), profile, tmp_path, sets={"name": "Ada"}, ask=ask)
    assert "variable 'token' has no default and no answer, and there is no terminal to ask" in caught.value.message
    assert caught.value.hint is not None and "--set token=VALUE" in caught.value.hint
    assert "DEVENV_VAR_TOKEN" in caught.value.hint
    assert ask.asked == []


# ----------------------------------------------------------------------------------- --answers FILE


def test_answers_file_yaml_and_json(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("name: Ada\nport: 8080\ndebug: true\n")
    assert read_answers_file(tmp_path / "a.yaml") == {"name": "Ada", "port": 8080, "debug": True}
    (tmp_path / "a.json").write_text('{"name": "Ada", "port": 8080}')
    assert read_answers_file(tmp_path / "a.json") == {"name": "Ada", "port": 8080}
    (tmp_path / "empty.yaml").write_text("# nothing yet\n")
    assert read_answers_file(tmp_path / "empty.yaml") == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("name: Ada\nport: 8080: 9\n", r"a\.yaml:2: the answers file is not valid YAML or JSON"),
        ("- name\n- port\n", "the answers file must map variable names to values, not be a list"),
        ("just words\n", "the answers file must map variable names to values, not be a string"),
        ("name:\n  first: Ada\n", "answer 'name' must be a single value, not a mapping"),
        ("name:\n", "answer 'name' has no value"),
        ("1: one\n", "'1' is not a variable name"),
    ],
)
def test_a_bad_answers_file_says_which_file_and_how_to_write_it(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "a.yaml"
    path.write_text(text)
    with pytest.raises(UserError, match=message) as caught:
        read_answers_file(path)
    assert str(path) in caught.value.message
    assert caught.value.hint is not None and "name: value" in caught.value.hint


def test_an_alias_bomb_in_an_answers_file_is_refused(tmp_path: Path) -> None:
    """Refused by the same bound as every YAML devenv reads, before anything is built."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        ref = f"*{chr(96 + i)}"
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([ref] * 9)}]\n"
    (tmp_path / "a.yaml").write_text(bomb)
    with pytest.raises(UserError, match=r"a\.yaml:\d+: refused: the YAML's aliases expand") as caught:
        read_answers_file(tmp_path / "a.yaml")
    assert caught.value.exit_code == 2


def test_a_deeply_nested_answers_file_is_refused_not_a_recursion_error(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(UserError, match="refused: the YAML nests deeper than 64 levels") as caught:
        read_answers_file(tmp_path / "a.yaml")
    assert caught.value.exit_code == 2


def test_a_missing_answers_file_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"answers file not found: .*nope\.yaml"):
        read_answers_file(tmp_path / "nope.yaml")
