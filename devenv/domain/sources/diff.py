"""A unified diff of two versions of a profile folder (pure)."""

from __future__ import annotations

import difflib
from collections.abc import Mapping


def tree_diff(old: Mapping[str, str], new: Mapping[str, str], old_label: str, new_label: str) -> str:
    """Every file added, removed or changed between two folders, as `diff -ru` would print it."""
    out: list[str] = []
    for name in sorted(set(old) | set(new)):
        a, b = old.get(name, ""), new.get(name, "")
        if a == b:
            continue
        out += difflib.unified_diff(
            a.splitlines(keepends=True),
            b.splitlines(keepends=True),
            fromfile=f"{old_label}/{name}" if name in old else "/dev/null",
            tofile=f"{new_label}/{name}" if name in new else "/dev/null",
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)
