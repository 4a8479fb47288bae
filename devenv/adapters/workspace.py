"""A workspace on disk: `.devenv/` with state.json, compose.yaml, .env (0600), secret.key (0600), a lock.

State files are written atomically and validated when read back; mutating commands hold an exclusive lock
for their whole run.
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
from devenv.domain.stack.dotenv import parse_dotenv
from devenv.domain.stack.names import workspace_identity
from devenv.domain.stack.state import WorkspaceState
from devenv.errors import UserError

STATE_DIR = ".devenv"
LOCK_WAIT_SECONDS = 10.0
_OWN_FILES = (".gitignore", "lock", "secret.key", ".env", "compose.yaml", "profile.lock")


class DamagedState(UserError):
    """state.json cannot be used; `devenv up --profile REF` writes it again."""


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

    @property
    def key_file(self) -> Path:
        return self.state_dir / "secret.key"

    def exists(self) -> bool:
        return self.state_file.is_file()

    # -- identity --
    def identity(self) -> tuple[str, str]:
        """(workspace id, compose project name): stable for this folder, distinct for two folders."""
        return workspace_identity(self.root.resolve())

    # -- state --
    def load(self) -> WorkspaceState:
        try:
            text = self.state_file.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise UserError(
                f"{self.root} is not a devenv workspace",
                hint="run `devenv up --profile NAME` or `devenv init`",
            ) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise self._damaged(str(exc), None) from exc
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise self._damaged(f"not JSON: {exc}", None) from exc
        try:
            return WorkspaceState.from_json(data)
        except ValueError as exc:
            raise self._damaged(str(exc), data) from exc

    def _damaged(self, why: str, data: object) -> DamagedState:
        ref = "NAME"
        if isinstance(data, dict) and isinstance(data.get("profile"), dict):
            found = data["profile"].get("ref")
            if isinstance(found, str) and found and not found.startswith("-"):
                ref = found
        return DamagedState(
            f"workspace state {self.state_file} is damaged ({why})",
            hint=f"run `devenv up --profile {ref}` to write it again (the damaged file is kept beside it)",
        )

    def set_aside(self) -> WorkspaceState | None:
        """Keep a damaged state.json as state.json.damaged, so `up --profile` can start over; returns what
        can be salvaged from it (its fields of the right type), or None."""
        aside = self.state_dir / "state.json.damaged"
        os.replace(self.state_file, aside)
        try:
            return WorkspaceState.from_json(json.loads(aside.read_text(encoding="utf-8")), lenient=True)
        except (OSError, UnicodeDecodeError, ValueError):
            return None

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
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(
                f"the secrets file {self.env_file} cannot be read ({exc})",
                hint=f"move {self.env_file} out of the way, then run `devenv up`: it names any secret to answer again",
            ) from exc
        return parse_dotenv(text)

    def files_digest(self) -> str:
        """A digest of the generated compose.yaml and .env as they are on disk ("" if compose.yaml is gone)."""
        h = hashlib.sha256()
        for path in (self.compose_file, self.env_file):
            try:
                h.update(path.read_bytes())
            except FileNotFoundError:
                if path == self.compose_file:
                    return ""
            except OSError:
                return ""
            h.update(b"\0")
        return h.hexdigest()

    def read_key(self) -> bytes | None:
        """The workspace's secret key for keyed digests, or None when it is missing or damaged."""
        try:
            text = self.key_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return bytes.fromhex(text) if re.fullmatch(r"[0-9a-f]{64}", text) else None

    def ensure_key(self) -> bytes:
        """The secret key, made (32 random bytes, mode 0600) when missing or damaged."""
        key = self.read_key()
        if key is None:
            if self.key_file.is_dir():
                raise UserError(f"{self.key_file} is a folder", hint=f"remove it: rm -r {self.key_file}")
            key = os.urandom(32)
            write_atomic(self.key_file, key.hex() + "\n", mode=0o600)
        return key

    def discard(self) -> None:
        """Remove a .devenv/ that this command created and that never became a workspace."""
        for name in _OWN_FILES:
            with contextlib.suppress(OSError):
                (self.state_dir / name).unlink()
        with contextlib.suppress(OSError):
            self.state_dir.rmdir()

    # -- lock --
    @contextlib.contextmanager
    def lock(self, command: str, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
        """Serialise devenv commands on this workspace; the second waits briefly, then names the holder."""
        self.prepare()
        try:
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise UserError(
                f"cannot open the workspace lock {self.lock_file} ({exc.strerror})",
                hint=f"it must be a file devenv can write: remove it (rm -r {self.lock_file}) and try again",
            ) from exc
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
