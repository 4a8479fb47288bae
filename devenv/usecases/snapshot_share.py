"""Sharing seeded data: `devenv snapshot export NAME FILE` and `devenv snapshot import FILE`.

Export streams each of the snapshot's volumes out of the engine (its archive endpoint: nothing is run),
then writes FILE atomically as a tar.gz with a manifest (domain/snapshot_archive.py). Import reads FILE
twice: first to check the manifest (same profile and version, same volumes) and every member's sha256,
touching nothing; then to unpack each volume into a new snapshot volume. The record is written last, so a
failed or interrupted import leaves the workspace's snapshots as they were.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import time
import uuid
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from devenv.context import AppContext
from devenv.domain import snapshot_archive as archive
from devenv.domain import snapshots as rules
from devenv.domain.snapshots import Snapshot, SnapVolume
from devenv.errors import DevenvError, UserError

if TYPE_CHECKING:
    from devenv.adapters.workspace import Workspace

Say = Callable[[str], None]


def export_snapshot(ctx: AppContext, name: str, file: Path, *, say: Say) -> int:
    """Write snapshot `name` to `file`; returns the file's size in bytes."""
    from devenv.usecases.snapshot_volumes import missing_storage
    from devenv.usecases.snapshots import store_of
    from devenv.usecases.workspace import prepare

    ws = _workspace(ctx)
    with ws.lock("snapshot export"):
        prep = prepare(ctx, profile_ref=None, sets={})
        snap = store_of(prep).get(rules.check_name(name))
        if snap is None:
            raise UserError(f"no snapshot '{name}' in this workspace", hint="`devenv snapshot list` shows them")
        if missing_storage(ctx, prep, snap):
            raise UserError(
                f"the data of snapshot '{name}' is gone from the engine", hint=f"`devenv snapshot rm {name}`"
            )
        file = file.resolve()
        work = Path(tempfile.mkdtemp(prefix=".devenv-export-", dir=file.parent))
        try:
            members: dict[str, tuple[str, int]] = {}
            for volume, saved in sorted(snap.volumes.items()):
                members[volume] = _pull(ctx, prep.state.workspace_id, saved, work / f"{volume}.tar", volume, say)
            manifest = json.dumps(archive.manifest_of(snap, members), indent=2).encode()
            partial = work / "archive.tar.gz"
            with tarfile.open(partial, "w:gz", compresslevel=1) as tar:  # level 1: seconds, not minutes
                _add_bytes(tar, archive.MANIFEST, manifest)
                for volume in sorted(members):
                    tar.add(work / f"{volume}.tar", arcname=archive.member_of(volume), recursive=False)
            os.replace(partial, file)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        size = file.stat().st_size
        say(f"wrote {file} ({rules.human_size(size)})")
        return size


def import_snapshot(ctx: AppContext, file: Path, *, say: Say) -> Snapshot:
    """Check `file` in full, then make it a snapshot of this workspace (replacing one of the same name)."""
    from devenv.usecases.snapshot_volumes import tagged_images
    from devenv.usecases.snapshots import seed_fingerprint_of, store_of
    from devenv.usecases.workspace import prepare

    shown = str(file)
    if not file.is_file():
        raise UserError(f"no such file: {file}", hint="give the path of a file made by `devenv snapshot export`")
    ws = _workspace(ctx)
    with ws.lock("snapshot import"):
        prep = prepare(ctx, profile_ref=None, sets={})
        profile = prep.profile_of(ctx)
        manifest = _verify(file, shown)
        owners = rules.owners(prep.state.volumes)
        archive.check_fits(manifest, shown, profile=profile.name, version=profile.version, volumes=list(owners))
        say(f"{shown}: manifest and checksums verified")
        probe = Snapshot(
            manifest.name,
            "",
            0,
            "",
            "",
            "",
            "",
            volumes={v: SnapVolume("", owners[v], a.image_id) for v, a in manifest.volumes.items()},
        )
        images = tagged_images(ctx, prep, probe)
        absent = sorted(s for s, image in images.items() if image is None)
        if absent:
            raise UserError(
                f"the image of service '{absent[0]}' is not on this engine yet", hint="run `devenv up` first"
            )
        ws_id = prep.state.workspace_id
        token = uuid.uuid4().hex[:8]
        made: dict[str, SnapVolume] = {}
        copies = ctx.engine.volume_copies
        try:
            with tarfile.open(file, "r:gz") as tar:
                for member in tar:
                    volume = next((v for v, a in manifest.volumes.items() if a.member == member.name), None)
                    if volume is None:
                        continue
                    storage = rules.storage_volume(ws_id, manifest.name, volume, token)
                    labels = {rules.WORKSPACE_LABEL: ws_id, rules.NAME_LABEL: manifest.name, rules.VOLUME_LABEL: volume}
                    copies.create_volume(storage, labels)
                    image = str(images[owners[volume]])
                    made[volume] = SnapVolume(storage, owners[volume], image, manifest.volumes[volume].size)
                    reader = tar.extractfile(member)
                    if reader is None:
                        raise archive.damaged(shown, f"{member.name} is not a file")
                    counted = _Counted(reader, member.size, f"importing {volume}", say)
                    copies.write_volume(image, storage, counted, member.size, {rules.HELPER_LABEL: ws_id})
                    counted.done()
        except (DevenvError, KeyboardInterrupt, OSError, tarfile.TarError, EOFError, zlib.error):
            for volume_made in made.values():
                ctx.engine.remove_volume(volume_made.storage)
            raise
        snap = Snapshot(
            name=manifest.name,
            workspace_id=ws_id,
            created=manifest.created,
            profile=manifest.profile,
            profile_version=manifest.profile_version,
            config_hash="",
            seed_fingerprint=seed_fingerprint_of(ctx, prep),
            seeded=manifest.seeded,
            seed_status=manifest.seed_status,
            volumes=made,
        )
        store = store_of(prep)
        old = store.get(snap.name)
        store.put(snap)
        for replaced in old.volumes.values() if old else []:
            ctx.engine.remove_volume(replaced.storage)
        return snap


