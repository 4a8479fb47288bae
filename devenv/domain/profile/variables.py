"""Variables: `${name}` references in profiles, typed answers, and interpolation.

`$$` writes a literal `$`. Rendering for compose escapes every other `$` so compose's own interpolation
never changes what the profile said, and turns secret references into `${DEVENV_SECRET_...}`, whose
values live only in the 0600 .env file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from devenv.domain.profile.model import Variable

_TOKEN = re.compile(r"\$(\$|\{([^}]*)\}|\{)?")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")
TRUE = {"true", "yes", "y", "on", "1"}
FALSE = {"false", "no", "n", "off", "0"}


class AnswerError(ValueError):
    """An answer that does not fit its variable; the message says what would."""


@dataclass(frozen=True)
class Reference:
    name: str
    start: int


def scan(text: str) -> tuple[list[Reference], list[str]]:
    """The `${name}` references in text, and syntax errors (an unclosed `${`, a bad name)."""
    refs: list[Reference] = []
    errors: list[str] = []
    for m in _TOKEN.finditer(text):
        token = m.group(1)
        if token is None or token == "$":
            continue
        if token == "{":
            errors.append("'${' is not closed with '}' (write $$ for a literal $)")
            continue
        name = m.group(2) or ""
        if not NAME.fullmatch(name):
            errors.append(f"'${{{name}}}' is not a variable reference (write $$ for a literal $)")
            continue
        refs.append(Reference(name, m.start()))
    return refs, errors


def interpolate(text: str, value_of: Callable[[str], str], *, escape_dollars: bool) -> str:
    """Replace `${name}` with value_of(name); `$$` -> `$`, or kept as `$$` (and lone `$` doubled) for compose."""

    def sub(m: re.Match[str]) -> str:
        token = m.group(1)
        if token is None or token in {"$", "{"}:
            return "$$" if escape_dollars else "$"
        return value_of(m.group(2))

    return _TOKEN.sub(sub, text)


def secret_env_name(variable: str) -> str:
    return "DEVENV_SECRET_" + re.sub(r"[^A-Za-z0-9]", "_", variable).upper()


def env_var_name(variable: str) -> str:
    """Where an answer may come from the environment: DEVENV_VAR_<NAME>."""
    return "DEVENV_VAR_" + re.sub(r"[^A-Za-z0-9]", "_", variable).upper()


def coerce(var: Variable, raw: object) -> str:
    """An answer as the text substituted into the profile; raises AnswerError when it does not fit."""
    text = _text(raw)
    if var.type == "bool":
        word = text.strip().lower()
        if word in TRUE:
            return "true"
        if word in FALSE:
            return "false"
        raise AnswerError(f"'{text}' is not true or false")
    if var.type in {"int", "port"}:
        try:
            number = int(text.strip())
        except ValueError:
            raise AnswerError(f"'{text}' is not a whole number") from None
        low: int | None = var.min if var.min is not None else (1 if var.type == "port" else None)
        high: int | None = var.max if var.max is not None else (65535 if var.type == "port" else None)
        if low is not None and number < low:
            raise AnswerError(f"{number} is below the minimum {low}")
        if high is not None and number > high:
            raise AnswerError(f"{number} is above the maximum {high}")
        return str(number)
    if var.type == "choice":
        allowed = [_text(c) for c in var.choices]
        if text not in allowed:
            raise AnswerError(f"'{text}' is not one of: {', '.join(allowed)}")
        return text
    if "\n" in text or "\x00" in text:
        raise AnswerError("the value must be a single line")
    if var.pattern is not None and not re.fullmatch(var.pattern, text):
        shown = "the value" if var.secret else f"'{text}'"
        raise AnswerError(f"{shown} does not match the pattern {var.pattern}")
    return text


def _text(raw: object) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    return "" if raw is None else str(raw)


def placeholder(var: Variable, index: int) -> str:
    """A stand-in answer so a profile can be linted without its required answers."""
    if var.type == "port":
        return str(49152 + index)
    if var.type == "int":
        return str(var.min if var.min is not None else 0)
    if var.type == "bool":
        return "false"
    if var.type == "choice" and var.choices:
        return _text(var.choices[0])
    return f"{var.name}-placeholder"
