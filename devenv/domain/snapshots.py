"""Snapshots of a stack's data, pure: what one records, when it may be restored, what a restore touches.

A snapshot is a copy of every named volume of a workspace's stack, kept in the engine as one volume per
stack volume (labelled with the workspace and the snapshot's name). Its record lives in
`.devenv/snapshots/NAME.json`. Nothing here does I/O: the use case (devenv/usecases/snapshots.py) asks
the engine and the files, and these functions decide.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from devenv.errors import UserError

SEEDED = "seeded"  # taken after the first seed; `devenv reset` restores it
FORMAT = 1
# labels on the engine volumes that hold a snapshot's data (never compose's labels: `down -v` keeps them)
WORKSPACE_LABEL = "devenv.snapshot.workspace"
NAME_LABEL = "devenv.snapshot.name"
VOLUME_LABEL = "devenv.snapshot.volume"
HELPER_LABEL = "devenv.snapshot.helper"  # the short-lived containers that copy data (value: workspace id)

_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")


def check_name(name: str) -> str:
    """A snapshot name: lower-case letters, digits, `_.-`, up to 40 characters (it becomes a volume name)."""
    if not _NAME.fullmatch(name):
        raise UserError(
            f"'{name}' is not a valid snapshot name",
            hint="use lower-case letters, digits, '.', '_' and '-' (up to 40 characters), e.g. before-migration",
        )
    return name


def storage_volume(workspace_id: str, name: str, volume: str, token: str) -> str:
    """The engine volume that holds one stack volume's copy; `token` keeps a re-save apart from the old one."""
    slug = re.sub(r"[^a-zA-Z0-9_.-]", "-", volume)
    return f"devenv-snap-{workspace_id}-{name}-{slug}-{token}"


@dataclass
class SnapVolume:
    storage: str  # the engine volume holding the copy
    service: str  # the service that mounts (owns) the volume
    image_id: str  # the image that service ran when the snapshot was taken
    size: int = 0  # bytes


@dataclass
class Snapshot:
    name: str
    workspace_id: str
    created: float  # seconds since the epoch
    profile: str
    profile_version: str
    config_hash: str  # the workspace's render key when it was taken
    seed_fingerprint: str
    seeded: bool = False  # the data is the result of a complete seed
    seed_status: dict[str, str] = field(default_factory=dict)
    volumes: dict[str, SnapVolume] = field(default_factory=dict)  # compose volume name -> its copy

    @property
    def size(self) -> int:
        return sum(v.size for v in self.volumes.values())

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, **asdict(self)}

    @classmethod
    def from_json(cls, data: object) -> Snapshot:
        """A record read back; raises ValueError when it is not one devenv wrote."""
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a snapshot record of this devenv")
        try:
            volumes = {str(k): SnapVolume(**v) for k, v in dict(data["volumes"]).items()}
            snap = cls(
                name=str(data["name"]),
                workspace_id=str(data["workspace_id"]),
                created=float(data["created"]),
                profile=str(data["profile"]),
                profile_version=str(data["profile_version"]),
                config_hash=str(data["config_hash"]),
                seed_fingerprint=str(data["seed_fingerprint"]),
                seeded=bool(data.get("seeded")),
                seed_status={str(k): str(v) for k, v in dict(data.get("seed_status") or {}).items()},
                volumes=volumes,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"a field is missing or of the wrong type ({exc})") from exc
        return snap


