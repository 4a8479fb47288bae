"""Opening a workspace and keeping its rendered compose file in step with profile and answers.

`prepare` is the no-op fast path's first half: when nothing that rendering depends on changed and the
generated files are as written (a digest kept in state), it re-renders nothing and imports no YAML.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devenv import __version__
from devenv.adapters.compose import ComposeFiles
from devenv.adapters.workspace import DamagedState, Workspace
from devenv.context import AppContext
from devenv.domain.stack.names import service_image
from devenv.domain.stack.state import ProfileRef, WorkspaceState, keyed_digest, render_key
from devenv.errors import UserError

if TYPE_CHECKING:
    from devenv.domain.profile.answers import Resolved
    from devenv.domain.profile.model import Profile
    from devenv.usecases.answers import Ask


def locate(ctx: AppContext, *, create: bool = False) -> Workspace:
    if ctx.workspace_override is not None:
        return ctx.workspace_at(ctx.workspace_override.resolve())
    found = ctx.find_workspace(ctx.cwd)
    if found is not None:
        return found
    if create:
        return ctx.workspace_at(ctx.cwd.resolve())
    raise UserError(
        f"no devenv workspace at {ctx.cwd} or above",
        hint="run `devenv up --profile example` here, `devenv init`, or pass --workspace PATH",
    )


def open_existing(ctx: AppContext) -> tuple[Workspace, WorkspaceState]:
    ws = locate(ctx)
    return ws, ws.load()


def files_of(ws: Workspace, state: WorkspaceState) -> ComposeFiles:
    return ComposeFiles(ws.compose_file, ws.env_file, state.project)


def env_layer(env: Mapping[str, str]) -> list[str]:
    return sorted(f"{k}={v}" for k, v in env.items() if k.startswith("DEVENV_VAR_"))


def current_key(ws: Workspace, state: WorkspaceState, env: Mapping[str, str]) -> str | None:
    """The render key as things stand now, or None if a profile file is gone."""
    texts = []
    for file in state.profile_files:
        try:
            texts.append(Path(file).read_text(encoding="utf-8"))
        except OSError:
            return None
    from devenv.usecases.remote import render_salt

    extra = [__version__, state.repo_dir or "", state.project, *env_layer(env), *render_salt(env)]
    key = ws.read_key()
    if key is None:
        return None
    return render_key(texts, state.answers, ws.read_secrets(), extra, key)


def up_to_date(ws: Workspace, state: WorkspaceState, env: Mapping[str, str]) -> bool:
    """The rendered files match the profile and answers, and are intact on disk (no YAML parsed)."""
    return (
        bool(state.render_key)
        and bool(state.files_digest)
        and ws.files_digest() == state.files_digest
        and current_key(ws, state, env) == state.render_key
    )


@dataclass
class Prepared:
    workspace: Workspace
    state: WorkspaceState
    files: ComposeFiles
    rerendered: bool
    profile: Profile | None  # loaded only when rendering was needed; profile_of() loads it once otherwise
    # named volume -> secret variables that changed in this render and reach a service mounting it
    changed_secrets: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the user should know, e.g. a damaged file rewritten
    pinned: frozenset[str] = frozenset()  # variables answered by --set this run: an auto port never moves them

    def profile_of(self, ctx: AppContext) -> Profile:
        """The workspace's profile: the one this command loaded already, or loaded now (once)."""
        if self.profile is None:
            from devenv.usecases.profiles import load

            self.profile = load(ctx, self.state.profile.file)
        return self.profile


def prepare(
    ctx: AppContext,
    *,
    profile_ref: str | None,
    sets: Mapping[str, str],
    repo_dir: Path | None = None,
    loaded: Profile | None = None,
    ask: Ask | None = None,
) -> Prepared:
    """Make sure .devenv/ holds a compose file rendered from the current profile and answers.

    `loaded`: the profile, when the caller has loaded it already (it is not loaded again).
    `ask`: puts a variable that has neither an answer nor a default (one a newer profile version added)
    to the user, when there is a terminal; without it (or one) such a variable is an error naming --set.
    The caller holds the workspace lock."""
    ws = locate(ctx, create=profile_ref is not None)
    state = _load_or_set_aside(ws) if profile_ref is not None else (ws.load() if ws.exists() else None)
    if state is None and profile_ref is None:
        raise UserError(f"{ws.root} is not a devenv workspace", hint="pass --profile NAME (e.g. example)")
    if state is not None and profile_ref is None and not sets and repo_dir is None and up_to_date(ws, state, ctx.env):
        return Prepared(ws, state, files_of(ws, state), rerendered=False, profile=None)
    damaged = state is not None and bool(state.files_digest) and ws.files_digest() != state.files_digest
    prep = _render(ctx, ws, state, profile_ref, sets, repo_dir, loaded, ask if ctx.interactive else None)
    if damaged:
        prep.notes.append(f"{ws.compose_file} or {ws.env_file.name} had been changed or damaged: written again")
    prep.pinned = frozenset(sets)
    return prep


