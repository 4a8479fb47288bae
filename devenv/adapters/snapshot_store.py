"""Snapshot records on disk: `.devenv/snapshots/NAME.json`, and the journal of a restore in progress.

Every file is written atomically (adapters/fs.py); a record that cannot be read is reported, never guessed.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from devenv.adapters.fs import write_atomic
from devenv.domain.snapshots import RestoreJournal, Snapshot
from devenv.errors import UserError

T = TypeVar("T")

JOURNAL = "restore.journal"


class SnapshotStore:
    def __init__(self, state_dir: Path) -> None:
        self.folder = state_dir / "snapshots"

    def _file(self, name: str) -> Path:
        return self.folder / f"{name}.json"

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))

    def get(self, name: str) -> Snapshot | None:
        path = self._file(name)
        hint = f"remove it with `devenv snapshot rm {name}` and save the snapshot again"
        return _read(path, Snapshot.from_json, f"the snapshot record {path}", hint)

    def all(self) -> list[Snapshot]:
        return [snap for name in self.names() if (snap := self.get(name)) is not None]

    def put(self, snap: Snapshot) -> None:
        write_atomic(self._file(snap.name), json.dumps(snap.to_json(), indent=2) + "\n")

    def delete(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._file(name).unlink()

    # -- the journal of a restore in progress --
    def journal(self) -> RestoreJournal | None:
        path = self.folder / JOURNAL
        what = f"the journal of an interrupted snapshot restore ({path})"
        hint = f"remove it ({path}) and run `devenv reset --reseed` to get back to freshly seeded data"
        return _read(path, RestoreJournal.from_json, what, hint)

    def begin(self, journal: RestoreJournal) -> None:
        write_atomic(self.folder / JOURNAL, json.dumps(journal.to_json(), indent=2) + "\n")

    def finish(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.folder / JOURNAL).unlink()


def _read(path: Path, parse: Callable[[object], T], what: str, hint: str) -> T | None:
    """A JSON file parsed; None when it does not exist; a clear error when it cannot be read or parsed."""
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise UserError(f"{what} is damaged ({exc})", hint=hint) from exc