def seed_fingerprint(steps: Iterable[tuple[str, Sequence[str], str | None]]) -> str:
    """A digest of the seed tasks as they would run (service, argv, user): another seed, another digest."""
    payload = json.dumps([[service, list(argv), user] for service, argv, user in steps])
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def owners(mounts: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Each named volume's owning service (the first, by name, of those that mount it)."""
    out: dict[str, str] = {}
    for service in sorted(mounts):
        for volume in mounts[service]:
            out.setdefault(volume, service)
    return out


def affected_services(
    mounts: Mapping[str, Sequence[str]],
    links: Mapping[str, Sequence[str]],
    volumes: Iterable[str],
    with_links: Collection[str] = (),
) -> list[str]:
    """The services a copy of these volumes must stop: every service mounting one, and every service of
    `with_links` (`restart_with_links: true`) that links to those (directly or not). The rest of the stack
    keeps running, as compose leaves a service running when it restarts what it depends on: an app that
    reconnects (and a debugger attached to it) is not interrupted."""
    wanted = set(volumes)
    hit = {service for service, mounted in mounts.items() if wanted & set(mounted)}
    return sorted(hit | dependents(links, hit, only=with_links))


def dependents(
    links: Mapping[str, Sequence[str]], services: Iterable[str], only: Collection[str] | None = None
) -> set[str]:
    """The services that link to `services`, directly or through each other (through `only`'s, when given)."""
    hit = set(services)
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for service, targets in links.items():
            if service not in hit and (only is None or service in only) and hit & set(targets):
                hit.add(service)
                found.add(service)
                changed = True
    return found


def early_starts(
    mounts: Mapping[str, Sequence[str]],
    links: Mapping[str, Sequence[str]],
    services: Sequence[str],
    volumes: Iterable[str],
) -> dict[str, set[str]]:
    """The restored services that may start as soon as their own volumes are back, each with those volumes:
    the ones that link to none of the restored services (the others wait for what they link to)."""
    restored = set(volumes)
    return {
        service: set(mounts.get(service, ())) & restored
        for service in services
        if not set(links.get(service, ())) & set(services)
    }


def stale_reason(
    snap: Snapshot,
    *,
    profile: str,
    seed: str,
    volumes: Iterable[str],
    image_ids: Mapping[str, str | None],
    missing_storage: Sequence[str] = (),
) -> str | None:
    """Why `snap` no longer fits the stack (reset falls back to seeding), or None when it does.

    `image_ids` is each owning service's current image id (None: not built or pulled yet)."""
    if snap.profile != profile:
        return f"it was taken with profile '{snap.profile}', and the workspace now uses '{profile}'"
    if snap.seed_fingerprint != seed:
        return "the profile's seed tasks changed since it was taken"
    have = sorted(volumes)
    if sorted(snap.volumes) != have:
        return f"the stack's volumes changed since it was taken ({', '.join(have) or 'none'} now)"
    if missing_storage:
        return f"its data volume {missing_storage[0]} is gone from the engine"
    return image_change(snap, image_ids)


def image_change(snap: Snapshot, image_ids: Mapping[str, str | None]) -> str | None:
    """The first owning service whose image differs from the one the snapshot was taken with, in words."""
    for volume, saved in sorted(snap.volumes.items()):
        now = image_ids.get(saved.service)
        if now != saved.image_id:
            return (
                f"the image of service '{saved.service}' (owner of volume {volume}) changed since it was taken "
                f"({short_id(saved.image_id)} then, {short_id(now) if now else 'none'} now)"
            )
    return None


def short_id(image_id: str) -> str:
    return image_id.removeprefix("sha256:")[:12]


@dataclass
class RestoreJournal:
    """What a restore is doing, on disk before the first byte is copied: the next command finishes it."""

    snapshot: str
    copies: dict[str, list[str]]  # compose volume -> [snapshot storage volume, live engine volume, image]
    services: list[str]  # the services stopped for it

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: object) -> RestoreJournal:
        if not isinstance(data, dict):
            raise ValueError("not a restore journal")
        try:
            copies = {str(k): [str(x) for x in v] for k, v in dict(data["copies"]).items()}
            if any(len(v) != 3 for v in copies.values()):
                raise ValueError("a copy needs a source, a target and an image")
            return cls(str(data["snapshot"]), copies, [str(s) for s in data["services"]])
        except (KeyError, TypeError) as exc:
            raise ValueError(f"a field is missing or of the wrong type ({exc})") from exc


def human_size(size: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def human_age(seconds: float) -> str:
    if seconds < 60:
        return f"{int(seconds)}s ago"
    if seconds < 3600:
        return f"{int(seconds // 60)}m ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h ago"
    return f"{int(seconds // 86400)}d ago"


def copy_summary(size: int, written: int | None, seconds: float, patched: int = 0) -> str:
    """One volume's copy in words: all of it (with the rate), or only the entries that differed (`patched`
    of them big files of which only the parts that differed were written)."""
    if written is None:
        return f"{human_size(size)} in {seconds:.1f}s ({human_size(size / max(seconds, 0.001))}/s)"
    if written == 0:
        return f"{human_size(size)}, nothing had changed ({seconds:.1f}s)"
    files = "file" if written == 1 else "files"
    inplace = f" ({patched} patched in place)" if patched else ""
    return f"{human_size(size)}, {written} changed {files} put back{inplace} in {seconds:.1f}s"
