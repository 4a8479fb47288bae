"""Profiles, pure: what a profile file may say and what it means.

    model.py          the typed profile (Profile, Service, Variable...), built from a checked document
    spec_engine.py    the small declarative spec machinery (Obj, Str, ListOf...): validation + JSON Schema
    format.py         the profile format v1 written in that machinery (PROFILE, json_schema)
    loader.py         text -> Profile: parse, `extends`, the format, then the whole-profile rules
    rules.py          whole-profile rules the format cannot say (references, names, variables in use)
    variables.py      variable types, coercion, interpolation, the answer layers' precedence
    hostaccess.py     which host paths, sockets and privileges a profile reaches; approval digests
    composesyntax.py  compose's own short syntaxes (volume strings, `$$` literals) as data
    render.py         Profile + answers -> the plain compose file and .env

Only the model's types are re-exported here, and lazily: importing the package (as importing any of its
modules does) loads nothing else, so the hot paths `devenv status` and a no-op `devenv up` stay cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devenv.domain.profile.model import (
        Build,
        Command,
        Healthcheck,
        HostAccess,
        Mount,
        Profile,
        Repo,
        SeedTask,
        Service,
        Variable,
    )

__all__ = [
    "Build",
    "Command",
    "Healthcheck",
    "HostAccess",
    "Mount",
    "Profile",
    "Repo",
    "SeedTask",
    "Service",
    "Variable",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from devenv.domain.profile import model

        return getattr(model, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
