"""Builders for parity tests: compose services and Kubernetes workloads as dicts, one call to compare."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from devenv.domain.parity.check import compare
from devenv.domain.parity.config import parse_parity_section
from devenv.domain.parity.model import RuntimeView
from devenv.domain.parity.readers.compose import read_compose
from devenv.domain.parity.readers.kubernetes import Document, read_kubernetes
from devenv.domain.parity.report import ParityReport

FIXTURES = Path(__file__).resolve().parent.parent / "parity" / "fixtures"
TODAY = dt.date(2026, 6, 1)


def compose(**services: dict[str, Any]) -> dict[str, Any]:
    return {"services": services}


def deployment(name: str, image: str, **container: Any) -> dict[str, Any]:
    """A Deployment with one container named like it; extra keys go on the container."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image, **container}]},
            }
        },
    }


def check(
    dev: dict[str, Any],
    prod: dict[str, Any] | list[dict[str, Any]],
    section: dict[str, Any] | None = None,
    runtime: RuntimeView | None = None,
) -> ParityReport:
    """Compare a dev compose dict with a prod compose dict, or with a list of Kubernetes documents."""
    dev_side = read_compose(dev, "dev.yml")
    if isinstance(prod, list):
        prod_side = read_kubernetes([Document("k8s.yaml", i, d) for i, d in enumerate(prod)])
        prod_side.sources = ["k8s.yaml"]
    else:
        prod_side = read_compose(prod, "prod.yml")
    return compare(dev_side, prod_side, parse_parity_section(section), runtime=runtime, today=TODAY)


def codes(report: ParityReport) -> set[str]:
    """Codes of the findings still standing (not allowed)."""
    return {f.code for f in report.active}


def findings(report: ParityReport, code: str) -> list[Any]:
    return [f for f in report.active if f.code == code]
