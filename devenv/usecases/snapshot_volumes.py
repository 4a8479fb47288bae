"""The engine side of snapshots: the stack's volumes and the images that own them, stopping the services
whose data a restore replaces, and copying volumes in one helper container (adapters/engine/volumecopy.py)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from devenv.adapters.engine.volumecopy import MissingTools
from devenv.context import AppContext
from devenv.domain import snapshots as rules
from devenv.domain.snapshots import Snapshot
from devenv.domain.stack.names import ONEOFF_LABEL, PROJECT_LABEL, SERVICE_LABEL, service_image
from devenv.errors import DevenvError

if TYPE_CHECKING:
    from devenv.adapters.engine.volumecopy import Copied
    from devenv.usecases.workspace import Prepared

Say = Callable[[str], None]


def discard(ctx: AppContext, prep: Prepared, services: list[str]) -> None:
    """Stop the services whose data a restore replaces: through the engine (no compose process to start) and
    with no grace period, since there is nothing for a clean shutdown to keep (a database's checkpoint, or
    a process that ignores SIGTERM, would cost seconds for nothing). `docker stop`, not kill: a restart
    policy does not bring them back."""
    wanted = set(services)
    ids = []
    for container in ctx.engine.containers({PROJECT_LABEL: prep.state.project}, include_stopped=False):
        labels = container.get("Labels") or {}
        if labels.get(SERVICE_LABEL) in wanted and labels.get(ONEOFF_LABEL) != "True":
            ids.append(str(container.get("Id")))
    ctx.engine.stop_containers(ids, timeout=0)


def copy_volumes(
    ctx: AppContext,
    ws_id: str,
    pairs: dict[str, tuple[str, str, str]],
    verb: str,
    say: Say,
    *,
    mode: str,
    others: Iterable[str] = (),
    meanwhile: Callable[[], None] | None = None,
    sizes: Mapping[str, int] | None = None,
    done: Callable[[str], None] | None = None,
    early: EarlyHelper | None = None,
) -> dict[str, Copied]:
    """Copy {volume: (source, target, image)} in one helper container: of the first volume's owner's image,
    else of the first of `others` (the stack's other images) that has the shell and tools the copy needs
    (a distroless database image has none). `meanwhile` (stopping the services that write these volumes)
    runs while the first helper starts: the copy begins once both are done (0.3 s less for a restore).
    With `sizes`, the smallest volumes go first, and `done(volume)` is called as each one is copied.
    `early`, a helper started earlier for the same copy, is used instead of starting one (else removed)."""
    started = time.monotonic()
    shown = [0.0]
    names = copy_order(pairs, sizes)
    copies = ctx.engine.volume_copies
    labels = {rules.HELPER_LABEL: ws_id}

    def tick(seconds: float) -> None:
        if seconds - shown[0] >= 2.0:
            shown[0] = seconds
            say(f"{verb} {', '.join(names)}: {seconds:.0f}s")

    images = list(dict.fromkeys([*(pairs[volume][2] for volume in names), *others]))
    done_here: dict[str, Copied] = {}
    for n, image in enumerate(images):
        left = [volume for volume in names if volume not in done_here]  # a volume copied before a tool was
        volumes = [pairs[volume][:2] for volume in left]  # missing is not copied again (its service may run)

        def told(i: int, copied: Copied, left: list[str] = left) -> None:
            done_here[left[i]] = copied
            if done:
                done(left[i])

        try:
            start: Callable[[], str] = functools.partial(copies.start_helper, image, volumes, labels=labels, mode=mode)
            if early is not None:  # started earlier: used when it is the one this copy needs, else removed
                if early.fits(image, volumes, mode):
                    start = early.take
                else:
                    early.drop()
                early = None
            first, meanwhile = meanwhile, None  # done once, with the first helper
            helper = _started_while(ctx, start, first) if first else start()
            try:
                copies.run(helper, image, volumes, tick=tick, done=told)
            finally:
                ctx.engine.remove_container_soon(helper)  # while the services start again
            break
        except MissingTools:
            if n == len(images) - 1:
                raise
    seconds = max(time.monotonic() - started, 0.001)
    for volume in names:
        copied = done_here[volume]
        say(f"{verb} {volume}: {rules.copy_summary(copied.size, copied.written, seconds, copied.patched)}")
    return done_here


def copy_order(volumes: Iterable[str], sizes: Mapping[str, int] | None) -> list[str]:
    """The order a copy takes the volumes in: the smallest first (with `sizes`), else by name."""
    return sorted(volumes, key=lambda volume: (sizes.get(volume, 0), volume)) if sizes else sorted(volumes)


class EarlyHelper:
    """A copy's helper container, started in a thread from now (on connections of its own), while devenv
    decides whether the copy happens at all: `take` it, or `drop` it (removed once it has started; leaving
    a `with` block drops it unless it was taken)."""

    MODE = "sync"  # a restore's

    def __init__(self, ctx: AppContext, ws_id: str, image: str, volumes: list[tuple[str, str]]) -> None:
        from concurrent.futures import ThreadPoolExecutor

        self.ctx = ctx
        self.image = image
        self.volumes = volumes
        self._taken = False
        copies = ctx.engine.twin().volume_copies
        pool = ThreadPoolExecutor(max_workers=1)
        labels = {rules.HELPER_LABEL: ws_id}
        self._future = pool.submit(copies.start_helper, image, volumes, labels=labels, mode=self.MODE)
        pool.shutdown(wait=False)

    def __enter__(self) -> EarlyHelper:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.drop()

    def fits(self, image: str, volumes: list[tuple[str, str]], mode: str) -> bool:
        return not self._taken and image == self.image and volumes == self.volumes and mode == self.MODE

    def take(self) -> str:
        self._taken = True
        return self._future.result()

    def drop(self) -> None:
        if self._taken:
            return
        self._taken = True
        try:
            helper = self._future.result()
        except DevenvError:
            return  # never started (the copy that starts one says why)
        # now, not in the background: a volume it holds could not be deleted (`reset` seeding again)
        self.ctx.engine.remove_container(helper)


def _started_while(ctx: AppContext, start: Callable[[], str], meanwhile: Callable[[], None]) -> str:
    """The helper `start` makes, started in a thread while `meanwhile` runs here; when `meanwhile` fails,
    the helper is removed and its error raised."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        future = pool.submit(start)
        try:
            meanwhile()
        except BaseException:
            if future.exception() is None:
                ctx.engine.remove_container(future.result())
            raise
        return future.result()


def running_images(ctx: AppContext, project: str) -> dict[str, str]:
    """Each service's container's image id (what wrote the data a snapshot copies)."""
    out: dict[str, str] = {}
    for container in ctx.engine.containers({PROJECT_LABEL: project}):
        labels = container.get("Labels") or {}
        if labels.get(ONEOFF_LABEL) != "True" and labels.get(SERVICE_LABEL):
            out.setdefault(str(labels[SERVICE_LABEL]), str(container.get("ImageID") or ""))
    return out


def running_services(ctx: AppContext, project: str) -> set[str]:
    containers = ctx.engine.containers({PROJECT_LABEL: project}, include_stopped=False)
    return {str((c.get("Labels") or {}).get(SERVICE_LABEL)) for c in containers}


def tagged_images(ctx: AppContext, prep: Prepared, snap: Snapshot) -> dict[str, str | None]:
    """The image id each owning service would run now (the compose file's image), None if not present."""
    refs = prep.state.images or _compose_images(prep)  # a state written before devenv kept them
    out: dict[str, str | None] = {}
    for saved in snap.volumes.values():
        ref = service_image(prep.state.project, saved.service, refs.get(saved.service))
        out[saved.service] = ctx.engine.volume_copies.image_id(ref)
    return out


def _compose_images(prep: Prepared) -> dict[str, str]:
    import yaml

    doc = yaml.safe_load(prep.files.compose_file.read_text(encoding="utf-8")) or {}
    services = doc.get("services") or {}
    return {
        str(name): str(spec["image"]) for name, spec in services.items() if isinstance(spec, dict) and spec.get("image")
    }


def missing_storage(ctx: AppContext, prep: Prepared, snap: Snapshot) -> list[str]:
    have = {str(v.get("Name")) for v in ctx.engine.volumes({rules.WORKSPACE_LABEL: prep.state.workspace_id})}
    return sorted(v.storage for v in snap.volumes.values() if v.storage not in have)
