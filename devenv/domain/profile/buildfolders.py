"""Build folders a rendered profile names but the disk does not have (lint and render check them).

Pure: the caller says which folders exist (`is_dir`), so this is tested without a disk.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Mapping
from typing import Any

from devenv.domain.profile.model import Profile
from devenv.errors import Problem


def paths_from(profile: Profile, repo_dir: str | None) -> str | None:
    """What relative paths of `profile` start from, as a user reads it; None when it has none."""
    if not _has_relative_paths(profile):
        return None
    if profile.repo is None:
        folders = sorted({posixpath.dirname(f) or "." for f in profile.files})
        return f"the profile's folder {', '.join(folders)}"
    if repo_dir is None:
        return "the platform checkout (pass --repo-dir)"
    return f"the platform checkout {repo_dir} (--repo-dir sets it; default: the current folder)"


def _relative(path: str) -> bool:
    return not (path.startswith(("/", "~")) or "://" in path or path.startswith("git@"))


def _has_relative_paths(profile: Profile) -> bool:
    """A build context, env_file or bind mount written as a relative path."""
    for service in profile.services.values():
        written = [*service.env_file, *(m.source for m in service.volumes if not m.named)]
        if service.build is not None:
            written.append(service.build.context)
        if any(_relative(path) for path in written):
            return True
    return False


def missing_build_folders(
    profile: Profile, compose: Mapping[str, Any], is_dir: Callable[[str], bool], *, repo_dir: str | None
) -> list[Problem]:
    """A problem at each `build:` whose local context folder does not exist."""
    from devenv.domain.yamldoc import Located

    doc = profile.doc or Located({}, profile.file)
    problems = []
    for name, service in profile.services.items():
        rendered = (compose.get("services") or {}).get(name) or {}
        context = str((rendered.get("build") or {}).get("context", ""))
        if not context or service.build is None or "://" in context or context.startswith("git@"):
            continue
        if is_dir(context):
            continue
        base = service.build.base
        start = f"the profile's folder {base}" if base else paths_from(profile, repo_dir) or "the checkout"
        problems.append(
            doc.problem(
                ("services", name, "build"),
                f"build folder {context} does not exist",
                hint=f"create it or correct the path; relative build folders start from {start}",
                code="build-missing",
            )
        )
    return problems