def _workspace(ctx: AppContext) -> Workspace:
    from devenv.usecases.workspace import open_existing

    ws, _state = open_existing(ctx)
    return ws


def _verify(file: Path, shown: str) -> archive.Manifest:
    """Read the whole archive once: the manifest first, then every member's sha256 and size."""
    try:
        # read as a stream to the very end: gzip checks its CRC only there (a flipped byte in the padding
        # after the last member would otherwise pass)
        with gzip.open(file, "rb") as gz, tarfile.open(fileobj=gz, mode="r|") as tar:
            first = tar.next()
            if first is None or first.name != archive.MANIFEST:
                raise archive.damaged(shown, f"it does not start with {archive.MANIFEST}")
            reader = tar.extractfile(first)
            if reader is None or first.size > 10_000_000:
                raise archive.damaged(shown, "its manifest is not a small file")
            try:
                manifest = archive.read_manifest(json.loads(reader.read()), shown)
            except ValueError as exc:
                raise archive.damaged(shown, f"its manifest is not JSON ({exc})") from exc
            seen: set[str] = set()
            wanted = {a.member: (v, a) for v, a in manifest.volumes.items()}
            for member in tar:
                if member is first:  # iterating a TarFile starts again from its first member
                    continue
                if member.name not in wanted or member.name in seen or not member.isfile():
                    raise archive.damaged(shown, f"it holds an unexpected entry {member.name!r}")
                seen.add(member.name)
                volume, expected = wanted[member.name]
                data = tar.extractfile(member)
                digest = hashlib.sha256()
                while data is not None and (chunk := data.read(1 << 20)):
                    digest.update(chunk)
                if member.size != expected.bytes or digest.hexdigest() != expected.sha256:
                    raise archive.damaged(shown, f"the checksum of volume {volume} does not match")
            if seen != set(wanted):
                raise archive.damaged(shown, f"volume {sorted(set(wanted) - seen)[0]} is missing from it")
            while gz.read(1 << 20):
                pass
            return manifest
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise archive.damaged(shown, f"it cannot be read as tar.gz ({exc})") from exc


def _pull(ctx: AppContext, ws_id: str, saved: SnapVolume, path: Path, volume: str, say: Say) -> tuple[str, int]:
    digest = hashlib.sha256()
    progress = _Progress(f"exporting {volume}", say)
    with path.open("wb") as out:

        def sink(chunk: bytes) -> None:
            digest.update(chunk)
            out.write(chunk)
            progress.add(len(chunk))

        ctx.engine.volume_copies.read_volume(saved.image_id, saved.storage, sink, {rules.HELPER_LABEL: ws_id})
    progress.done()
    return digest.hexdigest(), path.stat().st_size


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


class _Progress:
    """Bytes and rate: a line every 2 seconds while it runs, and one when it is done."""

    def __init__(self, what: str, say: Say) -> None:
        self.what, self.say = what, say
        self.bytes = 0
        self.started = self.shown = time.monotonic()

    def add(self, n: int) -> None:
        self.bytes += n
        now = time.monotonic()
        if now - self.shown >= 2.0:
            self.shown = now
            self.say(f"{self.what}: {self._line(now)}")

    def _line(self, now: float) -> str:
        seconds = max(now - self.started, 0.001)
        return f"{rules.human_size(self.bytes)} in {seconds:.1f}s ({rules.human_size(self.bytes / seconds)}/s)"

    def done(self) -> None:
        self.say(f"{self.what}: {self._line(time.monotonic())}")


class _Counted(_Progress):
    """A file being uploaded, counted as it is read."""

    def __init__(self, reader: IO[bytes], size: int, what: str, say: Say) -> None:
        super().__init__(what, say)
        self.reader = reader
        self.size = size

    def read(self, n: int = -1, /) -> bytes:
        chunk = self.reader.read(n)
        self.add(len(chunk))
        return chunk
