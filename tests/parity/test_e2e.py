"""End to end on a real engine: a running stack checked against a manifest that pins an image digest.

Matching digest: clean. Rebuilt image (a new id) and recreated container: "not what prod runs".
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers.common import Result

Cli = Callable[..., Result]
pytestmark = pytest.mark.integration


def docker(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["docker", *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, f"docker {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout.strip()


class Stack:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.project = f"parity-e2e-{uuid.uuid4().hex[:10]}"
        self.tag = f"{self.project}:dev"
        self.image_ids: set[str] = set()
        (folder / "compose.yml").write_text(
            "services:\n"
            "  app:\n"
            "    build: .\n"
            f"    image: {self.tag}\n"
            "    init: true\n"
            '    command: ["sh", "-c", "while true; do sleep 1; done"]\n'
            "    environment: {LOG_LEVEL: info}\n"
        )

    def build_and_up(self, version: str) -> str:
        (self.folder / "Dockerfile").write_text(
            f"FROM busybox:1.36\nENV APP_FLAVOUR=plain\nRUN echo {version} > /version\n"
        )
        compose = ["compose", "-p", self.project, "-f", "compose.yml"]
        docker(*compose, "up", "-d", "--wait", "--build", cwd=self.folder)
        image_id = docker("image", "inspect", "--format", "{{.Id}}", self.tag)
        self.image_ids.add(image_id)
        return image_id

    def pin(self, image_id: str) -> Path:
        manifest = self.folder / "k8s" / "app.yaml"
        manifest.parent.mkdir(exist_ok=True)
        manifest.write_text(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app}\nspec:\n  replicas: 1\n"
            "  template:\n    metadata: {labels: {app: app}}\n    spec:\n      containers:\n"
            f"        - name: app\n          image: registry.example.com/shop/app@{image_id}\n"
            '          command: ["sh", "-c", "while true; do sleep 1; done"]\n'
            "          env:\n            - {name: LOG_LEVEL, value: info}\n"
            "            - {name: APP_FLAVOUR, value: plain}\n"  # set by the image's ENV, seen on the engine
        )
        return manifest

    def down(self) -> None:
        subprocess.run(
            ["docker", "compose", "-p", self.project, "-f", "compose.yml", "down", "-v", "--remove-orphans"],
            cwd=self.folder,
            capture_output=True,
            timeout=120,
            check=False,
        )
        for image_id in self.image_ids:  # only the images this test built
            subprocess.run(["docker", "image", "rm", "-f", image_id], capture_output=True, timeout=60, check=False)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    made = Stack(tmp_path)
    try:
        yield made
    finally:
        made.down()


def parity(cli: Cli, stack: Stack) -> tuple[int, dict[str, object]]:
    result = cli(
        "parity",
        "--dev",
        "compose.yml",
        "--against",
        "k8s",
        "--project",
        stack.project,
        "--json",
        cwd=stack.folder,
    )
    assert result.err == ""
    return result.code, json.loads(result.out)


def test_deploy_what_you_tested(cli: Cli, stack: Stack) -> None:
    first = stack.build_and_up("v1")
    stack.pin(first)

    code, report = parity(cli, stack)
    assert report["runtime"] == f"project {stack.project}: running app"
    assert report["findings"] == [], report["findings"]  # APP_FLAVOUR comes from the running image
    assert code == 0

    rebuilt = stack.build_and_up("v2")
    assert rebuilt != first
    code, report = parity(cli, stack)
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [f["code"] for f in findings] == ["digest-differs"]
    assert findings[0]["dev"].startswith(f"image {rebuilt[:19]}")
    assert findings[0]["prod"] == f"registry.example.com/shop/app@{first}"
    assert code == 1
