"""Findings: every code parity can report (stable names: allow-lists and CI depend on them), its severity,
and the finding itself, which carries both sides' values as already-safe display strings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Code:
    name: str
    severity: Severity
    summary: str  # one line, for `--json` consumers and docs/parity.md


_E, _W, _I = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES: dict[str, Code] = {
    c.name: c
    for c in (
        Code("workload-missing-in-dev", _E, "a prod workload has no dev counterpart"),
        Code("workload-copy", _I, "a prod workload repeats a paired one (same image and command): a canary or twin"),
        Code("service-only-in-dev", _W, "a dev service has no prod counterpart and is not marked dev_only"),
        Code("mapping-ambiguous", _E, "a dev service matches several prod workloads (or the reverse)"),
        Code("mapping-unknown", _E, "the parity section maps a service to a workload that does not exist"),
        Code("engine-differs", _E, "the backing service engine differs (mariadb vs mysql, redis vs valkey)"),
        Code("version-major-drift", _E, "the backing service major version differs"),
        Code("version-minor-drift", _W, "the backing service minor version differs"),
        Code("image-tag-differs", _W, "dev and prod run the same image repository at different version tags"),
        Code("image-variant-differs", _I, "the same version in another variant (-alpine, -management, -slim)"),
        Code("tag-floating", _W, "a floating or unpinned tag makes the version uncheckable"),
        Code("version-unknown", _W, "a version cannot be known (external without version, unreadable build)"),
        Code("digest-differs", _E, "the image running in dev is not the digest prod pins"),
        Code("digest-unchecked", _I, "prod pins a digest but what dev runs could not be inspected"),
        Code(
            "env-wiring-missing-in-dev",
            _E,
            "a wiring key (*_HOST, PGHOST, *_URL, *_DSN, *_ENDPOINT(S), *_ADDRESSES, ENDPOINTS_*) is missing in dev",
        ),
        Code("env-wiring-differs", _W, "a wiring value points to another service in dev than in prod"),
        Code("env-platform-set", _I, "prod's platform fills in a key (fieldRef, node IP, downward API)"),
        Code("env-missing-in-dev", _W, "an environment key set in prod is missing in dev"),
        Code("env-only-in-dev", _W, "an environment key is set in dev only"),
        Code("env-value-differs", _W, "a non-secret environment value differs"),
        Code("env-secret-mismatch", _W, "a key is a secret on one side and plain configuration on the other"),
        Code("env-source-differs", _I, "a key comes from a different kind of source"),
        Code("env-likely-renamed", _W, "a key missing in dev looks renamed to a key only dev has"),
        Code(
            "env-not-visible",
            _I,
            "prod configuration lives outside these files (EB properties, a ConfigMap made by a script): unknown",
        ),
        Code("env-unresolved", _W, "an environment source could not be read, so its keys were not compared"),
        Code("port-differs", _W, "the container ports differ"),
        Code("dependency-no-dev-path", _E, "a prod dependency has no reachable counterpart in dev"),
        Code("persistence-differs", _W, "data is persistent on one side only"),
        Code("healthcheck-only-in-prod", _W, "prod checks health; dev does not"),
        Code("healthcheck-only-in-dev", _I, "dev checks health; prod does not"),
        Code("replicas-differ", _I, "prod runs a different number of replicas"),
        Code("resources-differ", _I, "resource limits differ"),
        Code("command-differs", _W, "the entrypoint or command differs"),
        Code("chart-skipped", _I, "a Helm chart inside a manifests folder was not read: pass it to --against"),
        Code("template-unrendered", _E, "a manifest is a template that was not (or could not be) rendered"),
        Code("allow-expired", _W, "an allow-list entry has expired and no longer applies"),
        Code("allow-unused", _I, "an allow-list entry matched no finding"),
    )
}

ALLOW_CODES = frozenset({"allow-expired", "allow-unused"})  # about the allow-list itself: not allow-listable


@dataclass(frozen=True)
class Allowance:
    """The allow-list entry that accepted a finding."""

    index: int
    reason: str
    expires: dt.date | None = None


@dataclass(frozen=True)
class Finding:
    code: str
    service: str  # the report's group: the dev service, or the prod workload that has none
    message: str  # one line, saying why this matters
    dev: str | None = None  # display strings: never a secret's value
    prod: str | None = None
    keys: tuple[str, ...] = ()  # what allow-list `keys` globs match: env keys, ports, paths
    workload: str | None = None  # the prod workload (kind/name)
    source: str | None = None  # the prod manifest it came from
    allowed: Allowance | None = None

    def __post_init__(self) -> None:
        if self.code not in CODES:
            raise ValueError(f"unknown finding code {self.code!r}")

    @property
    def severity(self) -> Severity:
        return CODES[self.code].severity

    def sort_key(self) -> tuple[str, int, str, tuple[str, ...]]:
        return (self.service, self.severity.rank, self.code, self.keys)
