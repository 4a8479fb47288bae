"""Registered profile sources: the list (`sources.json` in the config dir) and their caches.

A git source is cloned into the cache dir (`sources/NAME/clone`); each version used is unpacked once
from its commit into `sources/NAME/commits/SHA/`, so a workspace pinned to a commit keeps reading the
same files after the source moves on. A folder source is read in place. git runs only via adapters/git.
"""

from __future__ import annotations

import json
import re
import shutil
import tarfile
from dataclasses import asdict, dataclass
from pathlib import Path

from devenv.adapters.fs import write_atomic
from devenv.adapters.git import Git
from devenv.domain.sources.refs import NAME, pick_version, tag_for, versions_from_tags
from devenv.errors import UserError

FILE_NAME = "sources.json"
GIT_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|[^@/\s]+@[^:/\s]+:)", re.IGNORECASE)


class UnsignedTag(UserError):
    """A tag of a source that requires signatures is unsigned or signed by someone not allowed."""


@dataclass(frozen=True)
class Source:
    name: str
    url: str  # a git URL, or an absolute folder
    kind: str  # "git" or "folder"
    allowed_signers: str | None = None  # set: every version used must carry a tag signed by one of them

    @property
    def is_git(self) -> bool:
        return self.kind == "git"


@dataclass(frozen=True)
class Origin:
    """Where a profile file in the cache came from."""

    source: Source
    name: str
    commit: str
    version: str | None


def kind_of(url: str) -> str:
    return "git" if GIT_URL.match(url) else "folder"


class SourceStore:
    def __init__(self, config_dir: Path, cache_dir: Path, git: Git) -> None:
        self.file = config_dir / FILE_NAME
        self.cache = cache_dir / "sources"
        self.git = git

    # -------------------------------------------------------------------------------- the list

    def all(self) -> list[Source]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise UserError(
                f"cannot read {self.file}: {exc}", hint="fix the file, or remove it and add the sources again"
            ) from exc
        raw = data.get("sources", []) if isinstance(data, dict) else []
        return [Source(**item) for item in raw if isinstance(item, dict) and {"name", "url", "kind"} <= item.keys()]

    def get(self, name: str) -> Source | None:
        return next((s for s in self.all() if s.name == name), None)

    def save(self, sources: list[Source]) -> None:
        text = json.dumps({"sources": [asdict(s) for s in sources]}, indent=2) + "\n"
        write_atomic(self.file, text)

    # -------------------------------------------------------------------------------- git caches

    def clone_dir(self, source: Source) -> Path:
        return self.cache / source.name / "clone"

    def folder(self, source: Source) -> Path:
        """Where the source's newest profiles are read from (the clone's checkout for a git source)."""
        return self.clone_dir(source) if source.is_git else Path(source.url)

    def fetch(self, source: Source) -> Path:
        """Clone the source into the cache, or bring the clone up to date (`source refresh`)."""
        clone = self.clone_dir(source)
        if (clone / ".git").is_dir():
            self.git.sync(clone)
        else:
            self.git.clone_or_reuse(source.url, clone)
        return clone

    def ensure(self, source: Source) -> Path:
        clone = self.clone_dir(source)
        return clone if (clone / ".git").is_dir() else self.fetch(source)

    def versions(self, source: Source) -> dict[str, list[str]]:
        return versions_from_tags(self.git.tags(self.ensure(source))) if source.is_git else {}

    def resolve(self, source: Source, name: str, wanted: str | None) -> tuple[str, str | None]:
        """(commit, version) for `name@wanted`; unpublished profiles resolve to the clone's HEAD."""
        clone = self.ensure(source)
        published = versions_from_tags(self.git.tags(clone)).get(name, [])
        version = pick_version(published, wanted)
        if wanted is not None and version is None:  # published since the last fetch?
            self.fetch(source)
            published = versions_from_tags(self.git.tags(clone)).get(name, [])
            version = pick_version(published, wanted)
        if wanted is not None and version is None:
            shown = ", ".join(published) or "none"
            raise UserError(
                f"{source.name}/{name} has no published version {wanted} (published: {shown})",
                hint=f"`devenv source refresh {source.name}` fetches new versions; `devenv profile list` shows them",
            )
        if version is None:
            if source.allowed_signers:
                raise UnsignedTag(
                    f"{source.name}/{name} has no signed release, and source '{source.name}' requires signatures",
                    hint="publish a version with `devenv profile publish --sign`",
                )
            return self.git.commit_of(clone, "HEAD"), None
        tag = tag_for(name, version)
        if source.allowed_signers:
            self.check_signature(source, clone, tag)
        return self.git.commit_of(clone, tag), version

    def check_signature(self, source: Source, clone: Path, tag: str) -> None:
        good, said = self.git.verify_tag(clone, tag, Path(source.allowed_signers or ""))
        if not good:
            raise UnsignedTag(
                f"tag {tag} of source '{source.name}' is not signed by an allowed signer: refused",
                hint=f"the source requires signatures (allowed signers: {source.allowed_signers}); "
                "ask the publisher to sign the release (`devenv profile publish --sign`)",
                details=[said] if said else None,
            )

    def snapshot(self, source: Source, commit: str) -> Path:
        """The source's files at `commit`, unpacked once into the cache (atomically: renamed when whole)."""
        dest = self.cache / source.name / "commits" / commit
        if dest.is_dir():
            return dest
        clone = self.ensure(source)
        partial = dest.parent / f".{commit}.partial"
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        archive = partial.parent / f".{commit}.tar"
        try:
            self.git.export(clone, commit, archive)
            with tarfile.open(archive) as tar:
                _extract(tar, partial)
            partial.rename(dest)
        finally:
            archive.unlink(missing_ok=True)
            shutil.rmtree(partial, ignore_errors=True)
        return dest

    def origin(self, file: Path) -> Origin | None:
        """The source, profile and commit of a file unpacked by `snapshot`, if it is one."""
        try:
            parts = file.resolve().relative_to(self.cache.resolve()).parts
        except ValueError:
            return None
        if len(parts) < 4 or parts[1] != "commits":
            return None
        source = self.get(parts[0])
        if source is None:
            return None
        name = parts[3] if NAME.match(parts[3].removesuffix(".yaml").removesuffix(".yml")) else ""
        name = name.removesuffix(".yaml").removesuffix(".yml")
        commit = parts[2]
        clone = self.clone_dir(source)
        version = None
        if (clone / ".git").is_dir():  # the newest release tag of this profile on that commit
            version = pick_version(versions_from_tags(self.git.tags_at(clone, commit)).get(name, []), None)
        return Origin(source, name, commit, version)

    def forget(self, source: Source) -> None:
        shutil.rmtree(self.cache / source.name, ignore_errors=True)


