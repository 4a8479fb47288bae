"""Files: atomic writes (a crash never leaves half a file) and private files (mode 0600 from birth)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from devenv.errors import UserError


def write_atomic(path: Path, text: str, *, mode: int = 0o644) -> None:
    """Write to a temp file beside `path` with its final mode, fsync, then rename over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_text(path: Path, *, what: str = "file") -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"{what} not found: {path}", hint="check the path") from None
    except IsADirectoryError:
        raise UserError(f"{what} is a folder, not a file: {path}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{what} is not UTF-8 text: {path} ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise UserError(f"cannot read {what} {path}: {exc.strerror}") from exc


def copy_tree(source: Path, target: Path, *, ignore: tuple[str, ...] = ()) -> None:
    """Copy a folder to `target` (which must not exist) all at once: into a temp folder beside it, then a
    rename, so an interrupted copy never leaves half a folder where the whole one is expected."""
    import shutil

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        shutil.copytree(source, tmp / "copy", ignore=shutil.ignore_patterns(*ignore), symlinks=True)
        os.replace(tmp / "copy", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
