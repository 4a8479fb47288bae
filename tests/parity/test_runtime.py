"""The runtime view from what the engine adapter inspected: image identity and env keys, values dropped on the spot."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from devenv.context import AppContext
from devenv.domain.parity.runtime import SERVICE_LABEL, runtime_view
from devenv.settings import load_settings
from devenv.usecases.parity import read_runtime

IMAGE = "sha256:" + "c" * 64


def container(name: str, service: str, env: list[str], health: dict[str, Any] | None = None) -> dict[str, Any]:
    """Container attributes as the Engine API's inspect returns them (the parts parity reads)."""
    config = {"Labels": {SERVICE_LABEL: service}, "Env": env, "Healthcheck": health}
    return {"Name": f"/{name}", "Image": IMAGE, "Config": config}


def test_reads_image_identity_and_env_keys_only() -> None:
    env = ["PATH=/bin", "DB_PASSWORD=runtime-secret-VALUE", "EMPTY="]
    image = {"RepoDigests": [f"registry/app@{IMAGE}"], "RepoTags": ["app:dev"]}
    inspected = [
        (container("p-web-2", "web", ["OTHER=1"]), image),  # a second replica: the first by name wins
        (container("p-web-1", "web", env, {"Test": ["CMD-SHELL", "true"]}), image),
    ]
    view = runtime_view("p", inspected)
    assert list(view.services) == ["web"]
    web = view.services["web"]
    assert web.env_keys == frozenset({"PATH", "DB_PASSWORD", "EMPTY"})
    assert "runtime-secret-VALUE" not in repr(view)
    assert web.runs_digest(IMAGE)
    assert web.repo_digests == (f"registry/app@{IMAGE}",) and web.image_tags == ("app:dev",)
    assert web.healthcheck == "true"


def test_an_engine_that_fails_is_a_reason_not_an_exception(tmp_path: Path) -> None:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    ctx = AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=False)
    view = read_runtime(ctx, "p")
    assert view.services == {}
    assert view.problem is not None
    assert view.problem.startswith("the Docker engine could not be asked: ")
    assert "\n" not in view.problem
