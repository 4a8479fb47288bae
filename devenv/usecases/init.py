"""`devenv init`: the new hire's one command, from a bare machine to a running stack.

Steps, in order: doctor (Docker, compose, git; fixes with consent) -> profile (which one) -> clone (the
profile's platform repo, if it names one) -> answers (rendered into the workspace) -> up. Each finished
step is recorded in `<dir>/.devenv/init.json`, so running init again after a failure resumes where it
stopped. The use case never prompts or prints: the CLI hands in choose/ask/confirm/out.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devenv.adapters.workspace import STATE_DIR, Workspace
from devenv.domain.profile.answers import Answers
from devenv.errors import Interrupted, UserError
from devenv.usecases.answers import collect_answers, listing, read_answers_file
from devenv.usecases.clone import check_clone_target, clone_into, finish_interrupted_clone
from devenv.usecases.code import CodeInfo, copy_code

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.domain.profile.model import Profile, Repo
    from devenv.usecases.answers import Ask
    from devenv.usecases.up import Progress, UpResult

STEPS = ("doctor", "profile", "clone", "answers", "up")
RECORD_FILE = "init.json"
RECORD_VERSION = 1

Out = Callable[[str], None]
Confirm = Callable[[str], bool]


@dataclass(frozen=True)
class ProfileChoice:
    name: str
    description: str
    shipped: bool = False  # one of devenv's own (example), listed after the team's


Choose = Callable[[list[ProfileChoice]], str]


@dataclass
class InitResult:
    root: Path
    profile: str | None
    up: UpResult | None = None
    dry_run: bool = False
    resumed_at: str | None = None  # the first step this run had to do, when an earlier run did some
    all_done_before: bool = False  # every step had finished: this run only checked the stack
    code: CodeInfo | None = None  # the code the profile ships, copied into the workspace


@dataclass
class Record:
    """Which steps finished (`.devenv/init.json`); never holds an answer's value."""

    path: Path
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    existed: bool = False
    writable: bool = False  # False until writing into the folder is known to be safe (never in a dry run)

    @classmethod
    def load(cls, root: Path) -> Record:
        path = root / STATE_DIR / RECORD_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            steps = {k: dict(v) for k, v in data["steps"].items() if k in STEPS and isinstance(v, dict)}
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(path, existed=True, writable=True)  # damaged: start over, it is only a record
        return cls(path, steps, existed=True, writable=True)

    def done(self, step: str) -> bool:
        return step in self.steps

    def finish(self, step: str, **details: Any) -> None:
        self.steps[step] = {"at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **details}
        self.save()

    def forget(self, *steps: str) -> None:
        for step in steps:
            self.steps.pop(step, None)
        self.save()

    def save(self) -> None:
        if not self.writable:
            return
        from devenv.adapters.fs import write_atomic

        Workspace(self.path.parent.parent).prepare()  # .devenv/ with its .gitignore
        ordered = {s: self.steps[s] for s in STEPS if s in self.steps}
        write_atomic(self.path, json.dumps({"version": RECORD_VERSION, "steps": ordered}, indent=2) + "\n")


def init(
    ctx: AppContext,
    *,
    profile: str | None,
    directory: Path | None,
    sets: Mapping[str, str],
    answers_file: Path | None,
    yes: bool,
    dry_run: bool,
    choose: Choose,
    ask: Ask,
    confirm: Confirm,
    out: Out,
    output: Callable[[str], None] | None = None,
    progress: Progress | None = None,
    timeout: float = 300.0,
) -> InitResult:
    """Run (or resume) init in `directory` (default: --workspace, else the current folder)."""
    root = _root(ctx, directory)
    if not dry_run:
        finish_interrupted_clone(root)
    flow = _Init(
        ctx=ctx,
        root=root,
        record=Record.load(root),
        given=Answers(
            sets=sets,
            file=(f"--answers {answers_file}", read_answers_file(_absolute(ctx, answers_file)))
            if answers_file
            else None,
        ),
        yes=yes,
        dry_run=dry_run,
        choose=choose,
        ask=ask,
        confirm=confirm,
        out=out,
        output=output,
        progress=progress,
        timeout=timeout,
    )
    try:
        return flow.run(profile)
    except KeyboardInterrupt as exc:
        during = f" during the {flow.current} step" if flow.current else ""
        raise Interrupted.by(
            exc,
            f"devenv init was interrupted{during}",
            hint="run the same command again to carry on: finished steps are not repeated",
        ) from None


@dataclass
class _Init:
    ctx: AppContext
    root: Path
    record: Record
    given: Answers  # --set and --answers FILE
    yes: bool
    dry_run: bool
    choose: Choose
    ask: Ask
    confirm: Confirm
    out: Out
    output: Callable[[str], None] | None
    progress: Progress | None
    timeout: float
    current: str | None = None  # the step under way
    first: str | None = None  # the first step this run had to do
    loaded: dict[str, Profile] = field(default_factory=dict)  # ref -> profile: each is loaded once

    def run(self, given: str | None) -> InitResult:
        ctx, record, out = self.ctx, self.record, self.out
        result = InitResult(root=self.root, profile=None, dry_run=self.dry_run)
        ref = _known_profile(ctx, self.root, record, given)
        answers = self.preflight(ref)
        if not (record.done("doctor") and ctx.engine.ping()):
            self.begin("doctor")
            _doctor(ctx, out=out, confirm=self.confirm, dry_run=self.dry_run, yes=self.yes, output=self.output)
            record.finish("doctor")
        chosen = ref is None  # chosen on screen: the choice is not repeated
        if ref is None:
            self.begin("profile")
            choices = profile_choices(ctx)
            if not choices:
                raise UserError("no profiles found", hint="pass --profile PATH to a profile file")
            if self.dry_run:
                out(f"would ask which profile to use: {', '.join(c.name for c in choices)}")
                out("dry run: the rest depends on the profile chosen; nothing was changed")
                return result
            ref = _resolve_ref(ctx, self.choose(choices))
        prof = self.profile(ref, show=not chosen)
        result.profile = prof.name
        if prof.repo is not None and not (record.done("clone") and (self.root / ".git").exists()):
            self.clone(prof.repo)
        result.code = copy_code(prof, self.root, dry_run=self.dry_run, out=out)
        ws = self.ctx.workspace_at(self.root)
        if not record.done("answers") or self.given.sets or self.given.file or not ws.exists():
            if record.done("answers") and ws.exists():
                out("answers given: the answers step runs again")
            self.answers(ws, prof, ref, answers)
        if self.dry_run:
            self.begin("up")
            out("would bring the stack up: build, start, wait until healthy, seed once")
            out("dry run: nothing was changed")
            return result
        # up is convergent: when every step had finished, running it again is the no-op check
        result.all_done_before = self.first is None and record.done("up")
        if result.all_done_before:
            out("every step of devenv init finished before: checking that the stack is still up")
        self.begin("up")
        from devenv.usecases.lockfile import record_images
        from devenv.usecases.up import up

        ask = None if self.yes else self.ask  # a variable a newer profile version added
        pinned = {name: str(value) for name, value in self.given.sets.items()}  # an auto port you --set stays
        result.up = up(self.workspace_ctx(), progress=self.progress, timeout=self.timeout, sets=pinned, ask=ask)
        record_images(self.workspace_ctx(), ws)  # the lock notes the image each service runs
        record.finish("up")
        result.resumed_at = self.first if record.existed and not result.all_done_before else None
        return result

    def begin(self, step: str) -> None:
        """Note the step under way; at the first one, say where an earlier run is resumed."""
        self.current = step
        if self.first is not None:
            return
        self.first = step
        done = [s for s in STEPS if self.record.done(s)]
        if self.record.existed and done and not self.record.done(step):
            self.out(f"resuming at {step} (finished before: {', '.join(done)})")

    def workspace_ctx(self) -> AppContext:
        ws_ctx = copy.copy(self.ctx)  # the same adapters, pointed at this workspace
        ws_ctx.workspace_override = self.root
        return ws_ctx

    def preflight(self, ref: str | None) -> dict[str, str] | None:
        """Before anything changes: the profile, the folder and, when nobody will be asked, every answer."""
        ctx = self.ctx
        if ref is None:
            if self.dry_run or not (self.yes or not ctx.interactive):
                return None
            names = ", ".join(c.name for c in profile_choices(ctx)) or "(none found)"
            why = "--yes asks no questions" if self.yes else "there is no terminal to ask"
            raise UserError(f"which profile? {why}", hint=f"pass --profile NAME; available: {names}")
        prof = self.load(ref)
        if prof.repo is not None and not self.record.done("clone"):
            check_clone_target(ctx, self.root, prof.repo)
        self.approve(prof)
        if self.yes or not (ctx.interactive or self.dry_run):  # a dry run lists what it would ask instead
            return collect_answers(ctx, prof, self.root, self.given, yes=self.yes, ask=None)
        return None

    def load(self, ref: str) -> Profile:
        """The profile, loaded once per run, and the names of the answers given checked against it."""
        from devenv.domain.profile.answers import check_names, layers

        if ref not in self.loaded:
            prof = _load(self.ctx, ref)
            check_names(prof, layers(prof, self.given, {}))
            self.loaded[ref] = prof
        return self.loaded[ref]

    def profile(self, ref: str, *, show: bool) -> Profile:
        prof = self.load(ref)
        previous = self.record.steps.get("profile", {}).get("ref")
        if previous == ref:
            return prof
        if previous is not None:
            self.out(f"profile changed from {previous} to {ref}: the later steps run again")
            self.record.forget("profile", "clone", "answers", "up")
        self.begin("profile")
        if show:
            self.out(f"profile: {prof.name}" + (f" - {prof.description}" if prof.description else ""))
        if prof.repo is not None:
            check_clone_target(self.ctx, self.root, prof.repo)
        self.approve(prof)
        self.record.writable = not self.dry_run  # the folder is fit for .devenv/ now
        self.record.finish("profile", ref=ref)
        return prof

    def approve(self, prof: Profile) -> None:
        """Declared host access is approved before anything is installed, cloned or started."""
        from devenv.usecases.hostaccess import approve

        if not self.dry_run:
            approve(self.ctx, prof)

    def clone(self, repo: Repo) -> None:
        self.begin("clone")
        root = self.root
        if self.dry_run:
            what = "reuse the clone at" if (root / ".git").exists() else "clone it into"
            self.out(f"would {what} {root}: {repo.url}" + (f" (branch {repo.branch})" if repo.branch else ""))
            return
        interactive = self.ctx.interactive
        shown = self.output if interactive else None  # git's progress bars only on a terminal
        action = clone_into(self.ctx, repo, root, interactive=interactive, progress=shown)
        self.out(f"cloned {repo.url} into {root}" if action == "cloned" else f"reusing the clone at {root}")
        self.record.finish("clone", url=repo.url)

    def answers(self, ws: Workspace, prof: Profile, ref: str, answers: dict[str, str] | None) -> None:
        """Collect the answers and render them into the workspace (secrets only in the 0600 .env)."""
        self.begin("answers")
        if answers is None:
            ask = listing(self.out) if self.dry_run else self.ask
            answers = collect_answers(
                self.ctx, prof, self.root, self.given, yes=self.yes, ask=ask, dry_run=self.dry_run
            )
        if self.dry_run:
            known = [f"{k}={'(secret)' if prof.variables[k].secret else v}" for k, v in answers.items()]
            if known:
                self.out(f"answers: {', '.join(known)}")
            self.out(f"would write the workspace in {self.root / STATE_DIR} and render the compose file")
            return
        from devenv.usecases.workspace import prepare

        with ws.lock("init"):
            repo_dir = self.root if prof.repo else None
            prepare(self.workspace_ctx(), profile_ref=ref, sets=answers, repo_dir=repo_dir, loaded=prof)
        self.record.finish("answers")


def _root(ctx: AppContext, directory: Path | None) -> Path:
    chosen = directory if directory is not None else ctx.workspace_override
    return _absolute(ctx, chosen) if chosen is not None else ctx.cwd.resolve()


def _absolute(ctx: AppContext, path: Path) -> Path:
    return (ctx.cwd / path.expanduser()).resolve()


def _known_profile(ctx: AppContext, root: Path, record: Record, given: str | None) -> str | None:
    """--profile, else the one an earlier run chose, else the workspace's, else the configured default."""
    if given:
        return _resolve_ref(ctx, given)
    recorded = record.steps.get("profile", {}).get("ref")
    if isinstance(recorded, str):
        return recorded
    ws = ctx.workspace_at(root)
    if ws.exists():
        return ws.load().profile.ref
    default = ctx.settings.default_profile
    return _resolve_ref(ctx, default) if default else None


def _resolve_ref(ctx: AppContext, ref: str) -> str:
    """A name stays a name; a path becomes absolute, so a later run from another folder finds it."""
    from devenv.adapters.profile_files import looks_like_path

    if not looks_like_path(ref) or _source_address(ctx, ref):
        ctx.profile_files.locate(ref)  # an unknown name fails now, listing the available ones
        return ref
    return str(ctx.profile_files.locate(ref))


def _source_address(ctx: AppContext, ref: str) -> bool:
    """SOURCE/NAME[@VERSION] of a registered source (kept as written: the lock and status show it)."""
    source, slash, _ = ref.partition("/")
    return bool(slash) and ctx.sources.get(source) is not None and not (ctx.cwd / ref).exists()


def _load(ctx: AppContext, ref: str) -> Profile:
    from devenv.usecases.profiles import load

    return load(ctx, ref)


def profile_choices(ctx: AppContext) -> list[ProfileChoice]:
    """Every named profile with its description (a broken one says so instead): the configured sources'
    first, in the order they are configured, then those shipped with devenv; by name within a source.
    The first is the one the picker points at: the team's profile, not `example`."""
    from devenv.adapters.profile_files import SHIPPED
    from devenv.errors import DevenvError

    order = {source: i for i, source in enumerate(ctx.profile_files.sources)}
    ranked = []
    for entry in ctx.profile_files.entries():
        try:
            description = _load(ctx, str(entry.path)).description
        except DevenvError as exc:
            description = f"(cannot be loaded: {exc.message})"
        shipped = entry.source_name == SHIPPED
        ranked.append((shipped, order.get(entry.source, 0), entry.ref, ProfileChoice(entry.ref, description, shipped)))
    return [choice for *_key, choice in sorted(ranked, key=lambda r: r[:3])]


def _doctor(
    ctx: AppContext,
    *,
    out: Out,
    confirm: Confirm,
    dry_run: bool,
    yes: bool,
    output: Callable[[str], None] | None,
) -> None:
    from devenv.domain.doctor.checks import Status
    from devenv.usecases.doctor import ESSENTIAL, ensure_engine

    report = ensure_engine(ctx, out=out, confirm=confirm, dry_run=dry_run, assume_yes=yes, output=output)
    for r in report.results:
        if r.status is Status.WARN:
            out(f"warning: {r.title}: {r.detail}")
    failing = report.failing(ESSENTIAL)
    if failing:  # only in a dry run: ensure_engine raises otherwise
        out("would fix first: " + "; ".join(f"{r.title}: {r.detail}" for r in failing))
    else:
        out("doctor: Docker, compose and git are ready")
