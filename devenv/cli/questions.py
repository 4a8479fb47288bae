"""A profile's questions on the terminal (questionary, imported only when a question is asked).

`init` asks what no layer answers; `up` (and init's up on a workspace made before) asks what a newer
profile version added without a default. Each answer is checked as it is typed; a question without a
default refuses an empty answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devenv.domain.profile.model import Variable

NEEDS_AN_ANSWER = "an answer is needed: this question has no default"


def ask_variables(variables: list[Variable]) -> dict[str, str]:
    """One question per variable, its default pre-filled, each answer checked as it is typed."""
    import questionary

    from devenv.usecases.answers import shown_default

    answers: dict[str, str] = {}
    for var in variables:
        message = f"{var.help} ({var.name})" if var.help else var.name
        default = shown_default(var)
        question: Any
        if var.secret:
            keep = " [Enter keeps the default]" if default else ""
            question = questionary.password(message + keep, validate=validator(var, empty_ok=bool(default)))
        elif var.type == "bool":
            question = questionary.confirm(message, default=default == "true")
        elif var.type == "choice":
            options = [str(c) if not isinstance(c, bool) else str(c).lower() for c in var.choices]
            question = questionary.select(message, choices=options, default=default if default in options else None)
        else:
            question = questionary.text(message, default=default, validate=validator(var))
        value = answer_of(question)
        if isinstance(value, bool):
            value = "true" if value else "false"
        answers[var.name] = default if var.secret and value == "" else str(value)
    return answers


def ask_new(variables: list[Variable]) -> dict[str, str]:
    """`up`'s questions: what the profile added since the workspace's answers, said as such first."""
    import typer

    names = ", ".join(var.name for var in variables)
    typer.echo(f"the profile has new questions since your last answers: {names}", err=True)
    return ask_variables(variables)


def validator(var: Variable, *, empty_ok: bool = False) -> Any:
    """questionary's check of a typed answer: True, or the problem shown under the question."""
    from devenv.usecases.answers import answer_problem

    def validate(text: str) -> bool | str:
        if text == "" and empty_ok:
            return True
        if text.strip() == "" and var.default is None:
            return NEEDS_AN_ANSWER
        return answer_problem(var, text) or True

    return validate


def answer_of(question: Any) -> Any:
    """questionary answers None when the user pressed Ctrl-C: stop, and say how to carry on."""
    value = question.ask()
    if value is None:
        raise KeyboardInterrupt
    return value
