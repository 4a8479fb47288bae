"""`devenv profile new NAME [--from-compose FILE ...] [-o DIR]`: start a profile.

From compose files, or from a few questions (asked here, with questionary; flags answer them without a
terminal)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from devenv.errors import UserError

NO_TERMINAL_HINT = "pass --image IMAGE (and --port, --service, --db), or --from-compose FILE"


def register(app: typer.Typer) -> None:
    app.command("new")(new)


def new(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="The new profile's name (lower-case letters, digits, - and _).")],
    from_compose: Annotated[
        list[Path] | None,
        typer.Option("--from-compose", "-f", help="A compose file to convert (repeatable, merged in order like -f)."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="The profile's folder (default: ./NAME), new or empty.")
    ] = None,
    image: Annotated[str | None, typer.Option(help="Without --from-compose: the first service's image.")] = None,
    service: Annotated[str, typer.Option(help="Without --from-compose: the first service's name.")] = "app",
    port: Annotated[int | None, typer.Option(help="Without --from-compose: the port it listens on.")] = None,
    db: Annotated[bool, typer.Option("--db", help="Without --from-compose: add a PostgreSQL service.")] = False,
) -> None:
    """Write a new profile: from compose files (plus a report of what was not carried over), or from a
    few questions."""
    from devenv.usecases.profile_new import from_answers
    from devenv.usecases.profile_new import from_compose as generate

    if from_compose:
        if image is not None or port is not None or db or service != "app":
            raise UserError(
                "--image, --service, --port and --db answer the questions of `profile new` without a compose file",
                hint="with --from-compose, the compose files say what the services are: drop those flags",
            )
        made = generate(ctx.obj, name, list(from_compose), output)
    else:
        if image is not None:
            answers: dict[str, Any] = {"description": f"The {name} stack", "service": service, "image": image}
            answers.update(port=port, database=db)
        elif ctx.obj.interactive:
            answers = _ask(name, service)
        else:
            raise UserError("devenv profile new asks a few questions, and there is no terminal", hint=NO_TERMINAL_HINT)
        made = from_answers(ctx.obj, name, output, **answers)
    typer.echo(f"wrote {made.profile} ({made.services} services, {made.variables} variables)")
    if made.report is not None:
        dropped = [n for n in made.notes if n.dropped]
        typer.echo(f"wrote {made.report} ({len(dropped)} not carried over, {len(made.notes) - len(dropped)} changed)")
        for note in dropped:
            typer.echo(f"  not carried over: {note.render()}")
    typer.echo(f"next: devenv profile lint {made.profile}")


def _ask(name: str, service: str) -> dict[str, Any]:
    """The questions; the answers as from_answers takes them."""
    import questionary

    def port_ok(text: str) -> bool | str:
        return text == "" or (text.isdigit() and 1 <= int(text) <= 65535) or "a port from 1 to 65535, or empty"

    description = _answer(questionary.text("What is the stack, in one line?", default=f"The {name} stack"))
    service = _answer(questionary.text("Name of the first service:", default=service))
    image = _answer(questionary.text(f"Image of {service}:", default="python:3.12"))
    port = _answer(questionary.text(f"Port {service} listens on (empty: none):", default="", validate=port_ok))
    database = _answer(questionary.confirm("Add a PostgreSQL database it links to?", default=False))
    return {
        "description": str(description),
        "service": str(service),
        "image": str(image),
        "port": int(port) if port else None,
        "database": bool(database),
    }


def _answer(question: Any) -> Any:
    """questionary answers None on Ctrl-C: stop (nothing was written yet)."""
    value = question.ask()
    if value is None:
        raise KeyboardInterrupt
    return value
