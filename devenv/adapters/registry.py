"""This machine's workspaces: a small list of their folders in the platformdirs data dir (ctx.workspaces).

`up` and `init` add the workspace they bring up; `devenv ls` reads it (and the engine's labels, for stacks
started before the list existed). A missing or damaged file is an empty list: it only helps `ls` find things.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from devenv.adapters.fs import write_atomic

FILE_NAME = "workspaces.json"


class WorkspaceRegistry:
    def __init__(self, data_dir: Path) -> None:
        self.file = data_dir / FILE_NAME

    def roots(self) -> list[Path]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        listed = data.get("workspaces") if isinstance(data, dict) else None
        return [Path(r) for r in listed if isinstance(r, str)] if isinstance(listed, list) else []

    def remember(self, root: Path) -> None:
        """Add a workspace folder; nothing is written when it is listed already (the no-op `up` stays cheap)."""
        root = root.resolve()
        roots = self.roots()
        if root not in roots:
            with contextlib.suppress(OSError):  # an unwritable data folder must not stop `up`
                self._write([*roots, root])

    def forget(self, gone: list[Path]) -> None:
        roots = self.roots()
        if any(r in roots for r in gone):
            self._write([r for r in roots if r not in gone])

    def _write(self, roots: list[Path]) -> None:
        text = json.dumps({"workspaces": [str(r) for r in roots]}, indent=2) + "\n"
        write_atomic(self.file, text)
