"""`devenv profile list / show / diff`: what the sources hold, one version, and what changed between two."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devenv.adapters.sources import read_tree
from devenv.context import AppContext
from devenv.domain.sources.diff import tree_diff
from devenv.domain.sources.refs import parse_address
from devenv.errors import DevenvError, UserError


@dataclass(frozen=True)
class CatalogRow:
    ref: str  # how to name it: NAME, or SOURCE/NAME when another source has the name too
    source: str
    description: str
    versions: list[str]  # published versions, oldest first (git sources); else the file's `version:`


def catalog(ctx: AppContext, source: str | None = None) -> list[CatalogRow]:
    from devenv.usecases.profiles import load

    files = ctx.profile_files
    known = {e.source_name for e in files.entries()} | {s.name for s in ctx.sources.all()}
    if source is not None and source not in known:
        raise UserError(f"no source named '{source}'", hint=f"sources: {', '.join(sorted(known))}")
    published = {s.name: ctx.sources.versions(s) for s in ctx.sources.all() if s.is_git}
    rows = []
    for entry in files.entries():
        if source is not None and entry.source_name != source:
            continue
        try:
            profile = load(ctx, str(entry.path))
            description, version = profile.description or "", profile.version
        except DevenvError as exc:
            description, version = f"(cannot be loaded: {exc.message})", "?"
        versions = published.get(entry.source_name, {}).get(entry.name) or [f"{version} (unpublished)"]
        if entry.source_name not in published:
            versions = [version]
        rows.append(CatalogRow(entry.ref, entry.source_name, description, versions))
    return sorted(rows, key=lambda r: (r.source, r.ref))


def show(ctx: AppContext, ref: str) -> tuple[Path, str]:
    """The profile file of NAME[@VERSION] and its text."""
    path = ctx.profile_files.locate(ref)
    return path, path.read_text(encoding="utf-8")


def diff(ctx: AppContext, old_ref: str, new_ref: str) -> str:
    """What changed between two versions (`team/web@1.0.0 team/web@1.1.0`, or `web@1.0.0 1.1.0`)."""
    if "@" not in new_ref and "/" not in new_ref and old_ref.count("@") == 1:
        new_ref = f"{old_ref.split('@', maxsplit=1)[0]}@{new_ref}"  # `diff web@1.0.0 1.1.0`
    for ref in (old_ref, new_ref):
        parse_address(ref)
    old, new = ctx.profile_files.locate(old_ref), ctx.profile_files.locate(new_ref)
    return tree_diff(read_tree(old.parent), read_tree(new.parent), old_ref, new_ref)
