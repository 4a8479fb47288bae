"""The workspace lock (`.devenv/profile.lock`): `up` follows it, `--frozen` refuses to move it.

Kept off the no-op `up` path's costs: reading a small JSON file and one `stat`; YAML is loaded only when
the lock is first written or checked with --frozen.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from devenv.adapters.workspace import Workspace
from devenv.context import AppContext
from devenv.domain.sources.lock import Lock, changes
from devenv.errors import UserError

if TYPE_CHECKING:
    from devenv.domain.profile.model import Profile

LOCK_NAME = "profile.lock"
FROZEN_HINT = "run without --frozen (or `devenv update`) to move the lock, and commit to what changed"


def lock_path(ws: Workspace) -> Path:
    return ws.state_dir / LOCK_NAME


def read_lock(ws: Workspace) -> Lock | None:
    path = lock_path(ws)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        data = None
    lock = Lock.from_json(data)
    if lock is None:
        raise UserError(
            f"{path} is damaged", hint="remove it; `devenv up --profile REF` writes it again from the profile named"
        )
    return lock


def write_lock(ws: Workspace, lock: Lock) -> None:
    from devenv.adapters.fs import write_atomic

    write_atomic(lock_path(ws), json.dumps(lock.to_json(), indent=2, sort_keys=True) + "\n")


def lock_for(ctx: AppContext, ref: str, file: str, *, profile: Profile | None = None) -> Lock:
    """What the lock says for a profile file: its origin, version and content (with what it extends)."""
    from devenv.domain.profile.hostaccess import profile_hash
    from devenv.usecases.profiles import load

    profile = profile if profile is not None and profile.file == file else load(ctx, file)
    texts = [Path(f).read_text(encoding="utf-8") for f in profile.files]
    origin = ctx.sources.origin(Path(file))
    return Lock(
        profile=profile.name,
        ref=ref,
        file=file,
        content_hash=profile_hash(texts),
        source=origin.source.name if origin else None,
        url=origin.source.url if origin else None,
        version=(origin.version if origin else None) or profile.version,
        commit=origin.commit if origin else None,
    )


def pin(ctx: AppContext, ws: Workspace, ref: str, profile: Profile) -> None:
    """After a render: lock the profile content it came from (the images stay while the content does)."""
    try:
        old = read_lock(ws)
    except UserError:
        old = None  # a damaged lock: written again
    new = lock_for(ctx, ref, profile.file, profile=profile)
    if old is not None and (old.file, old.content_hash) == (new.file, new.content_hash):
        return
    write_lock(ws, new)


def follow(ctx: AppContext, ws: Workspace, profile_ref: str | None, *, frozen: bool = False) -> str | None:
    """Before `up` renders: the profile ref to use, so the stack runs what the lock says.

    The render itself moves the lock (`pin`); here a pinned file that left the cache is unpacked again
    from its commit, and --frozen refuses anything that would move the lock: another profile, changed
    content, another image."""
    lock = read_lock(ws)
    if frozen:
        if lock is None:
            raise UserError(
                f"--frozen: the workspace has no lock ({lock_path(ws)})",
                hint="run `devenv up` (or `devenv init`) once without --frozen to write it",
            )
        if not Path(lock.file).is_file():
            restore(ctx, lock)
        if profile_ref is not None:
            new = lock_for(ctx, profile_ref, str(ctx.profile_files.locate(profile_ref)))
        else:
            new = replace(lock, content_hash=_current_hash(ctx, ws, lock))
        moved = changes(lock, new)
        if moved:
            raise UserError(f"--frozen: the lock would change ({'; '.join(moved)})", hint=FROZEN_HINT)
        _refuse_image_drift(ctx, lock)
        return profile_ref
    if profile_ref is not None:
        return profile_ref
    if lock is None:
        if ws.exists():  # a workspace from before locks: pin what it runs now (this once, the profile loads)
            current = ws.load()
            write_lock(ws, lock_for(ctx, current.profile.ref, current.profile.file))
        return None
    if not Path(lock.file).is_file():
        restore(ctx, lock)
    state = ws.load() if ws.exists() else None
    return lock.file if state is None or state.profile.file != lock.file else None


def _current_hash(ctx: AppContext, ws: Workspace, lock: Lock) -> str:
    """The hash of the locked file and what it extends as they are now (no YAML when state lists them)."""
    from devenv.domain.profile.hostaccess import profile_hash

    state = ws.load() if ws.exists() else None
    if state is None or state.profile.file != lock.file:
        return lock_for(ctx, lock.ref, lock.file).content_hash
    try:
        return profile_hash([Path(f).read_text(encoding="utf-8") for f in state.profile_files])
    except OSError:
        return ""


def restore(ctx: AppContext, lock: Lock) -> None:
    """The pinned commit's files, unpacked again (the cache was cleared): same commit, same path."""
    source = ctx.sources.get(lock.source or "")
    if source is None or not lock.commit:
        raise UserError(
            f"the locked profile file {lock.file} is gone",
            hint="put it back, or pick a profile again with `devenv up --profile REF`",
        )
    ctx.sources.snapshot(source, lock.commit)


def _refuse_image_drift(ctx: AppContext, lock: Lock) -> None:
    for service, image in sorted(lock.images.items()):
        found = ctx.engine.get(f"/images/{quote(image['image'], safe='')}/json")
        now = str(found.get("Id", "")) if isinstance(found, dict) else ""
        if now and now != image["id"]:
            raise UserError(
                f"--frozen: the image of {service} ({image['image']}) is {now[:19]}, the lock says {image['id'][:19]}",
                hint="the tag names another image now (a pull?): `devenv down` then `devenv up` runs it and "
                "moves the lock; or put back the image the lock names",
            )


def record_images(ctx: AppContext, ws: Workspace) -> None:
    """After a stack came up: the image each `image:` service ran (id, and registry digest when pulled).

    Services built from the checkout are left out: their image is the code under development, which
    changes with every edit; what the lock pins is what the profile resolved from a registry."""
    from devenv.domain.stack.names import SERVICE_LABEL

    lock = read_lock(ws)
    if lock is None or not ws.exists():
        return
    state = ws.load()
    images: dict[str, dict[str, str]] = {}
    for container, image in ctx.engine.inspect_project(state.project):
        labels = (container.get("Config") or {}).get("Labels") or {}
        service = labels.get(SERVICE_LABEL)
        if service and service not in state.built:
            ref = str((container.get("Config") or {}).get("Image") or "")
            digests = image.get("RepoDigests") or []
            images[service] = {
                "image": ref,
                "id": str(image.get("Id", "")),
                "digest": str(digests[0] if digests else ""),
            }
    if images != lock.images:
        write_lock(ws, replace(lock, images=images))
