"""Rendered profiles are plain compose: `docker compose` accepts them and runs them by hand."""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from devenv.adapters.profile_files import shipped_profiles_dir
from tests.helpers.common import Result, write_yaml
from tests.helpers.stack import busybox_profile

pytestmark = pytest.mark.integration


def compose(folder: Path, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", "compose", "-f", str(folder / "compose.yaml"), *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def render_to(cli: Callable[..., Result], profile: str, out: Path, *extra: str) -> None:
    result = cli("profile", "render", profile, "-o", str(out), *extra)
    assert result.code == 0, result.err


SHIPPED = sorted(p.name for p in shipped_profiles_dir().glob("*.yaml"))


@pytest.mark.parametrize("name", SHIPPED)
def test_docker_compose_config_accepts_every_shipped_profile(
    name: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    render_to(cli, str(shipped_profiles_dir() / name), tmp_path)
    done = compose(tmp_path, "config", "--quiet")
    assert done.returncode == 0, done.stderr


def _started(info: dict[str, object]) -> datetime:
    state = info["State"]
    assert isinstance(state, dict)
    return datetime.fromisoformat(str(state["StartedAt"])[:26])


@pytest.mark.slow
def test_plain_compose_runs_a_rendered_stack_with_links_and_order(tmp_path: Path, cli: Callable[..., Result]) -> None:
    profile = busybox_profile()
    # db only becomes healthy two seconds after it starts: web must start after that
    profile["services"]["db"]["command"] = [
        "sh",
        "-c",
        "sleep 2; mkdir -p /data && touch /data/ok && exec httpd -f -p 5432 -h /data",
    ]
    write_yaml(tmp_path / "bb.yaml", profile)
    out = tmp_path / "out"
    render_to(cli, str(tmp_path / "bb.yaml"), out, "--project", f"bb-{uuid.uuid4().hex[:8]}")
    try:
        done = compose(out, "up", "-d", "--wait")
        assert done.returncode == 0, done.stderr
        env = compose(out, "exec", "-T", "web", "cat", "/www/env.txt").stdout
        assert "DATABASE_URL=postgres://app:pw-s3cret@db:5432/app" in env
        ids = compose(out, "ps", "-q", "db", "web").stdout.split()
        infos = json.loads(subprocess.run(["docker", "inspect", *ids], capture_output=True, text=True).stdout)
        by_service = {i["Config"]["Labels"]["com.docker.compose.service"]: i for i in infos}
        db_first_healthy = next(
            datetime.fromisoformat(entry["End"][:26])
            for entry in by_service["db"]["State"]["Health"]["Log"]
            if entry["ExitCode"] == 0
        )
        assert _started(by_service["web"]) >= db_first_healthy
        labels = by_service["web"]["Config"]["Labels"]
        assert labels["devenv.profile"] == "bb"
    finally:
        compose(out, "down", "-v", "-t", "1")


@pytest.mark.slow
def test_example_profile_comes_up_healthy_with_plain_compose(tmp_path: Path, cli: Callable[..., Result]) -> None:
    out = tmp_path / "out"
    port = str(busybox_profile()["variables"]["web_port"]["default"])
    render_to(cli, "example", out, "--project", f"example-{uuid.uuid4().hex[:8]}", "--set", f"web_port={port}")
    try:
        done = compose(out, "up", "-d", "--wait", "--build")
        assert done.returncode == 0, done.stderr
        ps = [json.loads(line) for line in compose(out, "ps", "--format", "json").stdout.splitlines() if line]
        assert sorted((p["Service"], p["Health"]) for p in ps) == [
            ("broker", "healthy"),
            ("cache", "healthy"),
            ("db", "healthy"),
            ("web", "healthy"),
            ("worker", "healthy"),
        ]
    finally:
        compose(out, "down", "-v", "-t", "2")
