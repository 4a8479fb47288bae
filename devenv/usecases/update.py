"""`devenv update [--check] [--to VERSION]`: show what a newer version changes, and move the lock when asked.

Moving the lock re-renders the workspace from the new version (answers kept); `devenv up` then applies it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from devenv.adapters.sources import read_tree
from devenv.context import AppContext
from devenv.domain.sources.diff import tree_diff
from devenv.domain.sources.lock import Lock
from devenv.domain.sources.refs import pick_version, version_key
from devenv.errors import UserError
from devenv.usecases.lockfile import read_lock, restore


@dataclass(frozen=True)
class UpdatePlan:
    current: Lock
    target: str | None  # the version to move to (None: already at the newest)
    published: list[str]
    diff: str
    moved: bool = False


def plan(ctx: AppContext, to: str | None = None) -> UpdatePlan:
    """The newest published version (or `to`) against what the lock pins, with the diff between them."""
    from pathlib import Path

    from devenv.usecases.workspace import locate

    ws = locate(ctx)
    lock = read_lock(ws)
    if lock is None:
        raise UserError("this workspace has no profile lock yet", hint="run `devenv up` once; it writes the lock")
    source = ctx.sources.get(lock.source or "")
    if source is not None and not Path(lock.file).is_file():
        restore(ctx, lock)  # the cache was cleared: the pinned version's files, from its commit
    if source is None or not source.is_git:
        raise UserError(
            f"profile '{lock.profile}' does not come from a git source: it has no versions to update to",
            hint="published profiles come from `devenv source add NAME GIT-URL`",
        )
    ctx.sources.fetch(source)
    published = ctx.sources.versions(source).get(lock.profile, [])
    if to is not None:
        target = pick_version(published, to)
        if target is None:
            raise UserError(
                f"{source.name}/{lock.profile} has no published version {to}",
                hint=f"published: {', '.join(published) or 'none'}",
            )
    else:
        newest = pick_version(published, None)
        ahead = newest is not None and (lock.version is None or version_key(newest) > version_key(lock.version))
        target = newest if ahead else None
    if target is None or target == lock.version:
        return UpdatePlan(lock, None, published, "")
    new_file = ctx.profile_files.locate(f"{source.name}/{lock.profile}@{target}")
    text = tree_diff(
        read_tree(Path(lock.file).parent),
        read_tree(new_file.parent),
        f"{lock.profile}@{lock.version}",
        f"{lock.profile}@{target}",
    )
    return UpdatePlan(lock, target, published, text)


def update(ctx: AppContext, to: str | None = None) -> UpdatePlan:
    """Move the lock to the planned version and render the workspace from it (answers kept)."""
    from devenv.domain.profile.variables import secret_env_name
    from devenv.usecases.profiles import load
    from devenv.usecases.workspace import locate, prepare

    found = plan(ctx, to)
    if found.target is None:
        return found
    ws = locate(ctx)
    ref = f"{found.current.source}/{found.current.profile}@{found.target}"
    with ws.lock("update"):
        file = str(ctx.profile_files.locate(ref))
        profile = load(ctx, file)
        state, secrets = ws.load(), ws.read_secrets()
        answers = {k: v for k, v in state.answers.items() if k in profile.variables}
        for name in state.secret_digests:  # the secrets answered before, from the 0600 .env
            if name in profile.variables and secret_env_name(name) in secrets:
                answers[name] = secrets[secret_env_name(name)]
        prepare(ctx, profile_ref=ref, sets=answers, loaded=profile)  # renders, and moves the lock
    return replace(found, moved=True)
