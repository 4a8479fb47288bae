"""Answers as use cases: init's questions, what a workspace saved, the answers file, checks for the prompts.

The precedence itself lives in devenv/domain/profile/answers.py."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.adapters.workspace import Workspace
from devenv.errors import UserError

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.domain.profile.answers import Answers, Layer
    from devenv.domain.profile.model import Profile, Variable
    from devenv.domain.stack.state import WorkspaceState

# asks the user for the missing variables' answers (init's questionary prompts); None: fail instead
Ask = Callable[[list["Variable"]], dict[str, str]]

Out = Callable[[str], None]


def collect_answers(
    ctx: AppContext,
    profile: Profile,
    root: Path,
    given: Answers,
    *,
    yes: bool,
    ask: Ask | None,
    dry_run: bool = False,
) -> dict[str, str]:
    """init's answers: the one precedence (domain/profile/answers.py), then a question (or the default).

    With --yes or no terminal (ask None, or ctx not interactive) defaults are taken as they are, and a
    variable with neither an answer nor a default is an error naming the --set that supplies it.
    `dry_run`: `ask` only lists the questions; without a terminal it lists those a real run could not
    answer (no default) instead of failing."""
    from devenv.domain.profile.answers import answer, check_names, layers, resolve
    from devenv.domain.profile.variables import env_var_name

    ws = ctx.workspace_at(root)
    state = ws.load() if ws.exists() else None
    same_profile = state is not None and state.profile.file == profile.file
    ordered = layers(profile, given, ctx.env, saved_layer(ws, state, profile) if same_profile else {})
    check_names(profile, ordered)
    if state is not None and same_profile:
        check_secrets_kept(ws, profile, state, ordered)
    resolved = resolve(profile, ordered)
    values = dict(resolved.values)
    unanswered = resolved.unanswered
    if not unanswered:
        return values
    if yes or ask is None or not ctx.interactive:
        values, lacking = resolved.with_defaults()
        if lacking and dry_run and not yes and ask is not None:
            ask(lacking)  # the listing: what a run on a terminal would ask (or --set must answer)
            return values
        if lacking:
            var = lacking[0]
            why = "--yes asks no questions" if yes else "there is no terminal to ask"
            raise UserError(
                f"variable '{var.name}' has no default and no answer, and {why}"
                + (f" ({var.help})" if var.help else ""),
                hint=f"pass --set {var.name}=VALUE (or put it in an --answers file, or set {env_var_name(var.name)})",
            )
        return values
    answered = ask(unanswered)
    for var in unanswered:
        if var.name in answered:  # a dry run's listing answers nothing
            values[var.name] = answer(var, answered[var.name], "answer to")
    return values


def saved_layer(ws: Workspace, state: WorkspaceState | None, profile: Profile) -> dict[str, object]:
    """What an earlier run answered: non-secret answers from state.json, secrets from the 0600 .env."""
    from devenv.domain.profile.variables import secret_env_name

    saved: dict[str, object] = {k: v for k, v in state.answers.items() if k in profile.variables} if state else {}
    secrets = ws.read_secrets()
    for name, var in profile.variables.items():
        if var.secret and secret_env_name(name) in secrets:
            saved[name] = secrets[secret_env_name(name)]
    return saved


def check_secrets_kept(ws: Workspace, profile: Profile, state: WorkspaceState, ordered: list[Layer]) -> None:
    """A secret answered before and now gone from .env is an error, never a silent fall back to the default
    (unless the default is exactly the value that was in use)."""
    from devenv.domain.profile.answers import answered_by
    from devenv.domain.profile.variables import AnswerError, coerce
    from devenv.domain.stack.state import keyed_digest

    key = ws.read_key()
    for name, digest in state.secret_digests.items():
        var = profile.variables.get(name)
        if var is None or not var.secret or answered_by(ordered, name):
            continue
        if var.default is not None and key is not None:
            try:
                if keyed_digest(key, name, coerce(var, var.default)) == digest:
                    continue
            except AnswerError:
                pass
        raise UserError(
            f"the secret '{name}' is missing from {ws.env_file} (it was answered before)",
            hint=f"restore {ws.env_file} from a backup, or answer it again: devenv up --set {name}=...",
        )


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
    from devenv.domain.yamldoc import check_bounds
    from devenv.errors import ProfileError

    hint = "write one `name: value` per line (YAML), or a JSON object"
    text = read_text(path, what="answers file")
    try:
        check_bounds(text, str(path))  # depth and alias expansion bounded before safe_load builds anything
    except ProfileError as exc:
        bound = exc.problems[0]
        where = f"{path}:{bound.location.line}" if bound.location else str(path)
        raise UserError(f"{where}: {bound.message}", hint=hint) from exc
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
