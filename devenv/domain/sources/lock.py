"""The workspace lock (`.devenv/profile.lock`): exactly which profile content a workspace runs (pure).

`up` follows it; `update` moves it. It records where the profile came from (source, URL, version, git
commit), a hash of the profile file and everything it extends, and the image each service ran.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

LOCK_VERSION = 1


@dataclass(frozen=True)
class Lock:
    profile: str  # the profile's name
    ref: str  # how it was asked for: team/web@1.0.0, a name, or a path
    file: str  # the profile file the workspace renders (absolute)
    content_hash: str  # sha256 over the profile file and every file it extends, in order
    source: str | None = None  # the registered source's name (None: a folder or a file)
    url: str | None = None
    version: str | None = None
    commit: str | None = None
    # service -> {"image": the reference, "id": the image id it ran, "digest": the registry digest if pulled}
    images: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"lock_version": LOCK_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: object) -> Lock | None:
        """The lock, or None for anything that is not one (the caller says what to do)."""
        if not isinstance(data, dict) or data.get("lock_version") != LOCK_VERSION:
            return None
        try:
            images = data.get("images") or {}
            return cls(
                profile=str(data["profile"]),
                ref=str(data["ref"]),
                file=str(data["file"]),
                content_hash=str(data["content_hash"]),
                source=_opt(data.get("source")),
                url=_opt(data.get("url")),
                version=_opt(data.get("version")),
                commit=_opt(data.get("commit")),
                images={str(k): {str(a): str(b) for a, b in dict(v).items()} for k, v in dict(images).items()},
            )
        except (KeyError, TypeError, ValueError):
            return None

    @property
    def pinned(self) -> str:
        """How `status`/`update` names what is pinned: team/web 1.0.0 (commit abc1234)."""
        where = f"{self.source}/{self.profile}" if self.source else self.profile
        version = f" {self.version}" if self.version else ""
        commit = f" (commit {self.commit[:7]})" if self.commit else ""
        return where + version + commit


def changes(old: Lock, new: Lock) -> list[str]:
    """What would change in the lock, one line each (images only where both sides recorded one)."""
    lines = []
    for key in ("source", "url", "profile", "version", "commit", "content_hash"):
        a, b = getattr(old, key), getattr(new, key)
        if a != b:
            short = key in ("commit", "content_hash")  # 12 hex digits tell them apart
            lines.append(f"{key}: {a[:12] if short and a else a} -> {b[:12] if short and b else b}")
    for service, image in sorted(old.images.items()):
        now = new.images.get(service)
        if now is not None and now.get("id") != image.get("id"):
            lines.append(f"image of {service}: {image.get('id', '')[:19]} -> {now.get('id', '')[:19]}")
    return lines


def _opt(value: object) -> str | None:
    return None if value is None else str(value)
