"""Helpers for tests that run real stacks: a busybox profile, a devenv subprocess, engine queries."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

BUSYBOX = "busybox:1.36"


def busybox_profile(**overrides: Any) -> dict[str, Any]:
    """Two linked services: db (a volume, a health check) and web (published port, linked env), plus a seed."""
    profile: dict[str, Any] = {
        "name": "bb",
        "version": "1.0.0",
        "variables": {
            "web_port": {"type": "port", "default": free_port()},
            "greeting": {"type": "string", "default": "hello"},
            "db_password": {"type": "secret", "default": "pw-s3cret"},
        },
        "services": {
            "db": {
                "image": BUSYBOX,
                "command": ["sh", "-c", "mkdir -p /data && touch /data/ok && exec httpd -f -p 5432 -h /data"],
                "volumes": ["db-data:/data"],
                "healthcheck": {"test": "wget -qO- http://localhost:5432/ok", "interval": "1s", "retries": 30},
                "exports": {"DATABASE_URL": "postgres://app:${db_password}@db:5432/app"},
            },
            "web": {
                "image": BUSYBOX,
                "command": [
                    "sh",
                    "-c",
                    "mkdir -p /www && env > /www/env.txt && echo web serving on 8000 && exec httpd -f -p 8000 -h /www",
                ],
                "links": ["db"],
                "ports": ["${web_port}:8000"],
                "environment": {"GREETING": "${greeting}"},
                "healthcheck": {"test": "wget -qO- http://localhost:8000/env.txt", "interval": "1s"},
            },
        },
        "seed": [{"service": "db", "run": ["sh", "-c", "echo seeded >> /data/seed.log"]}],
    }
    profile.update(overrides)
    return profile


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Done:
    code: int
    out: str
    err: str


def devenv(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300) -> Done:
    """devenv as a real subprocess without a terminal (stdin is /dev/null)."""
    done = subprocess.run(
        [sys.executable, "-m", "devenv", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    return Done(done.returncode, done.stdout, done.stderr)


@dataclass
class Stack:
    """A workspace folder with a profile; `devenv` runs in it as a real subprocess."""

    root: Path
    profile: Path

    def devenv(self, *args: str, timeout: float = 240) -> Done:
        return devenv(*args, cwd=self.root, timeout=timeout)

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "devenv", *args],
            cwd=self.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )

    @property
    def state(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.root / ".devenv" / "state.json").read_text())
        return data

    @property
    def project(self) -> str:
        return str(self.state["project"])

    def container_ids(self) -> dict[str, str]:
        return {name: info["Id"] for name, info in self.containers().items()}

    def containers(self) -> dict[str, dict[str, Any]]:
        ids = docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={self.project}").split()
        out: dict[str, dict[str, Any]] = {}
        for info in json.loads(docker("inspect", *ids)) if ids else []:
            labels = info["Config"]["Labels"]
            if labels.get("com.docker.compose.oneoff") == "True":
                continue
            out[labels["com.docker.compose.service"]] = info
        return out

    def volumes(self) -> list[str]:
        return docker("volume", "ls", "-q", "--filter", f"label=com.docker.compose.project={self.project}").split()

    def cleanup(self) -> None:
        """Down with volumes: the state's project, and any this folder's workspace left on the engine (found
        by its label) when the test deleted .devenv/ after a `down` that kept the volumes."""
        if (self.root / ".devenv" / "state.json").exists():
            projects, mine, volumes = {self.project}, [], []
        else:
            labels = '{{.Label "devenv.workspace"}} {{.Label "com.docker.compose.project"}}'
            containers = _listed(["container", "ls", "-a"], labels)
            volumes = _listed(["volume", "ls"], labels + " {{.Name}}")
            mine = [words for words in containers + volumes if words[0].startswith(f"{self.root.name}-")]
            projects = {words[1] for words in mine if len(words) > 1}
        for project in sorted(projects):
            subprocess.run(
                ["docker", "compose", "-p", project, "down", "-v", "--remove-orphans", "-t", "1"],
                capture_output=True,
                check=False,
            )
        leftovers = [words[-1] for words in mine if words in volumes]  # compose knew none of their services
        if leftovers:
            subprocess.run(["docker", "volume", "rm", "-f", *leftovers], capture_output=True, check=False)


def _listed(what: list[str], fields: str) -> list[list[str]]:
    """The engine's objects that carry a devenv.workspace label, each as the words of `fields`."""
    argv = ["docker", *what, "--filter", "label=devenv.workspace", "--format", fields]
    out = subprocess.run(argv, capture_output=True, text=True, check=False).stdout
    return [line.split() for line in out.splitlines() if line.strip()]


def make_stack(base: Path, profile: dict[str, Any]) -> Stack:
    root = base / f"ws-{uuid.uuid4().hex[:8]}"
    root.mkdir(parents=True)
    path = root / "stack.yaml"
    path.write_text(yaml.safe_dump(profile, sort_keys=False))
    return Stack(root, path)


def health_of(info: dict[str, Any]) -> str:
    """A container's health as devenv's gate counts it (docs/stack.md, `devenv up`): the engine's, or
    `healthy` while the engine has not run its first check yet and the check passes now (run here with
    `docker exec`, not with devenv's code); else the engine's word, or the container's state."""
    state = info["State"]
    status = str((state.get("Health") or {}).get("Status") or state["Status"])
    if status == "starting":
        test = info["Config"]["Healthcheck"]["Test"]
        argv = test[1:] if test[0] == "CMD" else ["/bin/sh", "-c", test[1]]
        if subprocess.run(["docker", "exec", info["Id"], *argv], capture_output=True, check=False).returncode == 0:
            return "healthy"
    return status


def docker(*args: str) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, check=False, env=dict(os.environ))
    if done.returncode != 0:
        raise AssertionError(f"docker {' '.join(args)} failed: {done.stderr}")
    return done.stdout
