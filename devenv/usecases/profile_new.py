"""`devenv profile new NAME --from-compose FILE...`: compose's own reading of the files, turned into a
profile plus a report, linted, and written all at once (a temp folder renamed into place)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from devenv.context import AppContext
from devenv.domain.profile.format import NAME, SERVICE_NAME
from devenv.domain.profile.fromcompose import Note
from devenv.errors import UserError

PROFILE_FILE = "profile.yaml"
REPORT_FILE = "from-compose.md"


@dataclass(frozen=True)
class NewProfile:
    folder: Path
    profile: Path
    report: Path | None
    services: int
    variables: int
    notes: list[Note]


def check_name(name: str) -> None:
    if not re.fullmatch(NAME, name):
        raise UserError(
            f"'{name}' is not a profile name", hint="use lower-case letters, digits, - and _, e.g. shop-backend"
        )


def target_folder(ctx: AppContext, name: str, output: Path | None) -> Path:
    """The new profile's folder: it must not exist yet, or be empty (nothing is ever overwritten)."""
    folder = (ctx.cwd / (output or Path(name))).resolve()
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise UserError(f"{folder} already exists and is not empty", hint="pass -o NEW_FOLDER, or remove it first")
    return folder


def from_compose(ctx: AppContext, name: str, files: list[Path], output: Path | None) -> NewProfile:
    from devenv.adapters.compose_sources import read_written
    from devenv.domain.profile.fromcompose import Locator, convert
    from devenv.domain.profile.fromcompose.convert import profile_text
    from devenv.domain.profile.fromcompose.paths import Checkout
    from devenv.domain.profile.fromcompose.report import report_text

    check_name(name)
    paths = [(ctx.cwd / f).resolve() for f in files]
    for path in paths:
        if not path.is_file():
            raise UserError(f"compose file not found: {path}", hint="pass --from-compose with a compose file")
    folder = target_folder(ctx, name, output)
    config = json.loads(ctx.compose.project_config(paths, project=re.sub(r"[^a-z0-9_-]", "", name) or "devenv"))
    root, repo_url = _checkout(ctx, paths[0].parent)
    generated = convert(name, config, Locator(read_written(paths)), Checkout(str(root)), repo_url=repo_url)
    notes = list(generated.notes)
    if "repo" in generated.doc and repo_url.startswith("file://"):
        why = f"{root} has no git remote: repo is {repo_url}; point it at the platform's repository before publishing"
        notes.append(Note(str(paths[0]), "repo", why, dropped=False))
    notes = [_relative(n, ctx.cwd) for n in notes]
    shown = [str(f) for f in files]
    text = profile_text(generated.doc, shown, REPORT_FILE)
    report = report_text(name, shown, notes)
    _write(ctx, folder, text, report)
    return NewProfile(
        folder=folder,
        profile=folder / PROFILE_FILE,
        report=folder / REPORT_FILE,
        services=len(generated.doc["services"]),
        variables=len(generated.doc.get("variables") or {}),
        notes=notes,
    )


def from_answers(
    ctx: AppContext,
    name: str,
    output: Path | None,
    *,
    description: str,
    service: str,
    image: str,
    port: int | None,
    database: bool,
) -> NewProfile:
    """The small commented profile of `profile new NAME` (no compose file), linted before it is in place."""
    from devenv.domain.profile.starter import Starter, starter_text

    check_name(name)
    answers = Starter(description, service, image, port, database)
    if not re.fullmatch(SERVICE_NAME, answers.service):
        raise UserError(f"'{answers.service}' is not a service name", hint="use lower-case letters, digits, - and _")
    if answers.port is not None and not 1 <= answers.port <= 65535:
        raise UserError(f"port {answers.port} is not between 1 and 65535", hint="pass --port with the container port")
    if not answers.image.strip():
        raise UserError("the image is empty", hint="pass --image IMAGE, e.g. --image python:3.12")
    folder = target_folder(ctx, name, output)
    _write(ctx, folder, starter_text(name, answers), None)
    services = 2 if answers.database else 1
    variables = int(answers.port is not None) + int(answers.database)
    return NewProfile(folder, folder / PROFILE_FILE, None, services, variables, [])


def _relative(note: Note, cwd: Path) -> Note:
    """Report locations relative to where the command ran, when they are below it."""
    prefix = str(cwd.resolve()).rstrip("/") + "/"
    return replace(note, where=note.where.removeprefix(prefix))


def _checkout(ctx: AppContext, folder: Path) -> tuple[Path, str]:
    """The platform checkout the compose files live in (the git work tree, else their folder), and its URL."""
    from devenv.adapters.git import Git

    git = Git(ctx.runner)
    top = git.toplevel(folder) if ctx.runner.which("git") else None
    root = top or folder.resolve()
    url = (git.remote_url(top) if top else None) or f"file://{root}"
    return root, url


def _write(ctx: AppContext, folder: Path, profile: str, report: str | None) -> None:
    """Write into a temp folder beside the target, lint it there, then rename it into place."""
    from devenv.usecases.profiles import lint

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        (tmp / PROFILE_FILE).write_text(profile, encoding="utf-8")
        if report is not None:
            (tmp / REPORT_FILE).write_text(report, encoding="utf-8")
        results = lint(ctx, [str(tmp / PROFILE_FILE)], {})
        problems = [p.render().replace(str(tmp), str(folder)) for r in results for p in r.problems]
        if problems:
            raise UserError(
                f"the generated profile does not lint: {problems[0]}",
                hint="this is a devenv bug: run with --debug and report it with the compose file",
            )
        if folder.exists():
            folder.rmdir()  # empty (checked before): replaced by the finished folder
        tmp.rename(folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
