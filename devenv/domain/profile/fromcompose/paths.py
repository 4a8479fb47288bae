"""Host paths in compose's reading (always absolute) written as a profile writes them: relative to the
platform checkout. A path outside it has no place in a profile without a host-access grant."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass


@dataclass(frozen=True)
class Checkout:
    root: str  # absolute: the platform checkout (the git work tree holding the compose files, or their folder)

    def place(self, path: str) -> str | None:
        """`path` relative to the checkout, starting with `./` (a bind mount, not a volume name); None outside."""
        norm = posixpath.normpath(path)
        root = posixpath.normpath(self.root)
        if norm == root:
            return "."
        if not norm.startswith(root.rstrip("/") + "/"):
            return None
        return "./" + posixpath.relpath(norm, root)


def remote_context(context: str) -> bool:
    return "://" in context or context.startswith("git@")
