"""What a parity check hands back: findings grouped by service, the matches made, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass, field

from devenv.domain.parity.findings import CODES, Finding, Severity


@dataclass(frozen=True)
class Match:
    service: str  # the dev service
    counterpart: str  # Deployment/api, external/postgres 15, or "dev only"
    how: str  # explicit, service name, ..., external, dev_only
    source: str | None = None  # the prod manifest


@dataclass
class ParityReport:
    dev_source: str
    prod_sources: list[str] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    runtime: str | None = None  # what was inspected on the engine, or why nothing was

    @property
    def active(self) -> list[Finding]:
        return [f for f in self.findings if f.allowed is None]

    @property
    def allowed(self) -> list[Finding]:
        return [f for f in self.findings if f.allowed is not None]

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.active if f.severity is severity)

    def failed(self, *, strict: bool = False) -> bool:
        """Errors remain (with `strict`, warnings too): what CI gates on."""
        return self.count(Severity.ERROR) > 0 or (strict and self.count(Severity.WARNING) > 0)

    def groups(self) -> list[tuple[str, list[Finding]]]:
        """Findings by service, in a stable order: services by name, then severity, code, keys."""
        grouped: dict[str, list[Finding]] = {}
        for finding in sorted(self.findings, key=Finding.sort_key):
            grouped.setdefault(finding.service, []).append(finding)
        return sorted(grouped.items())

    def collapsed(self) -> list[tuple[Finding, tuple[str, ...]]]:
        """Each finding once with every service it was found on: the same code, keys, values and message
        on twelve services is one line naming them, not twelve lines. Sorted by severity, then code."""
        merged: dict[tuple[object, ...], tuple[Finding, list[str]]] = {}
        for finding in sorted(self.findings, key=Finding.sort_key):
            key = (finding.code, finding.keys, finding.dev, finding.prod, finding.message, finding.allowed)
            if key in merged:
                merged[key][1].append(finding.service)
            else:
                merged[key] = (finding, [finding.service])
        rows = [(finding, tuple(services)) for finding, services in merged.values()]
        return sorted(rows, key=lambda row: (row[0].allowed is not None, row[0].severity.rank, row[0].code, row[1]))

    def summary_line(self) -> str:
        """One line for `devenv status`: `parity: 2 errors, 1 warning (3 allowed) against deploy/k8s`."""
        against = ", ".join(self.prod_sources) or "no manifests"
        parts = [_plural(self.count(s), s.value) for s in Severity if self.count(s)]
        allowed = f" ({len(self.allowed)} allowed)" if self.allowed else ""
        if not parts:
            return f"parity: clean against {against}{allowed}"
        return f"parity: {', '.join(parts)}{allowed} against {against}"

    def to_dict(self, *, strict: bool = False) -> dict[str, object]:
        return {
            "dev": self.dev_source,
            "against": list(self.prod_sources),
            "runtime": self.runtime,
            "summary": {
                "errors": self.count(Severity.ERROR),
                "warnings": self.count(Severity.WARNING),
                "info": self.count(Severity.INFO),
                "allowed": len(self.allowed),
                "failed": self.failed(strict=strict),
                "strict": strict,
            },
            "matches": [
                {"service": m.service, "counterpart": m.counterpart, "how": m.how, "source": m.source}
                for m in self.matches
            ],
            "findings": [_finding_dict(f) for f in sorted(self.findings, key=Finding.sort_key)],
        }


def _finding_dict(finding: Finding) -> dict[str, object]:
    allowed = finding.allowed
    return {
        "code": finding.code,
        "severity": finding.severity.value,
        "service": finding.service,
        "workload": finding.workload,
        "keys": list(finding.keys),
        "dev": finding.dev,
        "prod": finding.prod,
        "message": finding.message,
        "summary": CODES[finding.code].summary,
        "source": finding.source,
        "allowed": None
        if allowed is None
        else {
            "entry": allowed.index,
            "reason": allowed.reason,
            "expires": allowed.expires.isoformat() if allowed.expires else None,
        },
    }


def _plural(n: int, word: str) -> str:
    if word == "info":
        return f"{n} info"
    return f"{n} {word}" + ("" if n == 1 else "s")
