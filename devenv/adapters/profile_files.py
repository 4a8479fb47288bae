"""Where profiles come from: a path, or a name looked up in the user's sources, then the shipped ones."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, replace
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


SHIPPED = "shipped"  # how the profiles shipped with devenv are named in a qualified name: shipped/example


@dataclass(frozen=True)
class ProfileEntry:
    name: str
    path: Path
    source: Path
    source_name: str  # the source folder's name (SHIPPED for devenv's own): SOURCE/NAME names this one
    ambiguous: bool = False  # the same name exists in another source

    @property
    def qualified(self) -> str:
        return f"{self.source_name}/{self.name}"

    @property
    def ref(self) -> str:
        """How to name it: NAME, or SOURCE/NAME when another source has the same name."""
        return self.qualified if self.ambiguous else self.name


class ProfileFiles:
    """Reads profile files for the loader: `read(ref, from_file) -> (text, file name)`.

    The last source is the set shipped with devenv. A name that exists in several sources is ambiguous:
    it must be qualified (`SOURCE/NAME`), so no source can quietly stand in for another's profile."""

    def __init__(self, sources: list[Path], cwd: Path) -> None:
        self.sources = sources
        self.cwd = cwd

    def locate(self, ref: str, from_file: str | None = None) -> Path:
        if looks_like_path(ref):
            base = Path(from_file).parent if from_file else self.cwd
            path = (base / Path(ref).expanduser()).resolve()
            if not path.exists():
                qualified = self._qualified(ref)
                if qualified is not None:
                    return qualified.path
            if path.is_dir():
                for name in ("profile.yaml", "profile.yml"):
                    if (path / name).is_file():
                        return path / name
            return path
        entries = self.entries()
        matches = [e for e in entries if e.name == ref]
        if len(matches) > 1:
            raise UserError(
                f"profile name '{ref}' is ambiguous: more than one profile source has it",
                hint=f"name one of them: {', '.join(e.qualified for e in matches)}",
            )
        if matches:
            return matches[0].path
        names = sorted({e.ref for e in entries})
        raise UserError(
            f"no profile named '{ref}'",
            hint=f"available: {', '.join(names)}" if names else "pass a path to a profile file",
        )

    def _qualified(self, ref: str) -> ProfileEntry | None:
        source_name, sep, name = ref.partition("/")
        if not sep or "/" in name:
            return None
        return next((e for e in self.entries() if e.source_name == source_name and e.name == name), None)

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

    @property
    def shipped_source(self) -> Path:
        """The last source: the profiles shipped with devenv."""
        return self.sources[-1] if self.sources else shipped_profiles_dir()

    def source_names(self) -> list[str]:
        names = [s.name or str(s) for s in self.sources]
        if names:
            names[-1] = SHIPPED
        return names

    def entries(self) -> list[ProfileEntry]:
        """Every named profile in every source: NAME.yaml, or NAME/profile.yaml (the first file wins
        within one source)."""
        found: list[ProfileEntry] = []
        for source, source_name in zip(self.sources, self.source_names(), strict=True):
            if not source.is_dir():
                continue
            here: dict[str, Path] = {}
            for child in sorted(source.iterdir()):
                if child.is_file() and child.suffix in SUFFIXES:
                    here.setdefault(child.stem, child)
                elif child.is_dir():
                    for name in ("profile.yaml", "profile.yml"):
                        if (child / name).is_file():
                            here.setdefault(child.name, child / name)
            found += [ProfileEntry(name, path, source, source_name) for name, path in here.items()]
        counts: dict[str, int] = {}
        for entry in found:
            counts[entry.name] = counts.get(entry.name, 0) + 1
        return [replace(e, ambiguous=counts[e.name] > 1) for e in found]
