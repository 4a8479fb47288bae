"""Snapshots of the stack's data: save, restore, list, rm; `reset` from `seeded`; a killed restore finished.

- Save: the services that own the stack's named volumes (and those linked to them) are stopped, each
  volume is copied inside the engine into a new volume labelled with the workspace, the record is written
  atomically, and the services come back through up's health gate. A re-save replaces the old copy only
  after the new one is complete.
- Restore: the snapshot's volumes are never written after they are saved, so a restore can always be done
  again from the start. A journal (`.devenv/snapshots/restore.journal`) is on disk before the first byte is
  copied and removed after the last; the next devenv command that finds it finishes the restore (or, if the
  snapshot's data is gone, deletes the half-restored data so the stack is seeded again), and says so.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from devenv.adapters.snapshot_store import JOURNAL, SnapshotStore
from devenv.context import AppContext
from devenv.domain import snapshots as rules
from devenv.domain.snapshots import RestoreJournal, Snapshot, SnapVolume, human_age, human_size
from devenv.errors import DevenvError, UserError
from devenv.usecases.data import volume_identities
from devenv.usecases.snapshot_volumes import (
    EarlyHelper,
    Say,
    copy_order,
    copy_volumes,
    discard,
    missing_storage,
    running_images,
    running_services,
    tagged_images,
)

if TYPE_CHECKING:
    from devenv.usecases.up import Progress, UpResult
    from devenv.usecases.workspace import Prepared

__all__ = [
    "human_age",
    "human_size",
    "missing_storage",
    "tagged_images",
]  # how the CLI shows sizes and ages, as the rest of devenv does
AUTO_ENV = "DEVENV_AUTO_SNAPSHOT"  # "0": no `seeded` snapshot after the first seed


def store_of(prep: Prepared) -> SnapshotStore:
    return SnapshotStore(prep.workspace.state_dir)


def list_snapshots(ctx: AppContext) -> list[Snapshot]:
    from devenv.usecases.workspace import open_existing

    ws, _state = open_existing(ctx)
    return SnapshotStore(ws.state_dir).all()


def save(ctx: AppContext, name: str | None, *, say: Say, timeout: float = 300.0) -> Snapshot:
    from devenv.usecases.workspace import open_existing, prepare

    name = rules.check_name(name or time.strftime("snap-%Y%m%d-%H%M%S"))
    ws, _state = open_existing(ctx)
    with ws.lock("snapshot save"):
        prep = prepare(ctx, profile_ref=None, sets={})
        recover(ctx, prep, say)
        if prep.state.reset_pending:
            raise UserError("the stack's data is about to be deleted and seeded again", hint="run `devenv up` first")
        return save_prepared(ctx, prep, name, say=say, timeout=timeout)


def restore(ctx: AppContext, name: str, *, force: bool, progress: Progress | None, timeout: float = 300.0) -> UpResult:
    from devenv.usecases.workspace import open_existing, prepare

    started = time.monotonic()
    ws, _state = open_existing(ctx)
    with ws.lock("snapshot restore"):
        prep = prepare(ctx, profile_ref=None, sets={})
        say = _say(progress)
        recover(ctx, prep, say)
        snap = store_of(prep).get(rules.check_name(name))
        if snap is None:
            raise UserError(f"no snapshot '{name}' in this workspace", hint="`devenv snapshot list` shows them")
        result = restore_prepared(ctx, prep, snap, force=force, progress=progress, timeout=timeout)
    result.seconds = time.monotonic() - started
    return result


def remove(ctx: AppContext, name: str) -> Snapshot:
    from devenv.usecases.workspace import open_existing

    ws, _state = open_existing(ctx)
    with ws.lock("snapshot rm"):
        store = SnapshotStore(ws.state_dir)
        journal = store.journal()
        if journal is not None and journal.snapshot == name:
            raise UserError(
                f"snapshot '{name}' is needed to finish an interrupted restore", hint="run `devenv up` first"
            )
        snap = store.get(rules.check_name(name))
        if snap is None:
            raise UserError(f"no snapshot '{name}' in this workspace", hint="`devenv snapshot list` shows them")
        store.delete(name)  # the record first: a volume without a record is cleaned up by the next save
        for volume in snap.volumes.values():
            ctx.engine.remove_volume(volume.storage)
        return snap


def save_prepared(ctx: AppContext, prep: Prepared, name: str, *, say: Say, timeout: float = 300.0) -> Snapshot:
    """Copy every named volume of the stack into new snapshot volumes; the caller holds the lock."""
    from devenv.usecases.data import compose_or_fail

    state = prep.state
    ws_id = state.workspace_id
    live = volume_identities(ctx, state.project)
    owner_of = rules.owners(state.volumes)
    volumes = sorted(v for v in owner_of if v in live)
    if not volumes:
        raise UserError("the stack has no data volumes to snapshot yet", hint="run `devenv up` first")
    images = running_images(ctx, state.project)
    missing = sorted({owner_of[v] for v in volumes if owner_of[v] not in images})
    if missing:
        raise UserError(f"service '{missing[0]}' has no container yet", hint="run `devenv up` first")
    profile = prep.profile_of(ctx)
    affected = rules.affected_services(state.volumes, state.links, volumes, state.restart_with_links)
    running = running_services(ctx, state.project)
    restart = [s for s in affected if s in running]  # what was not running is not started for it
    copies = ctx.engine.volume_copies
    copies.remove_helpers({rules.HELPER_LABEL: ws_id})
    say(f"stopping {', '.join(affected)} for a consistent copy")
    compose_or_fail(ctx, prep.files, ["stop", *affected])
    token = uuid.uuid4().hex[:8]
    made: dict[str, SnapVolume] = {}
    try:
        for volume in volumes:
            storage = rules.storage_volume(ws_id, name, volume, token)
            labels = {rules.WORKSPACE_LABEL: ws_id, rules.NAME_LABEL: name, rules.VOLUME_LABEL: volume}
            copies.create_volume(storage, labels)
            made[volume] = SnapVolume(storage, owner_of[volume], images[owner_of[volume]])
        pairs = {volume: (live[volume], made[volume].storage, made[volume].image_id) for volume in volumes}
        for volume, copied in copy_volumes(
            ctx, ws_id, pairs, "saving", say, mode="copy", others=images.values()
        ).items():
            made[volume].size = copied.size
    except DevenvError:
        for done in made.values():
            ctx.engine.remove_volume(done.storage)
        _restart(ctx, prep, restart, timeout, say, quiet=True)
        raise
    snap = Snapshot(
        name=name,
        workspace_id=ws_id,
        created=time.time(),
        profile=profile.name,
        profile_version=profile.version,
        config_hash=state.render_key,
        seed_fingerprint=seed_fingerprint_of(ctx, prep),
        seeded=state.seeded,
        seed_status=dict(state.seed_status),
        volumes=made,
    )
    store = store_of(prep)
    old = store.get(name)
    store.put(snap)  # the new copy is complete before the old one goes
    for replaced in old.volumes.values() if old else []:
        ctx.engine.remove_volume(replaced.storage)
    _drop_orphans(ctx, prep)
    _restart(ctx, prep, restart, timeout, say)
    say(f"saved snapshot '{name}' ({rules.human_size(snap.size)})")
    return snap


def restore_prepared(
    ctx: AppContext,
    prep: Prepared,
    snap: Snapshot,
    *,
    force: bool,
    progress: Progress | None,
    timeout: float,
    early: EarlyHelper | None = None,
    current: dict[str, str | None] | None = None,
) -> UpResult:
    """Put the snapshot's data back, all or nothing, and bring the stopped services back healthy (`early`:
    the copy's helper, started while `reset` checked that the snapshot fits; `current`: tagged_images, when
    that check looked them up)."""
    from devenv.usecases.data import compose_or_fail
    from devenv.usecases.restart import start_stopped
    from devenv.usecases.up import converge

    state = prep.state
    say = _say(progress)
    gone = missing_storage(ctx, prep, snap)
    if gone:
        raise UserError(
            f"the data of snapshot '{snap.name}' is gone from the engine (volume {gone[0]})",
            hint=f"remove the record with `devenv snapshot rm {snap.name}`",
        )
    unknown = sorted(set(snap.volumes) - set(rules.owners(state.volumes)))
    if unknown:
        raise UserError(f"the stack no longer has volume {unknown[0]} of snapshot '{snap.name}'")
    current = tagged_images(ctx, prep, snap) if current is None else current
    changed = rules.image_change(snap, current)
    if changed and not force:
        raise UserError(
            f"snapshot '{snap.name}' does not match the stack: {changed}",
            hint="data written by another image may not load; pass --force to restore it anyway",
        )
    affected = rules.affected_services(state.volumes, state.links, snap.volumes, state.restart_with_links)
    say(f"stopping {', '.join(affected)} to restore snapshot '{snap.name}'")
    running = running_services(ctx, state.project)  # what was not running (an optional service) stays so
    live = volume_identities(ctx, state.project)
    if any(v not in live for v in snap.volumes):  # the stack was taken down with its volumes: compose makes them
        discard(ctx, prep, affected)
        compose_or_fail(ctx, prep.files, ["create", "--no-build", "--no-recreate", *affected])
        live = volume_identities(ctx, state.project)
    copies = {
        volume: [saved.storage, live[volume], current.get(saved.service) or saved.image_id]
        for volume, saved in snap.volumes.items()
    }
    journal = RestoreJournal(snap.name, copies, affected)
    # the journal is on disk before anything stops: from here on, the next command finishes this restore
    store_of(prep).begin(journal)
    restart = [s for s in affected if s in running]
    starts = EarlyStarts(ctx, prep, restart, snap.volumes)
    sizes = {volume: saved.size for volume, saved in snap.volumes.items()}
    stopping = lambda: discard(ctx, prep, affected)  # noqa: E731
    _apply(ctx, prep, journal, snap, say, stopping=stopping, sizes=sizes, done=starts, early=early)
    starts.join()
    start_stopped(ctx, prep, restart, timeout=timeout, progress=progress)  # through the engine, in link order
    result = converge(ctx, prep, timeout=timeout, progress=progress)  # nothing left to do, or compose's `up`
    result.changed = True  # the data did
    result.notes.insert(0, f"restored snapshot '{snap.name}' (taken {rules.human_age(time.time() - snap.created)})")
    return result


def recover(ctx: AppContext, prep: Prepared, say: Say) -> None:
    """Finish a restore that a kill or an engine error interrupted (one file check when there is none)."""
    if not (prep.workspace.state_dir / "snapshots" / JOURNAL).exists():
        return

    store = store_of(prep)
    journal = store.journal()
    if journal is None:
        return
    snap = store.get(journal.snapshot)
    if snap is not None and not missing_storage(ctx, prep, snap):
        say(f"a restore of snapshot '{journal.snapshot}' was interrupted: finishing it")
        _apply(ctx, prep, journal, snap, say, stopping=lambda: discard(ctx, prep, journal.services))
        return
    say(
        f"a restore of snapshot '{journal.snapshot}' was interrupted and its snapshot is gone: "
        "the half-restored data is deleted and the stack seeded again"
    )
    prep.state.reset_pending = True  # data.clean_start deletes the volumes (in up, right after this)
    prep.state.seeded = False
    prep.workspace.save(prep.state)
    store.finish()


def reset_from_snapshot(
    ctx: AppContext, prep: Prepared, *, reseed: bool, progress: Progress | None, timeout: float
) -> tuple[UpResult | None, str]:
    """`reset`: restore `seeded` when it still fits the stack. (result, "") when restored, else (None, why not)."""
    say = _say(progress)
    recover(ctx, prep, say)
    if reseed:
        return None, "--reseed: deleting the data and seeding again (the 'seeded' snapshot is refreshed)"
    snap = store_of(prep).get(rules.SEEDED)
    if snap is None:
        return None, "no 'seeded' snapshot yet: deleting the data and seeding again"
    early = _early_helper(ctx, prep, snap)  # starts while the checks below run (0.1-0.2 s of them)
    with early or contextlib.nullcontext():  # removed on the way out unless the restore took it
        images = tagged_images(ctx, prep, snap)
        why = _unfit(ctx, prep, snap, images)
        if why:
            return None, f"the 'seeded' snapshot no longer fits: {why}; seeding again"
        result = restore_prepared(
            ctx, prep, snap, force=False, progress=progress, timeout=timeout, early=early, current=images
        )
    return result, ""


def _early_helper(ctx: AppContext, prep: Prepared, snap: Snapshot) -> EarlyHelper | None:
    """The helper a restore of `snap` copies with, started now; None when a volume is missing (the restore
    makes it first: an engine creates a volume a container names, without the labels compose gives it)."""
    ws_id = prep.state.workspace_id
    live = volume_identities(ctx, prep.state.project)
    if any(v not in live for v in snap.volumes) or missing_storage(ctx, prep, snap):
        return None
    ctx.engine.volume_copies.remove_helpers({rules.HELPER_LABEL: ws_id})  # a copy a killed devenv left running
    order = copy_order(snap.volumes, {volume: saved.size for volume, saved in snap.volumes.items()})
    saved = snap.volumes
    volumes = [(saved[volume].storage, live[volume]) for volume in order]
    return EarlyHelper(ctx, ws_id, saved[order[0]].image_id, volumes)


def _unfit(ctx: AppContext, prep: Prepared, snap: Snapshot, images: dict[str, str | None]) -> str | None:
    """Why `snap` no longer fits the stack (domain/snapshots.py's stale_reason), or None. A stack rendered
    from what the snapshot's was (the same render key: profile files, answers, secrets) has the same
    profile and seed: the profile is not loaded to say so."""
    live = volume_identities(ctx, prep.state.project)
    volumes = [v for v in rules.owners(prep.state.volumes) if v in live or v in snap.volumes]
    same = bool(snap.config_hash) and snap.config_hash == prep.state.render_key
    return rules.stale_reason(
        snap,
        profile=snap.profile if same else prep.profile_of(ctx).name,
        seed=snap.seed_fingerprint if same else seed_fingerprint_of(ctx, prep),
        volumes=volumes,
        image_ids=images,
        missing_storage=missing_storage(ctx, prep, snap),
    )


def after_seed(ctx: AppContext, prep: Prepared, say: Say) -> None:
    """Right after a complete seed: save (or refresh) `seeded`, which makes `devenv reset` a restore.

    A failure here does not fail the seed: reset then seeds again, and says why."""
    if ctx.env.get(AUTO_ENV, "1") == "0":
        return
    try:
        save_prepared(ctx, prep, rules.SEEDED, say=say)
    except DevenvError as exc:
        say(f"could not save the 'seeded' snapshot ({exc.message}); `devenv reset` will seed again instead")


# --- the steps ---


def _apply(
    ctx: AppContext,
    prep: Prepared,
    journal: RestoreJournal,
    snap: Snapshot,
    say: Say,
    *,
    stopping: Callable[[], None],
    sizes: dict[str, int] | None = None,
    done: Callable[[str], None] | None = None,
    early: EarlyHelper | None = None,
) -> None:
    """Stop the journal's services (`stopping`, while the copy's helper starts), copy every volume of the
    journal (again, from the start; with `sizes`, small ones first, each `done` when copied), then record
    the seed the data carries."""
    from devenv.usecases.data import compose_or_fail

    ws_id = prep.state.workspace_id
    if early is None:  # else removed before it started
        ctx.engine.volume_copies.remove_helpers({rules.HELPER_LABEL: ws_id})  # a copy a killed devenv left running
    targets = {target for _source, target, _image in journal.copies.values()}
    if not targets <= set(volume_identities(ctx, prep.state.project).values()):
        # removed meanwhile (`down -v`): compose makes them again, with its labels
        compose_or_fail(ctx, prep.files, ["create", "--no-build", "--no-recreate", *journal.services])
    pairs = {volume: (storage, live, image) for volume, (storage, live, image) in journal.copies.items()}
    others = running_images(ctx, prep.state.project).values()
    # only what differs is written
    copy_volumes(
        ctx,
        ws_id,
        pairs,
        "restoring",
        say,
        mode="sync",
        others=others,
        meanwhile=stopping,
        sizes=sizes,
        done=done,
        early=early,
    )
    state = prep.state
    state.seeded = snap.seeded
    state.seed_status = dict(snap.seed_status)
    state.seed_volumes = volume_identities(ctx, prep.state.project) if snap.seeded else {}
    state.reset_pending = False
    prep.workspace.save(state)
    store_of(prep).finish()


class EarlyStarts:
    """A restored service that links to nothing the restore stopped is started as soon as its volumes are
    back, while the copy goes on with the next volume (the engine takes 0.25 s to start one container,
    0.45 s for two at once); the others start after the copy, in link order (usecases/restart.py)."""

    def __init__(self, ctx: AppContext, prep: Prepared, services: list[str], volumes: Iterable[str]) -> None:
        self.ctx = ctx
        self.project = prep.state.project
        self.left = rules.early_starts(prep.state.volumes, prep.state.links, services, volumes)
        self.threads: list[threading.Thread] = []

    def __call__(self, volume: str) -> None:
        ready = []
        for service, left in self.left.items():
            if volume in left:
                left.discard(volume)
                if not left:
                    ready.append(service)
        if ready:
            thread = threading.Thread(target=self._start, args=(ready,), name="devenv-early-start")
            thread.start()
            self.threads.append(thread)

    def _start(self, services: list[str]) -> None:
        from devenv.domain.stack.health import service_statuses
        from devenv.domain.stack.names import PROJECT_LABEL
        from devenv.errors import EnvironmentProblem

        engine = self.ctx.engine.twin()
        statuses = service_statuses(engine.containers({PROJECT_LABEL: self.project}), services)
        ids = [st.container_id for st in statuses.values() if st.state in ("exited", "created")]
        with contextlib.suppress(EnvironmentProblem):  # the start after the copy tries again, and says why
            engine.start_containers(ids)
        engine.close()

    def join(self) -> None:
        for thread in self.threads:
            thread.join()


def _restart(
    ctx: AppContext, prep: Prepared, services: list[str], timeout: float, say: Say, *, quiet: bool = False
) -> None:
    """Start the stopped services again and wait until they are healthy (up's own health gate): through the
    engine in link order, or compose's `up` when that meets anything unexpected."""
    from devenv.usecases.restart import start_stopped
    from devenv.usecases.up import _start_and_wait

    if not services:
        return
    say(f"starting {', '.join(services)}")
    try:
        if start_stopped(ctx, prep, services, timeout=timeout, progress=None) is None:
            _start_and_wait(ctx, prep, services, timeout, None)
    except DevenvError:
        if not quiet:
            raise


def _say(progress: Progress | None) -> Say:
    return lambda text: progress(text, {}) if progress else None


def _drop_orphans(ctx: AppContext, prep: Prepared) -> None:
    """Delete this workspace's snapshot volumes that no record names (a save killed half-way)."""
    store = store_of(prep)
    kept = {v.storage for snap in store.all() for v in snap.volumes.values()}
    journal = store.journal()
    if journal:
        kept |= {copy[0] for copy in journal.copies.values()}
    for volume in ctx.engine.volumes({rules.WORKSPACE_LABEL: prep.state.workspace_id}):
        if str(volume.get("Name")) not in kept:
            ctx.engine.remove_volume(str(volume.get("Name")))


def seed_fingerprint_of(ctx: AppContext, prep: Prepared) -> str:
    from devenv.domain import seeding

    profile = prep.profile_of(ctx)
    secret_vars = {name for name, var in profile.variables.items() if var.secret}
    steps = seeding.seed_steps(profile.seed, prep.state.answers, secret_vars)
    return rules.seed_fingerprint((s.service, s.argv, s.user) for s in steps)
