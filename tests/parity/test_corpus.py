"""Recall and precision of `devenv parity` on a corpus of realistic multi-service projects (issue 11).

Each project under tests/parity/corpus/ holds a dev compose setup, its production manifests, and an
expected.yaml of the drifts planted in it, written by hand before parity was run on it. A finding
matches an expected drift by code, service and (when given) key. The test fails when overall recall
drops below 95% or any project has more than one false finding (reported but not expected).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.common import Result

Cli = Callable[..., Result]
CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "expected.yaml").exists())
MIN_RECALL = 0.95
MAX_FALSE_PER_PROJECT = 1

Drift = tuple[str, str, str | None]


def _expected(case: Path) -> tuple[dict[str, Any], list[Drift]]:
    spec = yaml.safe_load((case / "expected.yaml").read_text())
    drifts = [(row[0], row[1], row[2] if len(row) > 2 else None) for row in spec["expected"]]
    return spec, drifts


def _run(cli: Cli, case: Path, spec: dict[str, Any]) -> list[dict[str, Any]]:
    args = ["parity", "--no-runtime", "--json"]
    for dev in spec["dev"]:
        args += ["--dev", dev]
    against = spec.get("against", [])
    if spec.get("against_without_helm") and shutil.which("helm") is None:
        against = spec["against_without_helm"]
    for target in against:
        args += ["--against", target]
    result = cli(*args, *spec.get("args", []), cwd=case)
    assert result.code in {0, 1}, f"{case.name}: {result.out}{result.err}"
    return json.loads(result.out)["findings"]  # type: ignore[no-any-return]


def _matches(drift: Drift, finding: dict[str, Any]) -> bool:
    code, service, key = drift
    return finding["code"] == code and finding["service"] == service and (key is None or key in finding["keys"])


def score(cli: Cli, name: str) -> tuple[int, int, list[Drift], list[str]]:
    """(expected, found, missed drifts, false findings) for one project."""
    case = CORPUS / name
    spec, drifts = _expected(case)
    findings = _run(cli, case, spec)
    missed = [d for d in drifts if not any(_matches(d, f) for f in findings)]
    false = [
        f"{f['code']} {f['service']} {','.join(f['keys'])}: {f['message']}"
        for f in findings
        if not any(_matches(d, f) for d in drifts)
    ]
    return len(drifts), len(drifts) - len(missed), missed, false


def test_the_corpus_has_ten_projects_in_every_format() -> None:
    assert len(CASES) >= 10
    text = " ".join((CORPUS / c / "expected.yaml").read_text() for c in CASES)
    for needle in ("Kubernetes", "Helm", "ECS", "Beanstalk", "Jinja2", "include", "compose"):
        assert needle in text, needle


@pytest.mark.parametrize("name", CASES)
def test_each_project_has_at_most_one_false_finding(cli: Cli, name: str) -> None:
    _, _, _, false = score(cli, name)
    assert len(false) <= MAX_FALSE_PER_PROJECT, "\n".join(false)


def test_recall_over_the_corpus(cli: Cli, capsys: pytest.CaptureFixture[str]) -> None:
    total = found = 0
    rows = []
    for name in CASES:
        expected, hit, missed, false = score(cli, name)
        total, found = total + expected, found + hit
        rows.append(f"{name:<28} {hit:>3}/{expected:<3} false {len(false)}  missed {missed}")
    recall = found / total
    with capsys.disabled():
        print("\n" + "\n".join(rows) + f"\nrecall {found}/{total} = {recall:.1%}")
    assert recall >= MIN_RECALL, "\n".join(rows)
