"""Compose files as written, for `file:line` in the generator's report: the `-f` files, what they
`include:` and the files their `extends:` name. compose itself does the reading that counts
(`Compose.project_config`); these documents only say where each key was written."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from devenv.adapters.manifests import parse_located, read_text
from devenv.domain.parity.readers import compose_merge
from devenv.domain.parity.readers.common import ManifestError
from devenv.domain.yamldoc import Located

_MAX_FILES = 64


def read_written(paths: Sequence[Path]) -> list[Located]:
    """Every file in the order compose lets it win: included files before the file including them."""
    out: list[Located] = []
    seen: set[Path] = set()
    for path in paths:
        _read(path.resolve(), out, seen)
    return out


def _read(path: Path, out: list[Located], seen: set[Path]) -> None:
    if path in seen or len(seen) >= _MAX_FILES or not path.is_file():
        return
    seen.add(path)
    docs = parse_located(read_text(path), path)
    if len(docs) != 1 or not isinstance(docs[0].value, Mapping):
        return
    doc = docs[0]
    try:
        included = compose_merge.include_paths(doc.value)
    except ManifestError:
        included = []
    for name in included:
        _read((path.parent / name).resolve(), out, seen)
    for spec in (doc.value.get("services") or {}).values():
        extends = spec.get("extends") if isinstance(spec, Mapping) else None
        if isinstance(extends, Mapping) and isinstance(extends.get("file"), str):
            _read((path.parent / extends["file"]).resolve(), out, seen)
    out.append(doc)
