"""Opening a workspace and keeping its rendered compose file in step with profile and answers.

`prepare` is the no-op fast path's first half: when nothing that rendering depends on changed, it
re-renders nothing and imports no YAML.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from devenv import __version__
from devenv.adapters.compose import ComposeFiles
from devenv.adapters.workspace import Workspace, find_workspace
from devenv.context import AppContext
from devenv.domain.profile import Profile, Variable
from devenv.domain.state import ProfileRef, WorkspaceState, render_key
from devenv.errors import UserError

# asks the user for the missing variables' answers (init's questionary prompts); None: fail instead
Ask = Callable[[list[Variable]], dict[str, str]]


def locate(ctx: AppContext, *, create: bool = False) -> Workspace:
    if ctx.workspace_override is not None:
        return Workspace(ctx.workspace_override.resolve())
    found = find_workspace(ctx.cwd)
    if found is not None:
        return found
    if create:
        return Workspace(ctx.cwd.resolve())
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
    extra = [__version__, state.repo_dir or "", state.project, *env_layer(env)]
    return render_key(texts, state.answers, ws.read_secrets(), extra)


@dataclass
class Prepared:
    workspace: Workspace
    state: WorkspaceState
    files: ComposeFiles
    rerendered: bool
    profile: Profile | None  # loaded only when rendering was needed


def prepare(
    ctx: AppContext,
    *,
    profile_ref: str | None,
    sets: Mapping[str, str],
    ask: Ask | None = None,
    repo_dir: Path | None = None,
) -> Prepared:
    """Make sure .devenv/ holds a compose file rendered from the current profile and answers.

    The caller holds the workspace lock."""
    ws = locate(ctx, create=profile_ref is not None)
    state = ws.load() if ws.exists() else None
    if state is None and profile_ref is None:
        raise UserError(f"{ws.root} is not a devenv workspace", hint="pass --profile NAME (e.g. example)")
    if (
        state is not None
        and profile_ref is None
        and not sets
        and repo_dir is None
        and ws.compose_file.exists()
        and state.render_key
        and current_key(ws, state, ctx.env) == state.render_key
    ):
        return Prepared(ws, state, files_of(ws, state), rerendered=False, profile=None)
    return _render(ctx, ws, state, profile_ref, sets, ask, repo_dir)


def _render(
    ctx: AppContext,
    ws: Workspace,
    state: WorkspaceState | None,
    profile_ref: str | None,
    sets: Mapping[str, str],
    ask: Ask | None,
    repo_dir: Path | None,
) -> Prepared:
    from devenv.adapters.fs import write_atomic
    from devenv.domain.render import RenderTarget, render
    from devenv.domain.variables import coerce, secret_env_name
    from devenv.usecases.profiles import check_answer_names, env_answers, load, profile_files

    workspace_id, project = ws.identity()
    if profile_ref is not None:
        file = str(profile_files(ctx).locate(profile_ref, None))
        ref = ProfileRef(ref=profile_ref, file=file)
    else:
        assert state is not None
        ref = state.profile
    profile = load(ctx, ref.file)
    check_answer_names(profile, sets, "--set")
    same_profile = state is not None and state.profile.file == ref.file
    stored: dict[str, object] = {}
    if state is not None and same_profile:
        secrets = ws.read_secrets()
        stored = {k: v for k, v in state.answers.items() if k in profile.variables}
        for name, var in profile.variables.items():
            if var.secret and secret_env_name(name) in secrets:
                stored[name] = secrets[secret_env_name(name)]
    layers: list[tuple[str, Mapping[str, object]]] = [
        ("--set", sets),
        ("environment", env_answers(profile, ctx.env)),
        ("saved answers", stored),
    ]
    values = _answers(profile, layers, ask, coerce)
    repo: str | None
    if repo_dir is not None:
        repo = str(repo_dir.resolve())
    elif state is not None and state.repo_dir:
        repo = state.repo_dir
    else:
        repo = str(ws.root) if profile.repo else None
    rendered = render(profile, values, RenderTarget(project=project, workspace=workspace_id, repo_dir=repo))
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
        optional=sorted(n for n, s in profile.services.items() if s.profiles),
        seed_tasks=len(profile.seed),
        seed_services=sorted({t.service for t in profile.seed}),
        parity=bool(profile.parity and profile.parity.get("against")),
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
    )
    ws.prepare()
    write_atomic(ws.env_file, rendered.env_text, mode=0o600)
    write_atomic(ws.compose_file, rendered.compose_text)
    new_state.render_key = current_key(ws, new_state, ctx.env) or ""
    ws.save(new_state)
    return Prepared(ws, new_state, files_of(ws, new_state), rerendered=True, profile=profile)


def _answers(
    profile: Profile,
    layers: list[tuple[str, Mapping[str, object]]],
    ask: Ask | None,
    coerce: Callable[[Variable, object], str],
) -> dict[str, str]:
    from devenv.domain.variables import env_var_name, resolve_answers

    resolved = resolve_answers(profile.variables, layers)
    if resolved.errors:
        var, origin, message = resolved.errors[0]
        raise UserError(f"{origin} {var.name}: {message}", hint=var.help or None)
    values = dict(resolved.values)
    if resolved.missing:
        if ask is None:
            var = resolved.missing[0]
            raise UserError(
                f"variable '{var.name}' needs an answer" + (f" ({var.help})" if var.help else ""),
                hint=f"pass --set {var.name}=VALUE (or set {env_var_name(var.name)})",
            )
        answered = ask(resolved.missing)
        for var in resolved.missing:
            values[var.name] = coerce(var, answered[var.name])
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
