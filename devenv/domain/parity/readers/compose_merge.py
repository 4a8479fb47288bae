"""Several compose files read as `docker compose` reads them: `-f a.yml -f b.yml` overrides, and `include:`.

Overrides merge into the base file: mappings key by key, `environment` / `labels` / `extra_hosts` by
variable (list or mapping form), lists that add things (ports, volumes, env_file...) by appending what
is new, everything else (image, command, entrypoint) replaced. Paths in an override are relative to
the base file's folder, as in compose. An included file's services join the project with their paths
made relative to the included file's own folder (absolute here), and a service defined twice across
includes is an error, as in compose.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import PurePath
from typing import Any

from devenv.domain.parity.readers.common import ManifestError

_BY_KEY = frozenset({"environment", "labels", "extra_hosts", "sysctls", "annotations"})
_APPENDED = frozenset(
    {
        "ports",
        "expose",
        "volumes",
        "env_file",
        "external_links",
        "dns",
        "dns_search",
        "tmpfs",
        "cap_add",
        "cap_drop",
        "devices",
        "secrets",
        "configs",
        "links",
        "security_opt",
        "volumes_from",
    }
)


def _as_mapping(value: object) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    out: dict[str, Any] = {}
    for item in value if isinstance(value, list) else []:
        key, sep, rest = str(item).partition("=")
        out[key] = rest if sep else None
    return out


def merge_service(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if key in _BY_KEY and old is not None:
            merged[key] = {**_as_mapping(old), **_as_mapping(value)}
        elif key in _APPENDED and isinstance(old, list) and isinstance(value, list):
            merged[key] = old + [v for v in value if v not in old]
        elif key == "depends_on" and old is not None:
            merged[key] = {**_depends(old), **_depends(value)}
        elif isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = {**old, **value}
        else:
            merged[key] = value
    return merged


def _depends(value: object) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    return {str(v): {} for v in value} if isinstance(value, list) else {}


def merge_documents(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`docker compose -f base -f override`: the override's services merged into the base's."""
    merged = {k: v for k, v in base.items()}
    for key, value in override.items():
        old = merged.get(key)
        if key == "services" and isinstance(old, Mapping) and isinstance(value, Mapping):
            services = dict(old)
            for name, spec in value.items():
                prior = services.get(name)
                if isinstance(prior, Mapping) and isinstance(spec, Mapping):
                    services[name] = merge_service(prior, spec)
                else:
                    services[name] = spec
            merged[key] = services
        elif isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = {**old, **value}
        else:
            merged[key] = value
    return merged


def include_paths(doc: Mapping[str, Any]) -> list[str]:
    """The files an `include:` names, as written (string entries, or `path:` a string or a list)."""
    out: list[str] = []
    entries = doc.get("include")
    if entries is None:
        return out
    if not isinstance(entries, list):
        raise ManifestError("expected a list", ["include"])
    for i, entry in enumerate(entries):
        if isinstance(entry, str):
            out.append(entry)
        elif isinstance(entry, Mapping) and isinstance(entry.get("path"), str | list):
            path = entry["path"]
            out.extend([path] if isinstance(path, str) else [str(p) for p in path])
        else:
            raise ManifestError("expected a path or a mapping with path:", ["include", i])
    return out


def rebase(doc: Mapping[str, Any], folder: PurePath) -> dict[str, Any]:
    """An included file's relative env_file and build paths made absolute (they start at its folder)."""
    services = doc.get("services")
    if not isinstance(services, Mapping):
        return dict(doc)
    rebased: dict[str, Any] = {}
    for name, written in services.items():
        if not isinstance(written, Mapping):
            rebased[name] = written
            continue
        spec = dict(written)
        if isinstance(spec.get("env_file"), str | list):
            files = spec["env_file"] if isinstance(spec["env_file"], list) else [spec["env_file"]]
            spec["env_file"] = [_rebase_entry(f, folder) for f in files]
        build = spec.get("build")
        if isinstance(build, str):
            spec["build"] = str(folder / build)
        elif isinstance(build, Mapping) and isinstance(build.get("context", "."), str):
            spec["build"] = {**build, "context": str(folder / str(build.get("context", ".")))}
        rebased[name] = spec
    return {**doc, "services": rebased}


def _rebase_entry(entry: object, folder: PurePath) -> object:
    if isinstance(entry, str):
        return str(folder / entry)
    if isinstance(entry, Mapping) and isinstance(entry.get("path"), str):
        return {**entry, "path": str(folder / entry["path"])}
    return entry


def add_included(project: Mapping[str, Any], included: Mapping[str, Any], source: str) -> dict[str, Any]:
    """An included file's services (and volumes, networks) joined to the project; a clash is an error."""
    merged = dict(project)
    for key in ("services", "volumes", "networks", "secrets", "configs"):
        theirs = included.get(key)
        if not isinstance(theirs, Mapping):
            continue
        ours = dict(merged.get(key) or {})
        for name, spec in theirs.items():
            if key == "services" and name in ours:
                raise ManifestError(f"service {name!r} is defined again by the included {source}", ["include"])
            ours.setdefault(name, spec)
        merged[key] = ours
    return merged
