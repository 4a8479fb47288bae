"""The platform's code a profile ships (`code:`): copied into the workspace by `devenv init`, once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devenv.domain.profile.model import Profile
from devenv.errors import UserError

SKIP = ("__pycache__", "*.pyc", ".mypy_cache", ".pytest_cache")


@dataclass(frozen=True)
class CodeInfo:
    """What init's closing screen says about the code: where it is, how to run its tests, if it is watched."""

    folder: Path
    tests: str | None
    watched: bool


def copy_code(profile: Profile, root: Path, *, dry_run: bool, out: Callable[[str], None]) -> CodeInfo | None:
    """Copy the profile's code into `root` unless a copy is there already (your edits are never overwritten)."""
    from devenv.adapters.fs import copy_tree

    code = profile.code
    if code is None:
        return None
    target = root / code.to
    source = Path(code.origin)
    watched = any(s.watch for s in profile.services.values())
    info = CodeInfo(target, code.tests, watched)
    if target.exists():
        out(f"your code is in {target} (kept as it is)")
        return info
    if not source.is_dir():
        raise UserError(
            f"profile {profile.name} ships its code in {source}, which is not a folder",
            hint="reinstall devenv, or fix code.from in the profile",
        )
    if dry_run:
        out(f"would copy the {profile.name} code into {target}")
        return info
    copy_tree(source, target, ignore=SKIP)
    out(f"copied the {profile.name} code into {target}: edit it there")
    return info
