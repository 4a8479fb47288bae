"""`devenv parity` and `devenv status` in a workspace: the profile's parity section and its rendered stack."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.common import Result, write_yaml
from tests.helpers.stack import Stack, busybox_profile, make_stack

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: busybox:1.36
          env:
            - {name: DATABASE_URL, value: "postgres://prod-db:5432/app"}
            - {name: CACHE_URL, value: "redis://prod-cache:6379/0"}
"""


def test_bad_parity_section_is_reported_at_its_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "name: p\nversion: 1.0.0\nservices: {web: {image: x}}\nparity:\n  allow:\n    - {rule: env-only-in-dev}\n"
    )
    result = cli("profile", "lint", str(path))
    assert result.code == 1
    assert f"{path}:6:" in result.err
    assert "reason" in result.err


@pytest.mark.integration
@pytest.mark.slow
def test_parity_and_status_in_a_workspace(tmp_path: Path) -> None:
    profile = busybox_profile(parity={"against": [{"kubernetes": "deploy/"}]})
    stack = make_stack(tmp_path, profile)
    (stack.root / "deploy").mkdir()
    (stack.root / "deploy" / "web.yaml").write_text(DEPLOYMENT)
    try:
        done = stack.devenv("up", "--profile", "./stack.yaml")
        assert done.code == 0, done.err
        report = stack.devenv("parity", "--json")
        assert report.code == 1, report.err  # CACHE_URL is wiring prod has and dev lacks: an error
        findings = json.loads(report.out)["findings"]
        assert any(f["code"] == "env-wiring-missing-in-dev" and "CACHE_URL" in json.dumps(f) for f in findings)
        assert "pw-s3cret" not in report.out
        status = stack.devenv("status")
        assert status.code == 0, status.err
        assert "parity: " in status.out
        assert "error" in status.out.split("parity: ")[1]
        assert stack.state["parity_line"] == next(line for line in status.out.splitlines() if "parity: " in line)
    finally:
        stack.cleanup()


def _imported(stack: Stack, *args: str) -> set[str]:
    """The modules `python -X importtime -m devenv ARGS` imports in the workspace (top-level names)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "devenv", *args],
        cwd=stack.root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [line.split("|")[-1] for line in done.stderr.splitlines() if line.startswith("import time:")]
    return {line.strip().split(".")[0] for line in lines}


@pytest.mark.integration
def test_status_and_a_noop_up_read_no_yaml_and_load_no_docker_sdk(tmp_path: Path) -> None:
    """status prints the parity line stored at `up`; neither it nor a no-op up imports PyYAML or the SDK."""
    profile = busybox_profile(parity={"against": [{"kubernetes": "deploy/"}]})
    stack = make_stack(tmp_path, profile)
    (stack.root / "deploy").mkdir()
    (stack.root / "deploy" / "web.yaml").write_text(DEPLOYMENT)
    try:
        done = stack.devenv("up", "--profile", "./stack.yaml")
        assert done.code == 0, done.err
        for args in (("status",), ("up",)):
            modules = _imported(stack, *args)
            assert "devenv" in modules  # the probe itself works
            assert "yaml" not in modules and "docker" not in modules, args
        status = stack.devenv("status")
        assert "parity: " in status.out and "error" in status.out.split("parity: ")[1]
        profile["services"]["web"]["environment"] = {"EXTRA": "1"}
        write_yaml(stack.profile, profile)
        assert "parity: profile changed since last up" in stack.devenv("status").out
    finally:
        stack.cleanup()


def test_parity_outside_a_workspace_without_dev_names_the_flag(tmp_path: Path, cli: Callable[..., Result]) -> None:
    write_yaml(tmp_path / "x.yaml", {})
    result = cli("parity")
    assert result.code == 2
    assert "--dev FILE" in result.err
