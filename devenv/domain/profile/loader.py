"""Loading a profile: parse, check against the spec, follow `extends`, merge, type, validate.

Reading files is injected (`ReadProfile`), so this module stays pure and is tested without a disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from devenv.domain.profile.format import PROFILE
from devenv.domain.profile.model import Profile, build_profile
from devenv.domain.profile.rules import validate_profile
from devenv.domain.yamldoc import Located, PathKey, load_yaml
from devenv.errors import Location, Problem, ProfileError

# (reference as written, the file that wrote it or None) -> (text, canonical file name)
ReadProfile = Callable[[str, str | None], tuple[str, str]]

MAX_EXTENDS_DEPTH = 16


def parse_profile_document(text: str, file: str) -> Located:
    """One profile file, checked against the spec (every problem, with locations)."""
    doc = load_yaml(text, file)
    if doc.value is None:
        raise ProfileError([Problem("the profile is empty", Location(file, 1, 1), code="empty")])
    problems: list[Problem] = []
    PROFILE.check(doc.value, (), doc, problems)
    if isinstance(doc.value, dict) and isinstance(doc.value.get("extends"), str):
        # a profile that extends another may leave nested required keys (healthcheck.test, build.context)
        # to its base: those are checked again on the merged document
        problems = [p for p in problems if not (p.code == "required" and p.path)]
    if problems and looks_like_compose(doc.value):
        hint = f"try `devenv profile new NAME --from-compose {file}`"
        message = "this looks like a compose file, not a devenv profile"
        raise ProfileError([Problem(message, Location(file, 1, 1), hint=hint, code="compose-file")])
    if problems:
        raise ProfileError(problems)
    return doc


_PROFILE_ONLY = {"variables", "seed", "extends", "repo", "host_access", "parity", "requires", "description"}
_COMPOSE_ONLY = {"volumes", "networks", "configs", "secrets", "include"}
_SEMVER_START = re.compile(r"\d+\.\d+\.\d+")


def looks_like_compose(value: Any) -> bool:
    """A document that failed as a profile but reads as a compose file: services, none of a profile's own
    keys, and a compose mark (a top-level volumes/networks/x- key), or neither a name nor a semantic version."""
    if not isinstance(value, dict) or not isinstance(value.get("services"), dict):
        return False
    keys = {str(k) for k in value}
    if keys & _PROFILE_ONLY:
        return False
    marked = bool(keys & _COMPOSE_ONLY) or any(k.startswith("x-") for k in keys)
    versioned = bool(_SEMVER_START.match(str(value.get("version", ""))))
    return marked or ("name" not in keys and not versioned)


def load_profile(ref: str, read: ReadProfile, *, devenv_version: str) -> Profile:
    """Load `ref` and everything it extends, merged and validated; raises ProfileError with all problems."""
    chain: list[Located] = []
    seen: list[str] = []
    text, file = read(ref, None)
    where: Location | None = None
    while True:
        if file in seen:
            cycle = " -> ".join([*seen[seen.index(file) :], file])
            raise ProfileError([Problem(f"'extends' forms a cycle: {cycle}", where, "extends", code="extends-cycle")])
        if len(seen) >= MAX_EXTENDS_DEPTH:
            raise ProfileError([Problem("'extends' chain is too long", where, "extends", code="extends-depth")])
        seen.append(file)
        doc = parse_profile_document(text, file)
        chain.append(doc)
        parent = doc.value.get("extends")
        if parent is None:
            break
        where = doc.where(("extends",))
        try:
            text, file = read(parent, file)
        except ProfileError:
            raise
        except Exception as exc:  # the reader raises DevenvError subclasses; keep the location
            message = getattr(exc, "message", str(exc))
            hint = getattr(exc, "hint", None)
            problem = Problem(f"cannot load extended profile '{parent}': {message}", where, "extends", hint, "extends")
            raise ProfileError([problem]) from exc
    merged = chain[-1]
    for child in reversed(chain[:-1]):
        merged = merge_documents(merged, child)
    merged.value.pop("extends", None)
    if len(chain) > 1:
        problems: list[Problem] = []
        PROFILE.check(merged.value, (), merged, problems)
        if problems:
            raise ProfileError(problems)
    profile = build_profile(merged, tuple(seen))
    problems = validate_profile(profile, merged, devenv_version=devenv_version)
    if problems:
        raise ProfileError(problems)
    return profile


def merge_documents(base: Located, over: Located) -> Located:
    """Maps merge key by key, lists and scalars replace, a service set to null is removed."""
    result = Located(None, over.file)
    result.value = _merge(base, over, base.value, over.value, (), result)
    return result


def _copy_locations(src: Located, prefix: PathKey, dst: Located) -> None:
    n = len(prefix)
    for path, loc in src.locations.items():
        if path[:n] == prefix:
            dst.locations[path] = loc


def _merge(base: Located, over: Located, b: Any, o: Any, path: PathKey, out: Located) -> Any:
    if isinstance(b, dict) and isinstance(o, dict):
        out.locations[path] = over.locations.get(path) or base.locations[path]
        merged: dict[str, Any] = {}
        for key, value in b.items():
            if key not in o:
                merged[key] = value
                _copy_locations(base, (*path, key), out)
        for key, value in o.items():
            if value is None and path == ("services",):
                merged.pop(key, None)
                continue
            if key in b and key != "extends":
                merged[key] = _merge(base, over, b[key], value, (*path, key), out)
            else:
                merged[key] = value
                _copy_locations(over, (*path, key), out)
        return merged
    _copy_locations(over, path, out)
    return o