def _load_or_set_aside(ws: Workspace) -> WorkspaceState | None:
    """With --profile, a damaged state.json is kept aside; what it still says correctly is kept (the
    non-secret answers, whether the stack was seeded), the rest starts over. Secrets come from .env."""
    if not ws.exists():
        return None
    try:
        return ws.load()
    except DamagedState:
        return ws.set_aside()


def _render(
    ctx: AppContext,
    ws: Workspace,
    state: WorkspaceState | None,
    profile_ref: str | None,
    sets: Mapping[str, str],
    repo_dir: Path | None,
    loaded: Profile | None,
    ask: Ask | None = None,
) -> Prepared:
    from devenv.adapters.fs import write_atomic
    from devenv.domain.profile.answers import Answers, check_names, layers, resolve
    from devenv.domain.profile.render import RenderTarget, render
    from devenv.usecases.answers import check_secrets_kept, saved_layer
    from devenv.usecases.hostaccess import guard
    from devenv.usecases.lockfile import pin, read_lock
    from devenv.usecases.profiles import load
    from devenv.usecases.remote import project_for

    workspace_id, project = ws.identity()
    project = project_for(ctx, project)  # on a shared (remote) engine, the user's own
    if profile_ref is not None:
        file = str(ctx.profile_files.locate(profile_ref, None))
        lock = read_lock(ws)
        # the lock's file (a pinned version, from the cache): shown as it was asked for, team/shop@1.0.0
        shown = lock.ref if lock is not None and lock.file == file and profile_ref == file else profile_ref
        ref = ProfileRef(ref=shown, file=file)
    else:
        assert state is not None
        ref = state.profile
    profile = loaded if loaded is not None and loaded.file == ref.file else load(ctx, ref.file)
    same_profile = state is not None and state.profile.file == ref.file
    # after a damaged state.json (set aside), the .env still holds the secrets
    saved = saved_layer(ws, state, profile) if state is None or same_profile else {}
    ordered = layers(profile, Answers(sets=sets), ctx.env, saved)
    check_names(profile, ordered)
    if state is not None and same_profile:
        check_secrets_kept(ws, profile, state, ordered)
    values = _answers(resolve(profile, ordered), ask)
    key = ws.read_key()
    repo: str | None
    if repo_dir is not None:
        repo = str(repo_dir.resolve())
    elif state is not None and state.repo_dir:
        repo = state.repo_dir
    else:
        repo = str(ws.root) if profile.repo else None
    key = ws.ensure_key() if key is None else key
    code_dir = ws.root / profile.code.to if profile.code else None  # the code init copied, once it is there
    target = RenderTarget(
        project=project,
        workspace=workspace_id,
        repo_dir=repo,
        secret_key=key,
        code_dir=str(code_dir) if code_dir and code_dir.is_dir() else None,
    )
    rendered = render(profile, values, target)
    # the authoritative host-access gate: on what compose will read, before anything is written
    guard(ctx, profile, rendered.compose, repo_dir=repo, project_dir=ws.compose_file.parent)
    remote_sync = _place_code(ctx, profile, rendered.compose, repo, ws, project)
    digests = {n: keyed_digest(key, n, values[n]) for n, v in profile.variables.items() if v.secret and n in values}
    new_state = WorkspaceState(
        workspace_id=workspace_id,
        project=project,
        profile=ref,
        answers={k: v for k, v in values.items() if not profile.variables[k].secret},
        repo_dir=repo,
        profile_files=list(profile.files),
        service_hashes=rendered.service_hashes,
        healthchecked=sorted(n for n, s in profile.services.items() if s.healthcheck is not None),
        links={n: list(s.links) for n, s in profile.services.items()},
        restart_with_links=sorted(n for n, s in profile.services.items() if s.restart_with_links),
        volumes={n: sorted({m.source for m in s.volumes if m.named and m.source}) for n, s in profile.services.items()},
        secret_digests=digests,
        optional=sorted(n for n, s in profile.services.items() if s.profiles),
        seed_tasks=len(profile.seed),
        seed_services=sorted({t.service for t in profile.seed}),
        parity=bool(profile.parity and profile.parity.get("against")),
        images={n: service_image(project, n, spec.get("image")) for n, spec in rendered.compose["services"].items()},
        contexts={
            n: str(rendered.compose["services"][n]["build"]["context"])
            for n in profile.services
            if "build" in rendered.compose["services"][n]
        },
        built=dict(state.built) if state else {},
        seeded=bool(state and state.seeded and same_profile),
        # what the data on the engine went through belongs to the data (another profile starts afresh)
        seed_status=dict(state.seed_status) if state and same_profile else {},
        seed_volumes=dict(state.seed_volumes) if state else {},
        reset_pending=bool(state and state.reset_pending),
        ports=rendered.host_ports,
        remote_sync=remote_sync,
        # a copy still counts where it still goes to the same place
        remote_synced={k: v for k, v in (state.remote_synced if state else {}).items() if k in remote_sync}
        if state and state.remote_sync == remote_sync
        else {},
    )
    ws.prepare()
    write_atomic(ws.env_file, rendered.env_text, mode=0o600)
    write_atomic(ws.compose_file, rendered.compose_text)
    new_state.render_key = current_key(ws, new_state, ctx.env) or ""
    new_state.files_digest = ws.files_digest()
    ws.save(new_state)
    pin(ctx, ws, ref.ref, profile)  # the lock records the profile content this render came from
    changed: dict[str, list[str]] = {}
    if state is not None and same_profile:
        was = state.secret_digests
        for service, used in rendered.service_secrets.items():
            moved = [n for n in used if n in was and was[n] != digests.get(n)]
            for volume in new_state.volumes.get(service, []) if moved else []:
                changed[volume] = sorted({*changed.get(volume, []), *moved})
    return Prepared(ws, new_state, files_of(ws, new_state), rerendered=True, profile=profile, changed_secrets=changed)


