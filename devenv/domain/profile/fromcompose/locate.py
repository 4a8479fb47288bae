"""Where a compose key was written: the last file (in `-f` order, includes first) that writes it,
following `extends:` to the service a key was inherited from."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from devenv.domain.yamldoc import Located, PathKey


class Locator:
    def __init__(self, docs: Sequence[Located]) -> None:
        self.docs = list(docs)

    def where(self, service: str | None, *path: str | int) -> str:
        """`file:line` of `services.SERVICE.PATH` (or of a top-level PATH when service is None)."""
        if service is None:
            return self._first(tuple(path)) or self._fallback()
        found = self._find(service, tuple(path), None, 0)
        if found is not None:
            return _at(*found)
        for doc in reversed(self.docs):  # not written anywhere: the service itself
            if _get(doc.value, ("services", service)) is not _MISSING:
                return _at(doc, ("services", service))
        return self._fallback()

    def value(self, service: str, *path: str | int) -> Any:
        """The value of `services.SERVICE.PATH` as written (following extends), None if not written."""
        found = self._find(service, tuple(path), None, 0)
        return None if found is None else _get(found[0].value, found[1])

    def _fallback(self) -> str:
        return self.docs[-1].file if self.docs else "compose"

    def _first(self, path: PathKey) -> str | None:
        for doc in reversed(self.docs):
            if _get(doc.value, path) is not _MISSING:
                return _at(doc, path)
        return None

    def _find(self, name: str, path: PathKey, file: str | None, depth: int) -> tuple[Located, PathKey] | None:
        key: PathKey = ("services", name, *path)
        docs = [d for d in reversed(self.docs) if file is None or _same(d.file, file)]
        for doc in docs:
            if _get(doc.value, key) is not _MISSING:
                return doc, key
        if depth < 8:
            for doc in docs:
                parent = _extends(doc, name)
                if parent is not None:
                    found = self._find(parent[0], path, parent[1], depth + 1)
                    if found:
                        return found
        return None


def _extends(doc: Located, name: str) -> tuple[str, str] | None:
    spec = _get(doc.value, ("services", name, "extends"))
    if isinstance(spec, str):
        return spec, doc.file
    if isinstance(spec, Mapping) and isinstance(spec.get("service"), str):
        other = spec.get("file")
        file = posixpath.normpath(posixpath.join(posixpath.dirname(doc.file), other)) if other else doc.file
        return spec["service"], file
    return None


def _same(a: str, b: str) -> bool:
    return posixpath.normpath(a) == posixpath.normpath(b)


_MISSING = object()


def _get(value: Any, path: PathKey) -> Any:
    """The value at `path`, or _MISSING."""
    for part in path:
        if isinstance(part, int):
            if not isinstance(value, list) or part >= len(value):
                return _MISSING
            value = value[part]
        elif isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            return _MISSING
    return value


def _at(doc: Located, path: PathKey) -> str:
    loc = doc.where(path)
    return f"{doc.file}:{loc.line}" if loc is not None else doc.file
