"""Helpers the readers share: typed access to parsed documents, units, commands, host names in values."""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from typing import Any

from devenv.domain.parity.model import SourceKind, Workload

PathPart = str | int


class ManifestError(Exception):
    """A manifest that cannot be read. `where` is the path inside the document, for the file:line lookup."""

    def __init__(self, message: str, where: Sequence[PathPart] = (), *, source: str = "", doc_index: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.where = tuple(where)
        self.source = source
        self.doc_index = doc_index

    def dotted(self) -> str:
        out = ""
        for part in self.where:
            out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
        return out


def mapping(value: object, where: Sequence[PathPart]) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ManifestError(f"expected a mapping, found {type(value).__name__}", where)
    return value


def sequence(value: object, where: Sequence[PathPart]) -> Sequence[Any]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ManifestError(f"expected a list, found {type(value).__name__}", where)
    return value


def text(value: object, where: Sequence[PathPart]) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ManifestError(f"expected a string, found {type(value).__name__}", where)
    return str(value)


def optional_text(value: object, where: Sequence[PathPart]) -> str | None:
    return None if value is None else text(value, where)


def command(value: object, where: Sequence[PathPart]) -> tuple[str, ...] | None:
    """A command as argv: lists as they are, strings split like a shell would (compose's shell form)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            return tuple(shlex.split(value))
        except ValueError:
            return (value,)
    return tuple(text(item, [*where, i]) for i, item in enumerate(sequence(value, where)))


def integer(value: object, where: Sequence[PathPart]) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ManifestError("expected a number, found a boolean", where)
    try:
        return int(str(value).strip())
    except ValueError as exc:
        raise ManifestError(f"expected a number, found {value!r}", where) from exc


_MEMORY_UNITS = {
    "": 1 / (1024 * 1024),
    "b": 1 / (1024 * 1024),
    "k": 1000 / (1024 * 1024),
    "kb": 1 / 1024,
    "ki": 1 / 1024,
    "m": 1000**2 / 1024**2,
    "mb": 1,
    "mi": 1,
    "g": 1000**3 / 1024**2,
    "gb": 1024,
    "gi": 1024,
    "t": 1000**4 / 1024**2,
    "ti": 1024 * 1024,
}
_QUANTITY = re.compile(r"^\s*([0-9.]+)\s*([a-zA-Z]*)\s*$")


def memory_mib(value: object, where: Sequence[PathPart], *, docker_units: bool = False) -> int | None:
    """Kubernetes quantities (512Mi, 1G) or docker sizes (512m, 1g: binary): the size in MiB."""
    if value is None:
        return None
    match = _QUANTITY.match(str(value))
    if match is None:
        raise ManifestError(f"not a memory size: {value!r}", where)
    unit = match.group(2).lower()
    if docker_units and unit in {"k", "m", "g", "t"}:
        unit += "i"
    if unit not in _MEMORY_UNITS:
        raise ManifestError(f"unknown memory unit in {value!r}", where)
    return round(float(match.group(1)) * _MEMORY_UNITS[unit])


def cpu_millis(value: object, where: Sequence[PathPart]) -> int | None:
    """Kubernetes CPU (500m, 0.5, 2) or compose cpus ("0.5"): thousandths of a CPU."""
    if value is None:
        return None
    raw = str(value).strip()
    try:
        if raw.endswith("m"):
            return int(float(raw[:-1]))
        return round(float(raw) * 1000)
    except ValueError as exc:
        raise ManifestError(f"not a CPU amount: {value!r}", where) from exc


_URL_HOST = re.compile(r"^[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(?P<host>[^:/?#\s,]+)", re.IGNORECASE)
_HOST_KEY = re.compile(r"(_HOST|_HOSTNAME|_SERVER|_ADDR|_ADDRESS|_HOSTS|_BROKERS|_SERVERS)$")


def hosts_in(key: str, value: str) -> set[str]:
    """Host names an env value points at: the host of a URL, or the value of a *_HOST-style key."""
    hosts: set[str] = set()
    for raw in value.split(","):
        item = raw.strip()
        match = _URL_HOST.match(item)
        if match:
            hosts.add(match.group("host"))
        elif _HOST_KEY.search(key.upper()) and item:
            hosts.add(item.split(":", 1)[0])
    return {short_host(h) for h in hosts if h}


def short_host(host: str) -> str:
    """`db.prod.svc.cluster.local` -> `db`: a cluster-internal name as a service name."""
    host = host.lower()
    for suffix in (".svc.cluster.local", ".svc"):
        if host.endswith(suffix):
            return host[: -len(suffix)].split(".", 1)[0]
    return host


def infer_dependencies(workloads: Sequence[Workload]) -> None:
    """Add, to each workload, the others its env values point at (`DB_HOST=db`, `redis://cache:6379`)."""
    by_name: dict[str, str] = {}
    for workload in workloads:
        for name in (workload.name, *workload.service_names, *workload.hostnames):
            by_name.setdefault(name.lower(), workload.name)
    for workload in workloads:
        found = list(workload.dependencies)
        for var in workload.main.env.values():
            if var.value is None or var.kind in {SourceKind.SECRET, SourceKind.FIELD}:
                continue
            for host in hosts_in(var.key, var.value):
                target = by_name.get(host)
                if target and target != workload.name and target not in found:
                    found.append(target)
        workload.dependencies = tuple(found)
