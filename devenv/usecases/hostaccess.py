"""The host-access gate before a rendered stack is written: refuse what was not granted, and have the
user approve what was (once per content hash of the profile and everything it extends)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devenv.context import AppContext
from devenv.domain.profile.hostaccess import (
    DOCKER_SOCKETS,
    Grant,
    HostView,
    check_rendered,
    declared_grants,
    profile_hash,
)
from devenv.domain.profile.model import Profile
from devenv.errors import ProfileError, UserError

TRUST_FLAG = "--trust-host-access"


def real_path(path: str) -> str:
    return os.path.realpath(os.path.expanduser(path))


def host_view(ctx: AppContext, profile: Profile, *, repo_dir: str | None, project_dir: Path) -> HostView:
    from devenv.adapters.engine.endpoint import docker_host

    # the workspace folder and the platform checkout; for a profile without a repo, whose relative paths
    # start from its own folder, also that folder when it is a profile source (shipped, configured by the
    # user, or a published version unpacked in the sources cache): a profile file from anywhere else does
    # not make its surroundings free to mount
    roots = [str(project_dir.parent), *([repo_dir] if repo_dir else [])]
    if profile.repo is None:
        sources = [real_path(str(s)) for s in [*ctx.profile_files.sources, ctx.sources.cache]]
        for file in profile.files:
            folder = real_path(os.path.dirname(file))
            if any(folder == s or folder.startswith(s.rstrip("/") + "/") for s in sources):
                roots.append(folder)
    sockets = list(DOCKER_SOCKETS)
    host = docker_host(ctx.env)
    if host.startswith("unix://"):
        sockets.append(host.removeprefix("unix://"))
    return HostView(
        roots=tuple(dict.fromkeys(real_path(r) for r in roots)),
        project_dir=str(project_dir),
        realpath=real_path,
        sockets=tuple(sockets),
    )


def check(
    ctx: AppContext, profile: Profile, compose: Mapping[str, Any], *, repo_dir: str | None, project_dir: Path
) -> None:
    """Refuse (exit 2, with file:line) any power over the machine the rendered stack has without a grant."""
    problems = check_rendered(profile, compose, host_view(ctx, profile, repo_dir=repo_dir, project_dir=project_dir))
    if problems:
        raise ProfileError(problems)


def shipped(ctx: AppContext, profile: Profile) -> bool:
    root = ctx.profile_files.shipped_source.resolve()
    return bool(profile.files) and all(Path(f).resolve().is_relative_to(root) for f in profile.files)


def approve(ctx: AppContext, profile: Profile) -> None:
    """Declared host access needs the user's yes once per profile content; shipped profiles are trusted."""
    from devenv.usecases.trust import origin_label, trusted

    grants = declared_grants(profile)
    if not grants or shipped(ctx, profile) or trusted(ctx, profile):
        return
    texts = [Path(f).read_text(encoding="utf-8") for f in profile.files]
    key = profile_hash(texts)
    store = ctx.approvals
    if store.approved(key):
        return
    if not ctx.trust_host_access:
        label = origin_label(ctx, profile)
        if ctx.confirm_host_access is None:
            raise UserError(
                f"profile '{label}' asks for host access that you have not approved: {summary(grants)}",
                hint=f"review {profile.file}, then pass {TRUST_FLAG} (or run on a terminal to be asked)",
            )
        if not ctx.confirm_host_access(label, grants):
            raise UserError(
                f"host access for profile '{profile.name}' was not approved: nothing was started",
                hint=f"run again and answer yes, or pass {TRUST_FLAG}, or use a profile without host_access",
            )
    store.record(key, profile.name, [f"{g.service}: {g.kind} {g.what}" for g in grants])


def summary(grants: list[Grant]) -> str:
    return "; ".join(f"{g.service}: {g.what}" for g in grants)


def guard(
    ctx: AppContext, profile: Profile, compose: Mapping[str, Any], *, repo_dir: str | None, project_dir: Path
) -> None:
    check(ctx, profile, compose, repo_dir=repo_dir, project_dir=project_dir)
    approve(ctx, profile)
