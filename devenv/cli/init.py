"""`devenv init [--profile P] [--dir D] [--set k=v] [--answers FILE] [--yes] [--dry-run]`.

The prompts live here (questionary, imported only when a question is asked); the steps live in
devenv.usecases.init.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from devenv.cli.approval import TrustOption
from devenv.cli.completion import complete_profiles
from devenv.cli.json_output import JsonOption
from devenv.cli.stack import SetOption, TimeoutOption

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.usecases.init import InitResult, ProfileChoice


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def init(
    ctx: typer.Context,
    profile: Annotated[
        str | None, typer.Option("--profile", "-p", help="Profile name or file.", autocompletion=complete_profiles)
    ] = None,
    directory: Annotated[
        Path | None,
        typer.Option("--dir", "-d", help="Workspace folder (default: the current one); the repo is cloned here."),
    ] = None,
    sets: SetOption = None,
    answers: Annotated[
        Path | None, typer.Option("--answers", help="A YAML or JSON file of answers (name: value).")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing: take defaults, run fixes.")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would happen; change nothing.")] = False,
    timeout: TimeoutOption = 300.0,
    trust_host_access: TrustOption = False,
    as_json: JsonOption = False,
) -> None:
    """Set up everything: check Docker, choose a profile, clone its repo, answer its questions, bring it up."""
    from devenv.cli.approval import set_up_approval
    from devenv.cli.questions import ask_variables
    from devenv.cli.stack import ProgressView, print_up_result
    from devenv.usecases.init import init as do_init
    from devenv.usecases.sets import parse_sets

    app: AppContext = ctx.obj
    set_up_approval(app, trust_host_access)
    view = ProgressView()
    try:
        result = do_init(
            app,
            profile=profile,
            directory=directory,
            sets=parse_sets(sets or []),
            answers_file=answers,
            yes=yes,
            dry_run=dry_run,
            choose=_choose,
            ask=ask_variables,
            confirm=_confirmer(app),
            out=_say_to_stderr if as_json else typer.echo,  # with --json, stdout holds the JSON alone
            output=_pass_to_stderr if as_json else _passthrough,
            progress=view,
            timeout=timeout,
        )
    finally:
        view.close()  # a live progress table on a terminal: stopped before the closing screen
    if as_json:
        from devenv.cli.json_output import echo_init

        return echo_init(app, result)
    if result.up is not None:
        print_up_result(result.up)
        _closing(app, result)


def _closing(app: AppContext, result: InitResult) -> None:
    assert result.up is not None
    urls = {name: st.urls() for name, st in result.up.statuses.items() if st.urls()}
    services = list(result.up.statuses)
    main = next(iter(urls), "web" if "web" in services else (services[0] if services else "web"))
    typer.echo("")
    typer.echo(f"Your {result.profile} stack runs from {result.root}.")
    if urls:
        typer.echo("Open:")
        width = max(len(n) for n in urls)
        for name, links in urls.items():
            typer.echo(f"  {name.ljust(width)}  {'  '.join(links)}")
    code = result.code
    if code is not None:
        typer.echo(f"Your code is in {code.folder}: edit it there.")
    typer.echo("Next:")
    commands = [] if result.root == app.cwd.resolve() else [(f"cd {result.root}", "go to the workspace")]
    if code is not None and code.watched:
        commands.append(("devenv watch", "sync, restart or rebuild as you save (the profile's watch rules)"))
    if code is not None and code.tests:
        commands.append((code.tests, "run the code's tests against the live services"))
    commands += [
        ("devenv status", "every service's state and URLs"),
        (f"devenv logs -f {main}", f"follow the {main} service's logs"),
        ("devenv down", "stop the stack (your data stays)"),
    ]
    width = max(len(c) for c, _ in commands)
    for command, what in commands:
        typer.echo(f"  {command.ljust(width)}  # {what}")


def _choose(choices: list[ProfileChoice]) -> str:
    import questionary

    options = [
        questionary.Choice(title=f"{c.name} — {c.description}" if c.description else c.name, value=c.name)
        for c in choices
    ]
    # the first is the team's profile (configured sources come first): the one to preselect
    first = options[0].value if options else None
    return str(_answer(questionary.select("Which profile?", choices=options, default=first)))


def _answer(question: Any) -> Any:
    """questionary answers None when the user pressed Ctrl-C: stop, and say how to carry on."""
    value = question.ask()
    if value is None:
        raise KeyboardInterrupt
    return value


def _confirmer(app: AppContext) -> Any:
    from devenv.cli.confirm import confirmer

    def ask(question: str) -> bool:
        import questionary

        return bool(_answer(questionary.confirm(question, default=False)))

    return confirmer(app, ask=ask)  # --yes is the plan runner's assume_yes: some questions it must not answer


def _passthrough(text: str) -> None:
    sys.stdout.write(text)
    sys.stdout.flush()


def _say_to_stderr(text: str) -> None:
    typer.echo(text, err=True)


def _pass_to_stderr(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()