def profile_file(folder: Path, name: str) -> Path | None:
    """NAME/profile.yaml (or .yml), or NAME.yaml, in a source's folder."""
    for candidate in (folder / name / "profile.yaml", folder / name / "profile.yml", folder / f"{name}.yaml"):
        if candidate.is_file():
            return candidate
    return None


def pinned_file(store: SourceStore, source_name: str, name: str, version: str | None) -> Path | None:
    """The file of `source/name@version` at its commit (None: the source is not a git source)."""
    source = store.get(source_name)
    if source is None or not source.is_git:
        return None
    commit, _ = store.resolve(source, name, version)
    found = profile_file(store.snapshot(source, commit), name)
    if found is None:
        raise UserError(
            f"source '{source_name}' has no profile '{name}' at commit {commit[:7]}",
            hint="`devenv profile list` shows what the source holds",
        )
    return found


def stage(clone: Path, name: str, profile: Path) -> str:
    """Put a profile into a clone as NAME/: its whole folder (profile.yaml beside its build contexts), or
    the one file as NAME/profile.yaml. Returns the folder, relative to the clone."""
    dest = clone / name
    shutil.rmtree(dest, ignore_errors=True)
    if profile.name in ("profile.yaml", "profile.yml"):
        shutil.copytree(profile.parent, dest, ignore=shutil.ignore_patterns(".git", ".devenv"))
    else:
        dest.mkdir(parents=True)
        shutil.copy2(profile, dest / "profile.yaml")
    return name


def read_tree(folder: Path) -> dict[str, str]:
    """Every text file under a folder, by relative path (what `profile diff` compares)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            try:
                found[str(path.relative_to(folder))] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                found[str(path.relative_to(folder))] = "(binary file)\n"
    return found


UNSAFE_HINT = "nothing was unpacked; tell the source's maintainer (a profile folder holds plain files and folders)"


def _extract(tar: tarfile.TarFile, dest: Path) -> None:
    """Unpack a source's files (someone else's repository) without letting any entry land outside `dest`.

    Python's "data" filter does exactly that, but only from 3.11.4 (Debian 12 ships 3.11.2); the same
    rules are checked here first, so both paths refuse the same archives."""
    root = dest.resolve()
    for member in tar.getmembers():
        target = (root / member.name).resolve()
        if member.name.startswith("/") or not target.is_relative_to(root):
            raise UserError(f"the source's files have a path outside its folder: {member.name}", hint=UNSAFE_HINT)
        if member.issym() or member.islnk():
            link = (target.parent / member.linkname).resolve() if member.issym() else root / member.linkname
            if member.linkname.startswith("/") or not link.resolve().is_relative_to(root):
                raise UserError(f"the source's files link outside its folder: {member.name}", hint=UNSAFE_HINT)
        elif not (member.isfile() or member.isdir()):
            raise UserError(f"the source's files include a special file: {member.name}", hint=UNSAFE_HINT)
    if hasattr(tarfile, "data_filter"):
        tar.extractall(dest, filter="data")
    else:  # pragma: no cover - Python before 3.11.4: every member was checked above
        tar.extractall(dest)  # noqa: S202
