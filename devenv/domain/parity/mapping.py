"""Which dev service is which prod workload.

Explicit first (the parity section's `services:`), then automatic by, in order: service name,
container name, the `app.kubernetes.io/name` / `app` label, hostname (ECS/EB/compose), the name
without a role suffix (`user-service`, `user-svc`, `user-app` are `user`), image repository name. At
each step a match must be one-to-one: anything else is reported as ambiguous and left unmatched, never
guessed. By container name the match is per container: a pod's sidecar (an exporter beside the broker)
pairs with its own dev service instead of making the broker's pairing ambiguous.

A prod workload left over that runs the same image with the same command as a paired one is a copy of
it (a canary, a blue/green twin): reported as such (info), neither stealing the pairing nor "missing".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from devenv.domain.parity.config import External, ServiceRule
from devenv.domain.parity.findings import Finding
from devenv.domain.parity.model import Container, Workload

DEV_SERVICE_LABEL = "devenv.service"
APP_LABELS = ("app.kubernetes.io/name", "app")
_ROLE_SUFFIXES = ("-service", "_service", "-svc", "_svc", "-app", "_app", "-container", "-task", "-deployment")


def bare_name(name: str) -> str:
    """`user-service` -> `user`: the suffixes ECS, EB and chart authors add to say what a thing is."""
    lowered = name.lower()
    for suffix in _ROLE_SUFFIXES:
        if lowered.endswith(suffix) and len(lowered) > len(suffix):
            return lowered[: -len(suffix)]
    return lowered


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
        (
            "name without suffix",
            lambda d: {bare_name(n) for n in _dev_names(d)},
            lambda w: {bare_name(n) for n in (w.name, *w.service_names, *w.hostnames)},
        ),
        ("image name", image_names, image_names),
    ]


def map_services(dev: Sequence[Workload], prod: Sequence[Workload], rules: Mapping[str, ServiceRule]) -> Mapped:
    mapped = Mapped()
    by_name = {d.name: d for d in dev}
    open_dev = [d for d in dev]
    open_prod = list(prod)
    settled: set[int] = set()  # ids of prod workloads in an ambiguity: not reported as missing again
    taken: set[int] = set()  # ids of prod workloads paired (by container, several dev services may pair)

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
        per_container = how == "container name"
        pool = open_prod + (_with_free_containers(prod, mapped.pairs, open_prod) if per_container else [])
        candidates = {d.name: [w for w in pool if dev_keys(d) & prod_keys(w)] for d in open_dev}
        claims: dict[object, list[str]] = {}
        for name, found in candidates.items():
            for w in found:
                claims.setdefault(_claim(w, dev_keys(by_name[name]), per_container), []).append(name)
        for d in list(open_dev):
            found = candidates[d.name]
            if not found:
                continue
            open_dev.remove(d)
            mine = [_claim(w, dev_keys(d), per_container) for w in found]
            if len(found) == 1 and len(claims[mine[0]]) == 1:
                w = found[0]
                if w in open_prod and not per_container:
                    open_prod.remove(w)
                taken.add(id(w))
                mapped.pairs.append(Pair(d.name, d, w, _container(d, w, rules.get(d.name)), how))
                continue
            rivals = sorted({n for key in mine for n in claims[key]} - {d.name})
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
        open_prod = [w for w in open_prod if id(w) not in settled and id(w) not in taken]

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
        twin = _copy_of(w, [pair.prod for pair in mapped.pairs])
        if twin is not None:
            mapped.findings.append(
                Finding(
                    "workload-copy",
                    w.name,
                    f"runs the same image and command as {twin.qualified_name} (a canary or blue/green copy?): "
                    "compared through that one",
                    prod=w.qualified_name,
                    workload=w.qualified_name,
                    source=w.source,
                )
            )
            continue
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


def _with_free_containers(prod: Sequence[Workload], pairs: Sequence[Pair], open_prod: list[Workload]) -> list[Workload]:
    """Paired workloads with containers no pair uses: a sidecar beside the broker pairs by its own name."""
    used = {(id(p.prod), p.container.name) for p in pairs}
    paired = {id(p.prod) for p in pairs}
    return [
        w
        for w in prod
        if id(w) in paired and w not in open_prod and any((id(w), c.name) not in used for c in w.containers)
    ]


def _claim(w: Workload, dev_keys: set[str], per_container: bool) -> object:
    """What a dev service claims: the prod workload, or by container name, the workload's container."""
    if not per_container:
        return id(w)
    names = sorted(c.name.lower() for c in w.containers if c.name.lower() in dev_keys)
    return (id(w), names[0] if len(names) == 1 else None)


def _stem_related(a: str, b: str) -> bool:
    """`payment` / `payment-fix`, `web-blue` / `web-green`: one name extends the other, or both one stem."""
    a, b = a.lower(), b.lower()
    if a.startswith(b + "-") or b.startswith(a + "-"):
        return True
    return "-" in a and "-" in b and a.rsplit("-", 1)[0] == b.rsplit("-", 1)[0]


def _copy_of(w: Workload, paired: Sequence[Workload]) -> Workload | None:
    """A paired workload `w` repeats: a related name, the same image repository, command and entrypoint
    (a worker on the same image runs another command, or at least has its own name)."""
    image = w.main.image
    if image is None or image.templated:
        return None
    for other in paired:
        theirs = other.main.image
        if (
            other is not w
            and _stem_related(other.name, w.name)
            and theirs is not None
            and theirs.repository == image.repository
            and theirs.name == image.name
            and other.main.command == w.main.command
            and other.main.entrypoint == w.main.entrypoint
        ):
            return other
    return None


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
