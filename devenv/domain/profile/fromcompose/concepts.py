"""Compose's wiring turned into the profile's concepts: depends_on -> links, connection settings ->
exports of the service they point to, host ports and passwords -> variables (port, secret).

Every move keeps the rendered stack equal to the original: an exported value reaches exactly the
services that had it (a linking service that set another value keeps its own, which wins).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from devenv.domain.profile.fromcompose.report import Note

_SECRET_KEY = re.compile(r"(^|_)(PASSWORD|PASSWD|PASS|PWD|SECRET|TOKEN|API_?KEY|PRIVATE_KEY)($|_)", re.IGNORECASE)
_HOST_PORT = re.compile(r"([a-z0-9][a-z0-9_.-]*)(:\d+)?")

Where = Callable[[str, tuple[str | int, ...]], str]  # (service, path) -> "file:line"


def variable_name(*parts: str) -> str:
    """A variable name from a service and a key: `db` + `POSTGRES_PASSWORD` -> `db_postgres_password`."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", "_".join(parts)).lower()
    return name if not name[:1].isdigit() else "_" + name


class Variables:
    """The variables the generator makes, by name, in the order they are made."""

    def __init__(self) -> None:
        self.defs: dict[str, dict[str, Any]] = {}

    def add(self, name: str, spec: dict[str, Any]) -> str:
        base, n = name, 2
        while name in self.defs:
            name, n = f"{base}_{n}", n + 1
        self.defs[name] = spec
        return name

    def port(self, service: str, target: int, published: str, *, only: bool) -> str:
        """A port variable: `SERVICE_port` for a service's only host port, else `SERVICE_port_TARGET`."""
        parts = (service, "port") if only else (service, "port", str(target))
        name = self.add(variable_name(*parts), {"type": "port", "default": int(published)})
        self.defs[name]["help"] = f"Port on your machine for {service} (container port {target})"
        return "${" + name + "}"


def links(services: Mapping[str, Mapping[str, Any]], out: dict[str, dict[str, Any]], where: Where) -> list[Note]:
    """depends_on -> links; a note for each condition a link means differently."""
    notes: list[Note] = []
    for name, spec in services.items():
        if name not in out:
            continue
        wanted: list[str] = []
        for dep, written in (spec.get("depends_on") or {}).items():
            path = ("depends_on", dep)
            what = f"services.{name}.depends_on.{dep}"
            if dep not in out:
                notes.append(Note(where(name, path), what, f"'{dep}' was left out, so this dependency is too"))
                continue
            wanted.append(dep)
            opts = written or {}
            condition = opts.get("condition", "service_started")
            healthy = "healthcheck" in out[dep]
            if condition == "service_completed_successfully":
                notes.append(
                    Note(
                        where(name, path),
                        what,
                        "a link waits for the service to start (or be healthy), "
                        "not to finish: a one-off job fits better as a seed task",
                        dropped=False,
                    )
                )
            elif (condition == "service_healthy") != healthy:
                means = "healthy" if healthy else "started"
                notes.append(
                    Note(
                        where(name, path),
                        what,
                        f"condition {condition}: a link waits for '{dep}' to be {means}",
                        dropped=False,
                    )
                )
            if opts.get("required") is False:
                notes.append(Note(where(name, path), what, "required: false is not carried over: the link is required"))
            if opts.get("restart"):
                notes.append(Note(where(name, path), what, "restart: true is not carried over"))
        if wanted:
            out[name]["links"] = wanted
    return notes


def _points_to(value: str, services: Mapping[str, Any]) -> str | None:
    """The service a connection setting names: a URL's host, or a bare HOST / HOST:PORT."""
    host: str | None
    if "://" in value:
        try:
            host = urlsplit(value).hostname
        except ValueError:
            return None
    else:
        m = _HOST_PORT.fullmatch(value)
        host = m.group(1) if m else None
    return host if host in services else None


def exports(out: dict[str, dict[str, Any]], where: Where) -> list[Note]:
    """Move connection settings into `exports` of the service they point to, where that changes nothing."""
    notes: list[Note] = []
    exporter: dict[str, str] = {}  # an exported name has one exporter, so link order never matters
    for name, service in out.items():
        for key, value in list((service.get("environment") or {}).items()):
            target = _points_to(value, out)
            if target is None or target == name or target not in service.get("links", []):
                continue
            if exporter.get(key, target) != target or out[target].get("exports", {}).get(key, value) != value:
                continue
            linkers = [s for s, spec in out.items() if target in spec.get("links", [])]
            if any(key not in (out[s].get("environment") or {}) for s in linkers):
                continue  # exporting would hand the setting to a linking service that did not have it
            exporter[key] = target
            out[target].setdefault("exports", {})[key] = value
            for s in linkers:
                env = out[s]["environment"]
                if env.get(key) == value:
                    del env[key]
                    if not env:
                        del out[s]["environment"]
            notes.append(
                Note(
                    where(name, ("environment", key)),
                    f"services.{name}.environment.{key}",
                    f"exported by '{target}' to the services that link to it",
                    dropped=False,
                )
            )
    return notes


def secrets(out: dict[str, dict[str, Any]], variables: Variables) -> None:
    """Password-like settings become secret variables (one per value); a URL's password refers to it."""
    by_value: dict[str, str] = {}
    for name, service in out.items():
        for section in ("environment", "exports"):
            for key, value in (service.get(section) or {}).items():
                if _SECRET_KEY.search(key) and value and "$" not in value:
                    var = by_value.get(value)
                    if var is None:
                        var = variables.add(variable_name(name, key), {"type": "secret", "default": value})
                        by_value[value] = var
                    service[section][key] = "${" + var + "}"
    for service in out.values():
        for section in ("environment", "exports"):
            for key, value in (service.get(section) or {}).items():
                service[section][key] = _url_secret(value, by_value)


def _url_secret(value: str, by_value: Mapping[str, str]) -> str:
    if "://" not in value or "@" not in value:
        return value
    try:
        password = urlsplit(value).password
    except ValueError:
        return value
    var = by_value.get(password or "")
    if var is None:
        return value
    scheme, rest = value.split("://", 1)
    userinfo, at, tail = rest.partition("@")
    user, _, _ = userinfo.partition(":")
    return f"{scheme}://{user}:${{{var}}}{at}{tail}"
