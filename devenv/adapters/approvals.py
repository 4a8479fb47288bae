"""The user's approvals of profiles' host access, in the platformdirs data dir, keyed by content hash."""

from __future__ import annotations

import json
import time
from pathlib import Path

from devenv.adapters.fs import write_atomic

FILE_NAME = "host-access-approvals.json"


class Approvals:
    def __init__(self, data_dir: Path) -> None:
        self.file = data_dir / FILE_NAME

    def _read(self) -> dict[str, object]:
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # missing or damaged: nothing is approved, so the user is asked again
        return data if isinstance(data, dict) else {}

    def approved(self, key: str) -> bool:
        return isinstance(self._read().get(key), dict)

    def record(self, key: str, profile: str, grants: list[str]) -> None:
        data = self._read()
        data[key] = {"profile": profile, "grants": grants, "approved_at": int(time.time())}
        write_atomic(self.file, json.dumps(data, indent=2, sort_keys=True) + "\n", mode=0o600)
