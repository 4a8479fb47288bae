"""Which dev service is which prod workload.

Explicit first (the parity section's `services:`), then automatic by, in order: service name,
container name, the `app.kubernetes.io/name` / `app` label, hostname (ECS/EB/compose), image
repository name. At each step a match must be one-to-one: anything else is reported as ambiguous and
left unmatched, never guessed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from devenv.domain.parity.config import External, ServiceRule
from devenv.domain.parity.findings import Finding
from devenv.domain.parity.model import Container, Workload

DEV_SERVICE_LABEL = "devenv.service"
APP_LABELS = ("app.kubernetes.io/name", "app")


@dataclass(frozen=True)
class Pair:
    service: str
    dev: Workload
    prod: Workload
    container: Container  # the prod container compared with the dev service
    how: str  # "explicit", "service name", "container name", "app label", "hostname", "image name"


@dataclass
class Mapped:
    pairs: list[Pair] = field(default_factory=list)
    external: dict[str, tuple[Workload, External]] = field(default_factory=dict)
    dev_only: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


Keys = Callable[[Workload], set[str]]


def _dev_names(dev: Workload) -> set[str]:
    names = {dev.name, dev.labels.get(DEV_SERVICE_LABEL, "")}
    return {n.lower() for n in names if n}


def _strategies() -> list[tuple[str, Keys, Keys]]:
    """(how, keys of a dev service, keys of a prod workload): two match when their keys meet."""

    def image_names(w: Workload) -> set[str]:
        image = w.main.image or w.main.base_image
        return {image.name.lower()} if image and not image.templated else set()

    return [
        ("service name", _dev_names, lambda w: {n.lower() for n in (w.name, *w.service_names)}),
        (
            "container name",
            lambda d: _dev_names(d) | {d.main.name.lower()},
            lambda w: {c.name.lower() for c in w.containers},
        ),
        ("app label", _dev_names, lambda w: {w.labels[k].lower() for k in APP_LABELS if w.labels.get(k)}),
        (
            "hostname",
            lambda d: _dev_names(d) | {h.lower() for h in d.hostnames},
            lambda w: {h.lower() for h in w.hostnames},
        ),
        ("image name", image_names, image_names),
    ]


def map_services(dev: Sequence[Workload], prod: Sequence[Workload], rules: Mapping[str, ServiceRule]) -> Mapped:
    mapped = Mapped()
    by_name = {d.name: d for d in dev}
    open_dev = [d for d in dev]
    open_prod = list(prod)
    settled: set[int] = set()  # ids of prod workloads in an ambiguity: not reported as missing again

    for service, rule in rules.items():
        if service not in by_name:
            mapped.findings.append(
                Finding(
                    "mapping-unknown",
                    service,
                    f"the parity section configures {service!r}, which is not a service of the dev stack",
                    dev="(no such service)",
                )
            )
            continue
        d = by_name[service]
        if rule.dev_only or rule.external or rule.workload:
            open_dev.remove(d)
        if rule.dev_only:
            mapped.dev_only.append(service)
        elif rule.external:
            mapped.external[service] = (d, rule.external)
        elif rule.workload:
            _explicit(d, rule, prod, open_prod, mapped)

    for how, dev_keys, prod_keys in _strategies():
        candidates = {d.name: [w for w in open_prod if dev_keys(d) & prod_keys(w)] for d in open_dev}
        claims: dict[int, list[str]] = {}
        for name, found in candidates.items():
            for w in found:
                claims.setdefault(id(w), []).append(name)
        for d in list(open_dev):
            found = candidates[d.name]
            if not found:
                continue
            open_dev.remove(d)
            if len(found) == 1 and len(claims[id(found[0])]) == 1:
                w = found[0]
                open_prod.remove(w)
                mapped.pairs.append(Pair(d.name, d, w, _container(d, w, rules.get(d.name)), how))
                continue
            rivals = sorted({n for w in found for n in claims[id(w)]} - {d.name})
            settled.update(id(w) for w in found)
            names = ", ".join(w.qualified_name for w in found)
            also = f"; {', '.join(rivals)} also match" if rivals else ""
            mapped.findings.append(
                Finding(
                    "mapping-ambiguous",
                    d.name,
                    f"matches {names} by {how}{also}: say which in parity.services.{d.name}.workload",
                    dev=d.name,
                    prod=names,
                )
            )
        open_prod = [w for w in open_prod if id(w) not in settled]

    for d in open_dev:
        mapped.findings.append(
            Finding(
                "service-only-in-dev",
                d.name,
                "no prod workload matches this service; map it, or mark it dev_only or external",
                dev=d.name,
            )
        )
    for w in open_prod:
        mapped.findings.append(
            Finding(
                "workload-missing-in-dev",
                w.name,
                f"prod runs {w.qualified_name}; the dev stack has no service for it",
                prod=w.qualified_name,
                workload=w.qualified_name,
                source=w.source,
            )
        )
    return mapped


def _explicit(
    d: Workload, rule: ServiceRule, prod: Sequence[Workload], open_prod: list[Workload], mapped: Mapped
) -> None:
    wanted = rule.workload or ""
    found = [w for w in prod if wanted in {w.name, w.qualified_name}]
    if len(found) != 1:
        code = "mapping-unknown" if not found else "mapping-ambiguous"
        what = "no prod workload is" if not found else f"{len(found)} prod workloads are"
        hint = "" if not found else f"; write kind/name, one of {', '.join(w.qualified_name for w in found)}"
        mapped.findings.append(Finding(code, d.name, f"{what} named {wanted!r}{hint}", dev=d.name, prod=wanted))
        return
    w = found[0]
    if w in open_prod:
        open_prod.remove(w)
    mapped.pairs.append(Pair(d.name, d, w, _container(d, w, rule), "explicit"))


def _container(d: Workload, w: Workload, rule: ServiceRule | None) -> Container:
    wanted = [rule.container] if rule and rule.container else [d.name, d.main.name, w.name]
    for name in wanted:
        for container in w.containers:
            if container.name == name:
                return container
    return w.containers[0]
