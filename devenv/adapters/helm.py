"""Helm charts rendered with the user's own `helm template` (read-only: no cluster is contacted).

When helm is not on PATH the chart is refused with the exact command to run; parity never guesses
what a chart renders to.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path

from devenv.adapters.process import ProcessRunner
from devenv.errors import UserError

MAX_RENDERED = 8 * 1024 * 1024


def is_chart(path: Path) -> bool:
    return path.is_dir() and (path / "Chart.yaml").is_file()


def template_argv(chart: Path, values: Sequence[Path], release: str) -> list[str]:
    argv = ["helm", "template", release, str(chart)]
    for file in values:
        argv += ["-f", str(file)]
    return argv


def render(chart: Path, values: Sequence[Path], shown: str, env: Mapping[str, str] | None = None) -> str:
    """The chart's manifests as `helm template` renders them with `values` (helm found on env's PATH)."""
    release = chart.resolve().name
    argv = template_argv(chart, values, release)
    runner = ProcessRunner(env=dict(os.environ if env is None else env))
    if runner.which("helm") is None:
        command = " ".join(shlex.quote(a) for a in argv)
        raise UserError(
            f"{shown} is a Helm chart and helm is not installed: parity reads what it renders to",
            hint=f"run `{command} > rendered.yaml` and pass --against rendered.yaml (or install helm)",
        )
    done = runner.run(argv, timeout=120)
    if not done.ok:
        reason = (done.stderr or done.stdout).strip().splitlines()
        raise UserError(
            f"{shown}: helm template failed: {reason[-1] if reason else f'exit {done.returncode}'}",
            hint="pass the values files the chart needs with --helm-values FILE",
        )
    if len(done.stdout.encode()) > MAX_RENDERED:
        raise UserError(f"{shown}: the rendered chart is larger than 8 MB", hint="render a smaller part of it")
    return done.stdout
