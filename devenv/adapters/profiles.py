"""Where profiles come from: a path, or a name looked up in the user's sources, then the shipped ones."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from devenv.adapters.fs import read_text
from devenv.errors import UserError

SUFFIXES = (".yaml", ".yml")
MAX_PROFILE_BYTES = 256 * 1024  # reading and checking stays within a couple of seconds


def shipped_profiles_dir() -> Path:
    """`profiles/` of a checkout, or the copy packaged inside an installed devenv."""
    override = os.environ.get("DEVENV_SHIPPED_PROFILES")
    if override:
        return Path(override)
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "profiles", package.parent / "profiles"):
        if candidate.is_dir():
            return candidate
    return package.parent / "profiles"


def looks_like_path(ref: str) -> bool:
    return "/" in ref or ref.endswith(SUFFIXES) or ref.startswith(".") or ref.startswith("~")


@dataclass(frozen=True)
class ProfileEntry:
    name: str
    path: Path
    source: Path


class ProfileFiles:
    """Reads profile files for the loader: `read(ref, from_file) -> (text, file name)`."""

    def __init__(self, sources: list[Path], cwd: Path) -> None:
        self.sources = sources
        self.cwd = cwd

    def locate(self, ref: str, from_file: str | None = None) -> Path:
        if looks_like_path(ref):
            base = Path(from_file).parent if from_file else self.cwd
            path = (base / Path(ref).expanduser()).resolve()
            if path.is_dir():
                for name in ("profile.yaml", "profile.yml"):
                    if (path / name).is_file():
                        return path / name
            return path
        for entry in self.entries():
            if entry.name == ref:
                return entry.path
        names = sorted({e.name for e in self.entries()})
        raise UserError(
            f"no profile named '{ref}'",
            hint=f"available: {', '.join(names)}" if names else "pass a path to a profile file",
        )

    def read(self, ref: str, from_file: str | None) -> tuple[str, str]:
        path = self.locate(ref, from_file)
        with contextlib.suppress(OSError):  # read_text reports a file that cannot be read
            size = path.stat().st_size
            if size > MAX_PROFILE_BYTES:
                raise UserError(
                    f"profile {path} is {size // 1024} KiB: larger than the {MAX_PROFILE_BYTES // 1024} KiB "
                    "devenv reads",
                    hint="a profile describes services, a few KiB each; split it with `extends` or move data out",
                )
        # absolute: relative build contexts and mounts of a repo-less profile start from its folder
        return read_text(path, what="profile"), str(path)

    def entries(self) -> list[ProfileEntry]:
        """Every named profile, first source wins: NAME.yaml, or NAME/profile.yaml."""
        found: dict[str, ProfileEntry] = {}
        for source in self.sources:
            if not source.is_dir():
                continue
            for child in sorted(source.iterdir()):
                if child.is_file() and child.suffix in SUFFIXES:
                    found.setdefault(child.stem, ProfileEntry(child.stem, child, source))
                elif child.is_dir():
                    for name in ("profile.yaml", "profile.yml"):
                        if (child / name).is_file():
                            found.setdefault(child.name, ProfileEntry(child.name, child / name, source))
        return list(found.values())
