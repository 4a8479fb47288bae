"""Dev compose files read as `docker compose` reads them: override files merged, `include:` followed.

The merging rules are pure (devenv.domain.parity.readers.compose_merge); this module reads the files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from devenv.adapters.manifests import parse_located, read_text, user_error
from devenv.domain.parity.readers import compose_merge
from devenv.domain.parity.readers.common import ManifestError
from devenv.domain.yamldoc import Located
from devenv.errors import UserError

_MAX_INCLUDE_DEPTH = 8


def read_compose_files(paths: Sequence[Path], shown: str) -> Located:
    """Compose files as `docker compose -f a -f b` reads them, each one's `include:` resolved (relative to
    it, recursively, cycles refused). A single file without includes keeps its locations."""
    docs = [_compose_with_includes(path, shown, ()) for path in paths]
    if len(docs) == 1:
        return docs[0]
    merged: dict[str, Any] = {}
    for doc in docs:
        merged = compose_merge.merge_documents(merged, doc.value)
    return Located(merged, shown)


def _compose_with_includes(path: Path, shown: str, seen: tuple[Path, ...]) -> Located:
    resolved = path.resolve()
    if resolved in seen or len(seen) > _MAX_INCLUDE_DEPTH:
        chain = " -> ".join(str(p) for p in (*seen, resolved))
        raise UserError(f"{path}: include loop or chain too deep: {chain}", hint="compose refuses it too")
    docs = parse_located(read_text(path), path)
    value = docs[0].value if len(docs) == 1 else None
    if not isinstance(value, Mapping) or not (isinstance(value.get("services"), Mapping) or "include" in value):
        raise UserError(f"{path}: not a compose file (no services: mapping)", hint="--dev takes a compose file")
    try:
        included = compose_merge.include_paths(value)
    except ManifestError as exc:
        raise user_error(exc, str(path), docs) from exc
    if not included:
        return docs[0]
    project: dict[str, Any] = {k: v for k, v in value.items() if k != "include"}
    project.setdefault("services", {})
    for name in included:
        child_path = (path.parent / name) if not Path(name).is_absolute() else Path(name)
        child = _compose_with_includes(child_path, shown, (*seen, resolved))
        rebased = compose_merge.rebase(child.value, child_path.resolve().parent)
        try:
            project = compose_merge.add_included(project, rebased, str(child_path))
        except ManifestError as exc:
            raise UserError(f"{path}: {exc.message}", hint="compose refuses it too: rename one") from exc
    return Located(project, str(path))
