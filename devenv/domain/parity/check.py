"""The comparison as one pure function: both sides already read, no files, no engine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from devenv.domain.parity.allow import apply_allow_list
from devenv.domain.parity.compare.env import compare_env
from devenv.domain.parity.compare.images import compare_external, compare_pair_images
from devenv.domain.parity.compare.shape import compare_shape
from devenv.domain.parity.compare.wiring import Names, names
from devenv.domain.parity.config import ParityConfig
from devenv.domain.parity.findings import Finding
from devenv.domain.parity.mapping import Mapped, Pair, map_services
from devenv.domain.parity.model import RuntimeView, Side, SourceNote, Workload
from devenv.domain.parity.report import Match, ParityReport

SOURCES_GROUP = "(manifests)"


def compare(
    dev: Side,
    prod: Side,
    config: ParityConfig,
    *,
    runtime: RuntimeView | None = None,
    today: dt.date | None = None,
) -> ParityReport:
    mapped = map_services(dev.workloads, prod.workloads, config.services)
    findings = list(mapped.findings)
    if any(note.code == "template-unrendered" for note in prod.notes):
        # a counterpart may sit in the unread template: "only in dev" cannot be concluded
        findings = [f for f in findings if f.code != "service-only-in-dev"]
    dev_for: dict[str, list[Workload]] = {}
    for pair in mapped.pairs:
        dev_for.setdefault(pair.prod.name, []).append(pair.dev)
    for service, (workload, _) in mapped.external.items():
        dev_for.setdefault(service, []).append(workload)

    wiring = names(dev.workloads, prod.workloads, [(p.prod, p.container.name, p.service) for p in mapped.pairs])
    for pair in mapped.pairs:
        findings.extend(_located(pair, _compare_pair(pair, runtime, dev_for, wiring)))
    for service, (workload, external) in sorted(mapped.external.items()):
        findings.extend(compare_external(service, workload, external))
    findings.extend(_notes(prod.notes, mapped, prod_side=True))
    findings.extend(_notes(dev.notes, mapped, prod_side=False))

    return ParityReport(
        dev_source=", ".join(dev.sources),
        prod_sources=list(prod.sources),
        matches=_matches(mapped),
        findings=apply_allow_list(findings, config.allow, today or dt.date.today()),
        runtime=_runtime_line(runtime),
    )


def _compare_pair(
    pair: Pair, runtime: RuntimeView | None, dev_for: dict[str, list[Workload]], wiring: Names
) -> Iterable[Finding]:
    yield from compare_pair_images(pair, runtime)
    running = runtime.services.get(pair.service) if runtime else None
    yield from compare_env(
        pair.service,
        pair.dev.main.env,
        pair.container.env,
        runtime_keys=running.env_keys if running else frozenset(),
        dev_complete=not pair.dev.main.env_unresolved,
        prod_complete=not pair.container.env_unresolved,
        names=wiring,
    )
    yield from compare_shape(pair, dev_for, running)


def _located(pair: Pair, findings: Iterable[Finding]) -> Iterable[Finding]:
    for finding in findings:
        yield replace(
            finding,
            workload=finding.workload or pair.prod.qualified_name,
            source=finding.source or pair.prod.source,
        )


def _notes(notes: Iterable[SourceNote], mapped: Mapped, *, prod_side: bool) -> Iterable[Finding]:
    service_of: dict[str, str] = {}
    for pair in sorted(mapped.pairs, key=lambda p: p.container is not p.prod.main):  # the main container's first
        service_of.setdefault(pair.prod.name, pair.service)
    for note in notes:
        if note.workload is None:
            service = SOURCES_GROUP
        elif prod_side:
            service = service_of.get(note.workload, note.workload)
        else:
            service = note.workload
        side = "prod" if prod_side else "dev"
        yield Finding(
            note.code,
            service,
            note.message,
            dev=None if prod_side else "unreadable",
            prod="unreadable" if prod_side else None,
            source=note.source if prod_side else None,
            keys=(f"{side}:{note.source}",),
        )


def _matches(mapped: Mapped) -> list[Match]:
    rows = [Match(p.service, p.prod.qualified_name, p.how, p.prod.source) for p in mapped.pairs]
    for service, (_, external) in mapped.external.items():
        version = f" {external.version}" if external.version else ""
        rows.append(Match(service, f"external {external.engine}{version}", "external"))
    rows.extend(Match(service, "none (dev only)", "dev_only") for service in mapped.dev_only)
    return sorted(rows, key=lambda m: m.service)


def _runtime_line(runtime: RuntimeView | None) -> str | None:
    if runtime is None:
        return None
    if runtime.problem:
        return f"not inspected: {runtime.problem}"
    running = ", ".join(sorted(runtime.services)) or "nothing"
    return f"project {runtime.project}: running {running}"
