"""What a workspace remembers between commands (`.devenv/state.json`). Never holds a secret."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

STATE_VERSION = 1


@dataclass
class ProfileRef:
    ref: str  # as the user gave it: a name or a path
    file: str  # the resolved file, absolute


@dataclass
class WorkspaceState:
    workspace_id: str
    project: str
    profile: ProfileRef
    answers: dict[str, str] = field(default_factory=dict)  # non-secret answers only
    repo_dir: str | None = None
    profile_files: list[str] = field(default_factory=list)
    render_key: str = ""  # what the rendered files were made from; equal key -> no need to re-render
    service_hashes: dict[str, str] = field(default_factory=dict)
    healthchecked: list[str] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)  # service -> services it waits for
    optional: list[str] = field(default_factory=list)  # services in optional groups (`profiles:`)
    seed_tasks: int = 0
    seed_services: list[str] = field(default_factory=list)
    parity: bool = False  # the profile names production manifests: status shows a parity line
    contexts: dict[str, str] = field(default_factory=dict)  # service -> build context fingerprint at last up
    built: dict[str, str] = field(default_factory=dict)  # service -> fingerprint its image was built from
    seeded: bool = False
    # exactly-once seeding (devenv/domain/seeding.py): each task's progress, the identity of the volumes
    # the seeded data lives in, and a reset that deleted (some) data but did not finish
    seed_status: dict[str, str] = field(default_factory=dict)
    seed_volumes: dict[str, str] = field(default_factory=dict)
    reset_pending: bool = False
    ports: dict[str, list[int]] = field(default_factory=dict)
    urls: dict[str, list[str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkspaceState:
        data = dict(data)
        data.pop("version", None)
        profile = ProfileRef(**data.pop("profile"))
        known = {f for f in cls.__dataclass_fields__ if f != "profile"}
        return cls(profile=profile, **{k: v for k, v in data.items() if k in known})


def render_key(profile_texts: list[str], answers: dict[str, str], secrets: dict[str, str], extra: list[str]) -> str:
    """A digest of everything rendering depends on; secrets enter only through a digest."""
    h = hashlib.sha256()
    for text in profile_texts:
        h.update(hashlib.sha256(text.encode()).digest())
    for key in sorted(answers):
        h.update(f"{key}={answers[key]}\0".encode())
    for key in sorted(secrets):
        h.update(f"{key}={hashlib.sha256(secrets[key].encode()).hexdigest()}\0".encode())
    for item in extra:
        h.update(item.encode() + b"\0")
    return h.hexdigest()