def _place_code(
    ctx: AppContext, profile: Profile, compose: dict[str, Any], repo: str | None, ws: Workspace, project: str
) -> dict[str, str]:
    """A remote engine: resources carry the user; over ssh, bind mounts point at copies on its host
    (docs/remote.md)."""
    from devenv.usecases.hostaccess import host_view
    from devenv.usecases.remote import label_owner, place_code

    label_owner(ctx, compose)
    roots = host_view(ctx, profile, repo_dir=repo, project_dir=ws.compose_file.parent).roots
    return place_code(ctx, compose, roots, project)


def _answers(resolved: Resolved, ask: Ask | None) -> dict[str, str]:
    """Defaults for what no layer answers; a variable with neither an answer nor a default is asked (on a
    terminal), else it stops the command with an error naming the flag."""
    from devenv.domain.profile.answers import answer
    from devenv.domain.profile.variables import env_var_name

    values, lacking = resolved.with_defaults()
    if lacking and ask is not None:
        answered = ask(lacking)
        for var in lacking:
            if var.name in answered:
                values[var.name] = answer(var, answered[var.name], "answer to")
        lacking = [var for var in lacking if var.name not in values]
    if lacking:
        var = lacking[0]
        raise UserError(
            f"variable '{var.name}' needs an answer" + (f" ({var.help})" if var.help else ""),
            hint=f"pass --set {var.name}=VALUE (or set {env_var_name(var.name)})",
        )
    return values


def context_fingerprint(folder: str) -> str:
    """A cheap digest of a build context (paths, sizes, mtimes): changed files mean rebuild."""
    import hashlib

    h = hashlib.sha256()
    root = Path(folder)
    if not root.is_dir():
        return "missing"
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in {".git", "node_modules", "__pycache__"})
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            h.update(f"{os.path.relpath(path, root)}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]
