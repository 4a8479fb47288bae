"""Wiring: values that point at another service, compared by what they point to, not as text.

`http://catalog:8080` in dev and `http://catalog` in prod point to the same service; so do dev's `db`
and prod's `postgres.default.svc.cluster.local` when the service mapping pairs dev `db` with prod
`postgres`. Each side's host names resolve through its own names (services, aliases, hostnames,
Kubernetes Services, container names); prod's then through the mapping to a dev service. Only when both
sides resolve, to different services, is it a finding. A host one side cannot resolve (a managed
database, a third-party API) is expected to differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from devenv.domain.parity.model import Workload

# key names that carry wiring: *_HOST and PGHOST, URLs, DSNs, endpoints, address and broker lists
_WIRING_KEY = re.compile(
    r"(HOST|HOSTNAME|HOSTS|_URLS?|_URIS?|_DSN|_ENDPOINTS?|_ADDRS?|_ADDRESS(ES)?|_SERVERS?|_BROKERS?|_NODES)$"
    r"|^ENDPOINTS?_",
)
_URL = re.compile(r"[a-z][a-z0-9+.-]*://(?:[^@/\s]*@)?(?P<hosts>[^/?#\s]+)", re.IGNORECASE)
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9_-]*[a-z0-9])?)*$", re.IGNORECASE)
_CLUSTER_SUFFIX = re.compile(r"\.(svc(\..*)?|cluster\.local|local|internal)$")


def looks_like_wiring_key(key: str) -> bool:
    return bool(_WIRING_KEY.search(key.upper()))


def hosts_in(value: str) -> list[str]:
    """Host names a value names: in URLs (multi-host ones too), `host:port` lists, or a bare host."""
    found: list[str] = []
    urls = list(_URL.finditer(value))
    pieces = [m.group("hosts") for m in urls] if urls else re.split(r"[\s,;]+", value.strip())
    for piece in pieces:
        for item in piece.split(","):
            host = item.strip()
            if host.startswith("["):  # [::1]:80
                continue
            host = host.rsplit(":", 1)[0] if host.count(":") == 1 else host
            if host and _HOST.match(host) and not host.replace(".", "").isdigit():
                found.append(host.lower())
    return found


@dataclass(frozen=True)
class Names:
    """Each side's host names -> the dev service they reach (prod's through the mapping)."""

    dev: Mapping[str, str]
    prod: Mapping[str, str]

    def targets(self, value: str | None, *, prod: bool) -> frozenset[str]:
        if not value:
            return frozenset()
        table = self.prod if prod else self.dev
        out = set()
        for host in hosts_in(value):
            target = table.get(host) or table.get(_short(host))
            if target is not None:
                out.add(target)
        return frozenset(out)


def _short(host: str) -> str:
    """`postgres.default.svc.cluster.local` -> `postgres`: a cluster-internal name's service."""
    if _CLUSTER_SUFFIX.search(host):
        return host.split(".", 1)[0]
    return host


def names(dev: Iterable[Workload], prod: Iterable[Workload], pairs: Iterable[tuple[Workload, str, str]]) -> Names:
    """`pairs`: (prod workload, its container compared, the dev service). A prod workload's own names
    resolve to the dev service paired with its main container, each container's name to the service
    paired with that container (a sidecar has its own). A prod workload no dev service maps to
    resolves to itself, marked, so pointing at it still differs from pointing anywhere in dev."""
    dev_table: dict[str, str] = {}
    for workload in dev:
        for name in (
            workload.name,
            *workload.service_names,
            *workload.hostnames,
            *(c.name for c in workload.containers),
        ):
            dev_table.setdefault(name.lower(), workload.name)
    by_container = {(id(w), container): service for w, container, service in pairs}
    prod_table: dict[str, str] = {}
    for workload in prod:
        paired = [service for (wid, _), service in by_container.items() if wid == id(workload)]
        target = by_container.get((id(workload), workload.main.name)) or (paired[0] if paired else None)
        target = target or f"prod {workload.qualified_name}"
        for name in (workload.name, *workload.service_names, *workload.hostnames):
            prod_table.setdefault(name.lower(), target)
        for container in workload.containers:
            prod_table.setdefault(container.name.lower(), by_container.get((id(workload), container.name), target))
    return Names(dev_table, prod_table)
