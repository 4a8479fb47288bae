"""The allow-list: accepted differences, each with a reason. Expired and unused entries are reported."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from fnmatch import fnmatchcase

from devenv.domain.parity.config import AllowEntry
from devenv.domain.parity.findings import ALLOW_CODES, Allowance, Finding


def matches(entry: AllowEntry, finding: Finding) -> bool:
    if finding.code in ALLOW_CODES or not fnmatchcase(finding.code, entry.rule):
        return False
    if not fnmatchcase(finding.service, entry.service):
        return False
    if not entry.keys:
        return True
    return any(fnmatchcase(key, pattern) for key in finding.keys for pattern in entry.keys)


def apply_allow_list(findings: Sequence[Finding], entries: Sequence[AllowEntry], today: dt.date) -> list[Finding]:
    """Mark allowed findings (kept, so reports can show them) and add findings about the entries."""
    used: set[int] = set()
    out: list[Finding] = []
    live = [e for e in entries if e.expires is None or e.expires >= today]
    for finding in findings:
        entry = next((e for e in live if matches(e, finding)), None)
        if entry is None:
            out.append(finding)
            continue
        used.add(entry.index)
        out.append(replace(finding, allowed=Allowance(entry.index, entry.reason, entry.expires)))
    for entry in entries:
        if entry.expires is not None and entry.expires < today:
            out.append(
                Finding(
                    "allow-expired",
                    entry.service if "*" not in entry.service else "(allow-list)",
                    f"{entry.describe()} expired on {entry.expires.isoformat()}: fix the difference or renew the entry",
                    keys=entry.keys,
                )
            )
        elif entry.index not in used:
            out.append(
                Finding(
                    "allow-unused",
                    entry.service if "*" not in entry.service else "(allow-list)",
                    f"{entry.describe()} matched no finding: remove it",
                    keys=entry.keys,
                )
            )
    return out
