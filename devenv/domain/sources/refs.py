"""Names and versions of published profiles: `source/name@1.2`, tags `<name>/v<version>` (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from devenv.errors import UserError

NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
VERSION = re.compile(r"^\d+(?:\.\d+){0,2}$")
TAG_PREFIX = "/v"


@dataclass(frozen=True)
class ProfileAddress:
    source: str | None  # None: any source that has the name (it must be unambiguous)
    name: str
    version: str | None  # None: the newest published; "1.2" picks the newest 1.2.x

    def __str__(self) -> str:
        where = f"{self.source}/" if self.source else ""
        return where + self.name + (f"@{self.version}" if self.version else "")


def parse_address(text: str) -> ProfileAddress:
    """`name`, `source/name`, `name@1.2`, `source/name@1.2.3`; a UserError says what is wrong."""
    body, at, version = text.partition("@")
    source, slash, name = body.rpartition("/")
    if at and not VERSION.match(version):
        raise UserError(f"'{text}': '{version}' is not a version", hint="versions look like 1, 1.2 or 1.2.3")
    if not NAME.match(name) or (slash and not NAME.match(source)):
        raise UserError(
            f"'{text}' is not a profile name", hint="name profiles NAME, SOURCE/NAME or SOURCE/NAME@VERSION"
        )
    return ProfileAddress(source or None, name, version if at else None)


def version_key(version: str) -> tuple[int, int, int]:
    parts = [int(p) for p in version.split(".")] + [0, 0, 0]
    return (parts[0], parts[1], parts[2])


def valid_version(version: str) -> bool:
    return bool(VERSION.match(version))


def tag_for(name: str, version: str) -> str:
    return f"{name}{TAG_PREFIX}{version}"


def versions_from_tags(tags: list[str]) -> dict[str, list[str]]:
    """profile name -> its published versions, oldest first (tags that are not `<name>/v<version>` ignored)."""
    found: dict[str, list[str]] = {}
    for tag in tags:
        name, sep, version = tag.rpartition(TAG_PREFIX)
        if sep and NAME.match(name) and valid_version(version):
            found.setdefault(name, []).append(version)
    return {name: sorted(versions, key=version_key) for name, versions in found.items()}


def pick_version(published: list[str], wanted: str | None) -> str | None:
    """The newest published version matching `wanted` (exactly, or as a prefix: 1.2 -> newest 1.2.x)."""
    if wanted is None:
        return max(published, key=version_key) if published else None
    if wanted in published:
        return wanted
    depth = len(wanted.split("."))
    matching = [v for v in published if v.split(".")[:depth] == wanted.split(".")]
    return max(matching, key=version_key) if matching else None
