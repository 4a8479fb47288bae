"""A workspace on disk: `.devenv/` with state.json, compose.yaml, .env (0600) and a lock.

State files are written atomically; mutating commands hold an exclusive lock for their whole run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from devenv.adapters.fs import write_atomic
from devenv.domain.state import WorkspaceState
from devenv.errors import UserError

STATE_DIR = ".devenv"
LOCK_WAIT_SECONDS = 10.0


class Workspace:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.state_dir = root / STATE_DIR

    # -- places --
    @property
    def state_file(self) -> Path:
        return self.state_dir / "state.json"

    @property
    def compose_file(self) -> Path:
        return self.state_dir / "compose.yaml"

    @property
    def env_file(self) -> Path:
        return self.state_dir / ".env"

    @property
    def lock_file(self) -> Path:
        return self.state_dir / "lock"

    def exists(self) -> bool:
        return self.state_file.is_file()

    # -- identity --
    def identity(self) -> tuple[str, str]:
        """(workspace id, compose project name): stable for this folder, distinct for two folders."""
        digest = hashlib.sha256(str(self.root.resolve()).encode()).hexdigest()[:8]
        slug = re.sub(r"[^a-z0-9]+", "-", self.root.resolve().name.lower()).strip("-")[:30] or "ws"
        return f"{slug}-{digest}", f"devenv-{slug}-{digest}"

    # -- state --
    def load(self) -> WorkspaceState:
        try:
            data = json.loads(self.state_file.read_text(encoding="utf-8"))
            return WorkspaceState.from_json(data)
        except FileNotFoundError:
            raise UserError(
                f"{self.root} is not a devenv workspace",
                hint="run `devenv up --profile NAME` or `devenv init`",
            ) from None
        except (ValueError, TypeError, KeyError) as exc:
            raise UserError(
                f"workspace state {self.state_file} is damaged ({exc})",
                hint="run `devenv up --profile NAME` to write it again",
            ) from exc

    def save(self, state: WorkspaceState) -> None:
        self.prepare()
        write_atomic(self.state_file, json.dumps(state.to_json(), indent=2) + "\n")

    def prepare(self) -> None:
        """Create .devenv/ and keep it out of the platform checkout's `git status`."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        gitignore = self.state_dir / ".gitignore"
        if not gitignore.exists():
            write_atomic(gitignore, "# devenv's workspace state: never commit it\n*\n")

    def read_secrets(self) -> dict[str, str]:
        try:
            text = self.env_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        return parse_dotenv(text)

    # -- lock --
    @contextlib.contextmanager
    def lock(self, command: str, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
        """Serialise devenv commands on this workspace; the second waits briefly, then names the holder."""
        self.prepare()
        fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        acquired = False
        try:
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    acquired = True
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        holder = os.pread(fd, 300, 0).decode(errors="replace").strip() or "another devenv command"
                        raise UserError(
                            f"the workspace is busy: {holder}",
                            hint="wait for it to finish, or stop it (Ctrl-C) and run your command again",
                        ) from None
                    time.sleep(0.1)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"`devenv {command}` (pid {os.getpid()}) holds it".encode(), 0)
            yield
        finally:
            if acquired:  # only the holder clears its name; a waiter that gave up leaves it
                with contextlib.suppress(OSError):
                    os.ftruncate(fd, 0)
            os.close(fd)


def find_workspace(start: Path) -> Workspace | None:
    """The nearest folder at or above `start` that holds .devenv/state.json."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / STATE_DIR / "state.json").is_file():
            return Workspace(folder)
    return None


def parse_dotenv(text: str) -> dict[str, str]:
    """Read back the .env devenv writes (KEY='literal' or KEY="escaped"); other lines are ignored."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line.strip())
        if not m:
            continue
        key, raw = m.groups()
        if len(raw) >= 2 and raw[0] == raw[-1] == "'":
            out[key] = raw[1:-1]
        elif len(raw) >= 2 and raw[0] == raw[-1] == '"':
            out[key] = re.sub(r"\\(.)", r"\1", raw[1:-1])
        else:
            out[key] = raw
    return out
