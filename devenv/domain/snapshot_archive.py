"""A snapshot as a file to share: what its manifest says and when an archive is refused. Pure.

The archive is a gzip-compressed tar: `manifest.json` first, then `volumes/VOLUME.tar` for each volume (the
volume's files as the engine's archive endpoint gives them). The manifest carries each member's sha256 and
size; an archive is checked in full before anything in the engine or the workspace is touched.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from devenv.domain.snapshots import Snapshot, check_name
from devenv.errors import UserError

MANIFEST = "manifest.json"
FORMAT = "devenv-snapshot/1"
_VOLUME = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9_.-]*")


def member_of(volume: str) -> str:
    return f"volumes/{volume}.tar"


def manifest_of(snap: Snapshot, members: Mapping[str, tuple[str, int]]) -> dict[str, Any]:
    """The manifest of an export: the snapshot's record (without engine names) and each member's digest."""
    return {
        "format": FORMAT,
        "name": snap.name,
        "created": snap.created,
        "profile": snap.profile,
        "profile_version": snap.profile_version,
        "seed_fingerprint": snap.seed_fingerprint,
        "seeded": snap.seeded,
        "seed_status": snap.seed_status,
        "volumes": {
            volume: {
                "service": saved.service,
                "image_id": saved.image_id,
                "size": saved.size,
                "member": member_of(volume),
                "sha256": members[volume][0],
                "bytes": members[volume][1],
            }
            for volume, saved in sorted(snap.volumes.items())
        },
    }


@dataclass(frozen=True)
class ArchivedVolume:
    service: str
    image_id: str
    size: int
    member: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    name: str
    created: float
    profile: str
    profile_version: str
    seed_fingerprint: str
    seeded: bool
    seed_status: dict[str, str]
    volumes: dict[str, ArchivedVolume]


def read_manifest(data: object, file: str) -> Manifest:
    """A manifest checked for shape; anything else is a damaged archive (exit 2)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise damaged(file, "its manifest is not a devenv snapshot manifest")
    try:
        volumes = {}
        for volume, v in dict(data["volumes"]).items():
            if not _VOLUME.fullmatch(str(volume)) or v["member"] != member_of(volume):
                raise ValueError(f"volume entry {volume!r}")
            volumes[str(volume)] = ArchivedVolume(
                str(v["service"]),
                str(v["image_id"]),
                int(v["size"]),
                str(v["member"]),
                str(v["sha256"]),
                int(v["bytes"]),
            )
        return Manifest(
            name=check_name(str(data["name"])),
            created=float(data["created"]),
            profile=str(data["profile"]),
            profile_version=str(data["profile_version"]),
            seed_fingerprint=str(data["seed_fingerprint"]),
            seeded=bool(data.get("seeded")),
            seed_status={str(k): str(v) for k, v in dict(data.get("seed_status") or {}).items()},
            volumes=volumes,
        )
    except (KeyError, TypeError, ValueError, UserError) as exc:
        raise damaged(file, f"its manifest is malformed ({exc})") from exc


def check_fits(manifest: Manifest, file: str, *, profile: str, version: str, volumes: list[str]) -> None:
    """Refuse an archive made by another profile, another version of it, or for other volumes (exit 2)."""
    if manifest.profile != profile or manifest.profile_version != version:
        raise UserError(
            f"{file} holds data of profile {manifest.profile} {manifest.profile_version}; "
            f"this workspace uses {profile} {version}",
            hint="import it into a workspace of that profile version, or ask for an export made with this one",
        )
    if sorted(manifest.volumes) != sorted(volumes):
        raise UserError(
            f"{file} holds volumes {', '.join(sorted(manifest.volumes)) or 'none'}; "
            f"this stack has {', '.join(sorted(volumes)) or 'none'}",
            hint="export it again from a workspace of the same profile",
        )


def damaged(file: str, why: str) -> UserError:
    return UserError(
        f"{file} is not a usable snapshot archive: {why}; nothing was changed",
        hint="download or copy it again (its checksums must match), or ask for a new export",
    )
