"""Answers to a profile's variables: where they come from, in which order, and how each is checked.

The precedence, written here once and used by every command that takes answers (init, up, reset,
`profile render`, `profile lint`):

    --set NAME=VALUE  >  --answers FILE (init)  >  DEVENV_VAR_<NAME>  >  saved answers  >  the default

A variable no layer answers is the caller's to settle (`unanswered`): init asks it on a terminal, the
other commands take the default or stop with an error naming the flag, lint puts in a stand-in.
Names given by the user (--set, an answers file) are checked here, and every value is coerced here.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field

from devenv.domain.profile.model import Profile, Variable
from devenv.domain.profile.variables import AnswerError, coerce, env_var_name
from devenv.errors import UserError

ENVIRONMENT = "environment"
SAVED = "saved answers"


@dataclass(frozen=True)
class Layer:
    origin: str  # how a message names it: "--set", "--answers a.yaml", "environment", "saved answers"
    answers: Mapping[str, object]
    named_by_user: bool = False  # the user wrote these names: one the profile lacks is an error


@dataclass(frozen=True)
class Answers:
    """What the user gave, before it meets a profile: --set and an answers file (init's --answers)."""

    sets: Mapping[str, object] = field(default_factory=dict)
    file: tuple[str, Mapping[str, object]] | None = None  # ("--answers PATH", its answers)


def env_answers(profile: Profile, env: Mapping[str, str]) -> dict[str, str]:
    """Answers from DEVENV_VAR_<NAME> environment variables."""
    return {name: env[key] for name in profile.variables if (key := env_var_name(name)) in env}


def layers(
    profile: Profile,
    given: Answers,
    env: Mapping[str, str],
    saved: Mapping[str, object] | None = None,
) -> list[Layer]:
    """The layers in precedence order; the first that has a variable's answer wins."""
    out = [Layer("--set", given.sets, named_by_user=True)]
    if given.file is not None:
        out.append(Layer(given.file[0], given.file[1], named_by_user=True))
    out.append(Layer(ENVIRONMENT, env_answers(profile, env)))
    if saved is not None:
        out.append(Layer(SAVED, saved))
    return out


def check_names(profile: Profile, given: list[Layer]) -> None:
    """A name the user gave that the profile does not have is an error, with a did-you-mean."""
    known = list(profile.variables)
    for layer in given:
        unknown = [n for n in layer.answers if n not in profile.variables] if layer.named_by_user else []
        if unknown:
            close = difflib.get_close_matches(unknown[0], known, n=1)
            raise UserError(
                f"{layer.origin}: '{unknown[0]}' is not a variable of profile '{profile.name}'",
                hint=f"did you mean '{close[0]}'?" if close else f"variables: {', '.join(known) or '(none)'}",
            )


def answer(var: Variable, raw: object, origin: str) -> str:
    """One value coerced to its variable's type; a value that does not fit is an error naming its origin."""
    try:
        return coerce(var, raw)
    except AnswerError as exc:
        raise UserError(f"{origin} {var.name}: {exc}", hint=var.help or None) from exc


@dataclass(frozen=True)
class Resolved:
    values: dict[str, str]  # every variable a layer answered, coerced
    unanswered: list[Variable]  # in the profile's order: no layer has them

    def with_defaults(self) -> tuple[dict[str, str], list[Variable]]:
        """The values with each unanswered variable's default; and those that have no default."""
        values = dict(self.values)
        lacking = []
        for var in self.unanswered:
            if var.default is None:
                lacking.append(var)
            else:
                values[var.name] = answer(var, var.default, "default")
        return values, lacking


def resolve(profile: Profile, ordered: list[Layer]) -> Resolved:
    """Check the user's names, then take each variable's answer from the first layer that has it."""
    check_names(profile, ordered)
    values: dict[str, str] = {}
    unanswered: list[Variable] = []
    for name, var in profile.variables.items():
        layer = next((layer for layer in ordered if name in layer.answers), None)
        if layer is None:
            unanswered.append(var)
        else:
            values[name] = answer(var, layer.answers[name], layer.origin)
    return Resolved(values, unanswered)


def answered_by(ordered: list[Layer], name: str) -> bool:
    return any(name in layer.answers for layer in ordered)
