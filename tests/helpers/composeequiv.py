"""Is a generated profile's stack the compose project it came from? Both read by real `docker compose
config`, then compared key by key: services, images/builds, commands, environment, ports, volumes,
health checks and start order. Labels, names, networks and what devenv adds on its own (its labels,
its health check timing where compose had none, build labels) are set aside."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_KEPT = (
    *("command", "entrypoint", "environment", "ports", "working_dir", "user"),
    *("init", "restart", "profiles", "stop_grace_period"),
)


def compose_config(files: Sequence[Path], *, env_file: Path | None = None, cwd: Path | None = None) -> dict[str, Any]:
    argv = ["docker", "compose", "-p", f"equiv-{uuid.uuid4().hex[:8]}"]
    for f in files:
        argv += ["-f", str(f)]
    if env_file is not None and env_file.exists():
        argv += ["--env-file", str(env_file)]
    argv += ["--profile", "*", "config", "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=cwd or files[0].parent)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed: {done.stderr}")
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def render_profile(profile: Path, repo_dir: Path, out: Path) -> Path:
    """`devenv profile render PROFILE --repo-dir REPO -o OUT`, as a user runs it; returns compose.yaml."""
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "devenv",
            "profile",
            "render",
            str(profile),
            "--repo-dir",
            str(repo_dir),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if done.returncode != 0:
        raise AssertionError(f"devenv profile render failed: {done.stderr}")
    return out / "compose.yaml"


def differences(original: dict[str, Any], rendered: dict[str, Any]) -> list[str]:
    """Every difference that matters between two `docker compose config` readings, as `service.key: a != b`."""
    out: list[str] = []
    a, b = original.get("services") or {}, rendered.get("services") or {}
    if set(a) != set(b):
        out.append(f"services: {sorted(a)} != {sorted(b)}")
    for name in sorted(set(a) & set(b)):
        left, right = _service(a[name], b[name]), _service(b[name], None)
        for key in sorted(set(left) | set(right)):
            if left.get(key) != right.get(key):
                out.append(f"{name}.{key}: {left.get(key)!r} != {right.get(key)!r}")
    return out


def _service(spec: dict[str, Any], rendered_as: dict[str, Any] | None) -> dict[str, Any]:
    """The keys compared; `rendered_as` is the rendered service when `spec` is the original."""
    out: dict[str, Any] = {k: spec[k] for k in _KEPT if spec.get(k) is not None}
    if spec.get("build"):
        build = dict(spec["build"])
        build.pop("labels", None)
        out["build"] = build
    else:
        out["image"] = spec.get("image")
    out["volumes"] = [
        (v.get("type"), v.get("source"), v.get("target"), bool(v.get("read_only"))) for v in spec.get("volumes") or []
    ]
    out["depends_on"] = {k: (v or {}).get("condition") for k, v in (spec.get("depends_on") or {}).items()}
    health = dict(spec.get("healthcheck") or {})
    if rendered_as is not None and health:
        # devenv writes interval/timeout/retries always: where compose had none, its default is devenv's
        for key in ("interval", "timeout", "retries"):
            if key not in health and key in (rendered_as.get("healthcheck") or {}):
                health[key] = rendered_as["healthcheck"][key]
    if health:
        out["healthcheck"] = health
    return out


def equivalence(files: Sequence[Path], profile: Path, repo_dir: Path, out: Path) -> list[str]:
    """Render `profile` (paths from `repo_dir`) into `out` and compare it with the compose files."""
    rendered = render_profile(profile, repo_dir, out)
    return differences(compose_config(files), compose_config([rendered], env_file=out / ".env", cwd=out))
