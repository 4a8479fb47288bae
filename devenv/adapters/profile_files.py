"""Where profiles come from: a path, or a name looked up in the user's sources, then the shipped ones."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
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

    def __init__(
        self,
        sources: list[Path],
        cwd: Path,
        *,
        names: Mapping[Path, str] | None = None,
        pinned: Callable[[str, str, str | None], Path | None] | None = None,
    ) -> None:
        self.sources = sources
        self.cwd = cwd
        self.names = dict(names or {})  # registered sources (`devenv source add`) by folder: their names
        # (source, profile, version) -> the file at its published commit; None for a source without versions
        self.pinned = pinned

    def locate(self, ref: str, from_file: str | None = None) -> Path:
        if "@" in ref and not Path(ref).expanduser().exists():
            return self._versioned(ref)
        path = self._locate(ref, from_file)
        if self.pinned is None or not self.names:
            return path
        entry = next((e for e in self.entries() if e.path == path), None)
        if entry is not None and entry.source_name in self.names.values():
            return self.pinned(entry.source_name, entry.name, None) or path
        return path

    def _versioned(self, ref: str) -> Path:
        """`source/name@1.2` or `name@1.2`: the file of that published version."""
        from devenv.domain.sources.refs import parse_address

        address = parse_address(ref)
        source = address.source
        if source is None:
            having = {e.source_name for e in self.entries() if e.name == address.name}
            if len(having) > 1:
                raise UserError(
                    f"profile name '{address.name}' is ambiguous: more than one profile source has it",
                    hint=f"name one of them: {', '.join(f'{s}/{ref}' for s in sorted(having))}",
                )
            source = next(iter(having), None)
        found = self.pinned(source, address.name, address.version) if self.pinned and source else None
        if found is None:
            raise UserError(
                f"no published profile '{ref}'",
                hint="versions exist only in git sources: `devenv source list`, `devenv profile list`",
            )
        return found

    def _locate(self, ref: str, from_file: str | None = None) -> Path:
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
        names = [self.names.get(s) or s.name or str(s) for s in self.sources]
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
