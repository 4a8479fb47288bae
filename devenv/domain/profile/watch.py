"""How code reaches a running service: a service's `watch:` rules, rendered to compose's `develop.watch`.

A rule names a folder (or file) of the platform checkout and what `docker compose watch` does when it
changes: copy it into the container (`sync`), copy it and restart the container (`sync+restart`), restart
the container (`restart`, for a path it bind-mounts), or rebuild the image and recreate the container
(`rebuild`). Paths start where `build:` paths start (the
platform checkout, or the profile's folder for a profile without `repo`); a path outside the checkout is
host access (hostaccess.py checks it like a bind mount's source). Pure: no I/O.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devenv.domain.profile.spec_engine import Bool, ListOf, Obj, Str

if TYPE_CHECKING:
    from devenv.domain.profile.model import Profile
    from devenv.domain.yamldoc import Located, PathKey
    from devenv.errors import Problem

ACTIONS = ("sync", "sync+restart", "restart", "rebuild")
SYNC_ACTIONS = ("sync", "sync+restart")
# what a watched folder holds that is not source: dependencies, VCS data, build outputs, caches
DEFAULT_IGNORES = (
    "**/.git/",
    "**/node_modules/",
    "**/__pycache__/",
    "**/*.pyc",
    "**/.venv/",
    "**/.pytest_cache/",
    "dist/",
    "build/",
    "target/",
)

RULE = Obj(
    {
        "action": Str(
            enum=ACTIONS,
            description="sync: copy changed files into the container; sync+restart: copy, then restart the "
            "container; restart: only restart it (for a bind-mounted path); rebuild: rebuild the image and "
            "recreate the container.",
        ),
        "path": Str(
            description="The folder or file to watch, relative to the platform repo (or to the profile's "
            "folder when the profile has no repo)."
        ),
        "target": Str(description="Where `path` is copied to in the container (sync actions only)."),
        "ignore": ListOf(
            Str(),
            description="Patterns (.dockerignore syntax, relative to path) to leave out, on top of the defaults.",
        ),
        "default_ignores": Bool(
            description="Leave out .git, node_modules, __pycache__, .venv, dist, build... (default true)."
        ),
    },
    required=("action", "path"),
    name="a watch rule",
)

WATCH = ListOf(
    RULE,
    description="How code reaches the running service: `devenv watch` (or `devenv up --watch`) syncs or "
    "rebuilds when these paths change.",
)


@dataclass(frozen=True)
class WatchRule:
    action: str
    path: str
    target: str | None = None
    ignore: tuple[str, ...] = ()
    default_ignores: bool = True
    base: str | None = None  # folder relative paths start from when the profile has no repo

    @property
    def ignores(self) -> list[str]:
        return [*(DEFAULT_IGNORES if self.default_ignores else ()), *self.ignore]


def watch_rules(raw: Any, base_of: Callable[[int], str | None]) -> tuple[WatchRule, ...]:
    """Rules from a service's checked `watch:` list; `base_of(i)` is rule i's folder (no repo) or None."""
    return tuple(
        WatchRule(
            action=r["action"],
            path=r["path"],
            target=r.get("target"),
            ignore=tuple(r.get("ignore") or ()),
            default_ignores=r.get("default_ignores", True),
            base=base_of(i),
        )
        for i, r in enumerate(raw or ())
    )


def render_watch(rules: tuple[WatchRule, ...], resolve: Callable[[str, str | None, int], str]) -> dict[str, Any]:
    """compose's `develop` section; `resolve(path, base, i)` makes rule i's path absolute.

    Sync rules copy the checkout's current files when the watch starts (`initial_sync`), so the container
    runs what is in the checkout even when the image was built before the last edits.
    """
    out = []
    for i, rule in enumerate(rules):
        entry: dict[str, Any] = {"action": rule.action, "path": resolve(rule.path, rule.base, i)}
        if rule.target is not None:
            entry["target"] = rule.target
        if rule.action in SYNC_ACTIONS:
            entry["initial_sync"] = True
        if rule.ignores:
            entry["ignore"] = rule.ignores
        out.append(entry)
    return {"watch": out}


def check_watch(profile: Profile, doc: Located) -> list[Problem]:
    """What the format cannot say: targets where they belong, rebuild only with a build (paths: hostaccess)."""
    problems = []
    for name, service in profile.services.items():
        for i, rule in enumerate(service.watch):
            path: PathKey = ("services", name, "watch", i)
            if rule.action in SYNC_ACTIONS and rule.target is None:
                problems.append(
                    doc.problem(
                        path,
                        f"a '{rule.action}' rule needs a target: the folder in the container that gets the files",
                        hint=f"add target: /path/in/container (where the image puts '{rule.path}')",
                        code="watch-target",
                    )
                )
            elif rule.action not in SYNC_ACTIONS and rule.target is not None:
                problems.append(
                    doc.problem(
                        (*path, "target"),
                        f"a '{rule.action}' rule has no target: it copies no files into the container",
                        hint="drop target:, or use action: sync to copy files into the container",
                        code="watch-target",
                    )
                )
            elif rule.target is not None and not posixpath.isabs(rule.target):
                problems.append(
                    doc.problem(
                        (*path, "target"),
                        f"watch target '{rule.target}' is not an absolute path in the container",
                        hint=f"write it from the root, e.g. /{rule.target.lstrip('./')}",
                        code="watch-target",
                    )
                )
            if rule.action == "rebuild" and service.build is None:
                problems.append(
                    doc.problem(
                        (*path, "action"),
                        f"service '{name}' has no build: there is no image to rebuild",
                        hint="use action: sync+restart to copy the files and restart the container",
                        code="watch-rebuild",
                    )
                )
    return problems
