"""Answers for init: --set > --answers FILE > DEVENV_VAR_ > saved answers > the question (or default)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.adapters.workspace import Workspace
from devenv.errors import UserError

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.domain.profile.model import Profile, Variable
    from devenv.usecases.workspace import Ask

Out = Callable[[str], None]


def collect_answers(
    ctx: AppContext,
    profile: Profile,
    root: Path,
    sets: Mapping[str, str],
    file_layer: tuple[str, Mapping[str, object]],
    *,
    yes: bool,
    ask: Ask | None,
) -> dict[str, str]:
    """Every variable's answer: --set > --answers > DEVENV_VAR_ > saved answers > ask (or the default).

    With --yes or no terminal (ask None, or ctx not interactive) defaults are taken as they are, and a
    variable with neither an answer nor a default is an error naming the --set that supplies it."""
    from devenv.domain.profile.variables import AnswerError, coerce, env_var_name, resolve_answers
    from devenv.usecases.profiles import env_answers

    layers: list[tuple[str, Mapping[str, object]]] = [
        ("--set", sets),
        file_layer,
        ("environment", env_answers(profile, ctx.env)),
        ("saved answers", saved_answers(root, profile)),
    ]
    given = {name for _origin, layer in layers for name in layer}
    resolved = resolve_answers({n: v for n, v in profile.variables.items() if n in given}, layers)
    if resolved.errors:
        var, origin, message = resolved.errors[0]
        raise UserError(f"{origin} {var.name}: {message}", hint=var.help or None)
    values = dict(resolved.values)
    unanswered = [v for n, v in profile.variables.items() if n not in given]
    if not unanswered:
        return values
    if yes or ask is None or not ctx.interactive:
        for var in unanswered:
            if var.default is None:
                why = "--yes asks no questions" if yes else "there is no terminal to ask"
                raise UserError(
                    f"variable '{var.name}' has no default and no answer, and {why}"
                    + (f" ({var.help})" if var.help else ""),
                    hint=f"pass --set {var.name}=VALUE (or put it in an --answers file, or set "
                    f"{env_var_name(var.name)})",
                )
            values[var.name] = coerce(var, var.default)
        return values
    answered = ask(unanswered)
    for var in unanswered:
        if var.name not in answered:
            continue  # a dry run's listing answers nothing
        try:
            values[var.name] = coerce(var, answered[var.name])
        except AnswerError as exc:
            raise UserError(f"answer to {var.name}: {exc}", hint=var.help or None) from exc
    return values


def shown_default(var: Variable) -> str:
    """The default a question shows pre-filled, in the form an answer takes ("" when there is none)."""
    from devenv.domain.profile.variables import coerce

    return "" if var.default is None else coerce(var, var.default)


def answer_problem(var: Variable, text: str) -> str | None:
    """What is wrong with a typed answer, or None when it is a valid value for the variable."""
    from devenv.domain.profile.variables import AnswerError, coerce

    try:
        coerce(var, text)
    except AnswerError as exc:
        return str(exc)
    return None


def saved_answers(root: Path, profile: Profile) -> dict[str, object]:
    """What an earlier run answered for this same profile: state.json, and secrets from the 0600 .env."""
    from devenv.domain.profile.variables import secret_env_name

    ws = Workspace(root)
    if not ws.exists():
        return {}
    state = ws.load()
    if state.profile.file != profile.file:
        return {}
    saved: dict[str, object] = {k: v for k, v in state.answers.items() if k in profile.variables}
    secrets = ws.read_secrets()
    for name, var in profile.variables.items():
        if var.secret and secret_env_name(name) in secrets:
            saved[name] = secrets[secret_env_name(name)]
    return saved


def listing(out: Out) -> Ask:
    """A dry run's stand-in for the questions: say which would be asked, answer none."""

    def ask(variables: list[Variable]) -> dict[str, str]:
        for var in variables:
            if var.secret:
                default = " (secret, has a default)" if var.default is not None else " (secret)"
            else:
                default = "" if var.default is None else f" (default {var.default})"
            out(f"would ask: {var.name}{default}" + (f" - {var.help}" if var.help else ""))
        return {}

    return ask


def read_answers_file(path: Path) -> dict[str, object]:
    """A YAML (or JSON) mapping of variable names to single values."""
    import yaml

    from devenv.adapters.fs import read_text

    hint = "write one `name: value` per line (YAML), or a JSON object"
    text = read_text(path, what="answers file")
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        raise UserError(f"{where}: the answers file is not valid YAML or JSON ({problem})", hint=hint) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(
            f"{path}: the answers file must map variable names to values, not be a {_kind(data)}", hint=hint
        )
    for name, value in data.items():
        if not isinstance(name, str):
            raise UserError(f"{path}: '{name}' is not a variable name", hint=hint)
        if value is None or isinstance(value, dict | list):
            what = "has no value" if value is None else f"must be a single value, not a {_kind(value)}"
            raise UserError(f"{path}: answer '{name}' {what}", hint=hint)
    return dict(data)


def _kind(value: object) -> str:
    names: dict[type, str] = {dict: "mapping", list: "list", str: "string"}
    return names.get(type(value), type(value).__name__)
