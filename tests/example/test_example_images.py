"""The example profile's images, for real: build them, link all five services, check every link.

The compose file is written by hand here (not rendered by devenv), so this test checks the images and
the app code alone: whatever the profile renders must work at least as well as this file does.
Images are tagged ``devenv-example-<name>:test`` and kept after the test, so later runs reuse them.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # each test takes more than ~3 s

EXAMPLE = Path(__file__).resolve().parents[2] / "profiles" / "example"
PASSWORD = "example-test-secret"
APP_IMAGE = "devenv-example-app:test"
BUILD_TIMEOUT = 1200.0  # seconds: a cold build installs Debian packages
COMMAND_TIMEOUT = 180.0

ENVIRONMENT = {
    "DATABASE_URL": f"postgres://postgres:{PASSWORD}@db:5432/app",
    "REDIS_URL": "redis://cache:6379/0",
    "BROKER_URL": "mqtt://broker:1883",
}
HEALTHCHECKS = {
    "db": ["CMD", "pg_isready", "-h", "127.0.0.1", "-U", "postgres"],
    "cache": ["CMD", "cache-healthcheck"],
    "broker": ["CMD", "broker-healthcheck"],
    "web": ["CMD", "python3", "-m", "app.healthcheck", "web"],
    "worker": ["CMD", "python3", "-m", "app.healthcheck", "worker"],
}
HEALTHY = {"condition": "service_healthy"}


def compose_document() -> dict[str, Any]:
    """The five linked services, as a compose file (JSON is YAML, so compose reads it as is)."""

    def service(name: str, context: str, **extra: Any) -> dict[str, Any]:
        return {
            "build": {"context": str(EXAMPLE / context)},
            "image": f"devenv-example-{context}:test",
            "healthcheck": {"test": HEALTHCHECKS[name], "interval": "1s", "timeout": "5s", "retries": 60},
            **extra,
        }

    return {
        "services": {
            "db": service(
                "db",
                "db",
                environment={"POSTGRES_PASSWORD": PASSWORD, "POSTGRES_DB": "app"},
                volumes=["db-data:/var/lib/postgresql/data"],
            ),
            "cache": service("cache", "cache", volumes=["cache-data:/data"]),
            "broker": service("broker", "broker"),
            "web": service(
                "web",
                "app",
                command=["python3", "-m", "app.web"],
                environment=ENVIRONMENT,
                ports=["127.0.0.1::8000"],
                depends_on={"db": HEALTHY, "cache": HEALTHY, "broker": HEALTHY},
            ),
            "worker": service(
                "worker",
                "app",
                command=["python3", "-m", "app.worker"],
                environment={key: ENVIRONMENT[key] for key in ("REDIS_URL", "BROKER_URL")},
                depends_on={"cache": HEALTHY, "broker": HEALTHY},
            ),
        },
        "volumes": {"db-data": {}, "cache-data": {}},
    }


@dataclass(frozen=True)
class Stack:
    project: str
    file: Path

    def argv(self, *args: str) -> list[str]:
        return ["docker", "compose", "-p", self.project, "-f", str(self.file), *args]

    def compose(
        self, *args: str, check: bool = True, timeout: float = COMMAND_TIMEOUT
    ) -> subprocess.CompletedProcess[str]:
        argv = self.argv(*args)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            pytest.fail(
                f"{' '.join(argv)} exited {result.returncode}\n{result.stdout}{result.stderr}"
                f"\n--- logs ---\n{self.logs()}"
            )
        return result

    def logs(self, *services: str) -> str:
        argv = self.argv("logs", "--no-color", *services)
        result = subprocess.run(argv, capture_output=True, text=True, timeout=COMMAND_TIMEOUT, check=False)
        return result.stdout + result.stderr

    def web_url(self) -> str:
        address = self.compose("port", "web", "8000").stdout.strip()  # e.g. 127.0.0.1:49153
        return f"http://{address}"

    def up(self, *extra: str) -> float:
        started = time.monotonic()
        self.compose("up", "-d", "--wait", *extra, timeout=BUILD_TIMEOUT)
        return time.monotonic() - started


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("example-stack")
    file = folder / "compose.yaml"
    file.write_text(json.dumps(compose_document(), indent=2))
    running = Stack(project=f"example-test-{secrets.token_hex(4)}", file=file)
    try:
        seconds = running.up("--build")
        print(f"{running.project}: up -d --wait --build took {seconds:.1f} s")
        yield running
    finally:
        running.compose("down", "-v", "--remove-orphans", "-t", "10", check=False)


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=15) as response:
        body: dict[str, Any] = json.load(response)
        return body


def status_when(stack: Stack, ready: str, timeout: float = 20.0) -> dict[str, Any]:
    """GET / until the field ``ready`` is not null, or fail after ``timeout`` seconds."""
    url = stack.web_url() + "/"
    deadline = time.monotonic() + timeout
    while True:
        body = get_json(url)
        if body.get(ready) is not None or time.monotonic() > deadline:
            return body
        time.sleep(0.5)


def seed(stack: Stack) -> str:
    return stack.compose("run", "--rm", "web", "python3", "-m", "app.seed").stdout


def test_every_link_is_ok_after_seeding(stack: Stack) -> None:
    first = seed(stack)
    assert "items has 5 rows (5 inserted)" in first
    again = seed(stack)
    assert "items has 5 rows (0 inserted)" in again, "the seed must be idempotent"

    body = status_when(stack, "worker_heartbeat")

    assert body["service"] == "web"
    assert body["db"]["ok"] is True, body
    assert body["db"]["database"] == "app"
    assert body["db"]["server_version"].startswith("15."), body
    assert body["cache"] == {"ok": True}, body
    assert body["broker"]["ok"] is True, body
    assert body["seeded_rows"] == 5
    assert body["worker_heartbeat"] is not None, f"no heartbeat: {body}\n{stack.logs('worker')}"
    assert 0 <= body["worker_heartbeat"] < 10


def test_healthz_and_unknown_paths(stack: Stack) -> None:
    url = stack.web_url()
    assert get_json(url + "/healthz") == {"status": "ok"}
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(url + "/nope", timeout=5)
    assert excinfo.value.code == 404
    logs = stack.logs("web")
    assert '"GET /healthz HTTP/1.1" 200' in logs  # a person's request is logged
    # the container's own health check (every second, from inside: 127.0.0.1) is not
    assert '127.0.0.1 "GET /healthz' not in logs, logs


def test_worker_receives_the_jobs_web_publishes(stack: Stack) -> None:
    get_json(stack.web_url() + "/")  # each GET / publishes a ping on the `jobs` topic
    deadline = time.monotonic() + 10
    while "job on 'jobs'" not in (logs := stack.logs("worker")) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert "job on 'jobs'" in logs
    assert "subscribed to 'jobs'" in logs


def test_missing_settings_are_reported_not_fatal_for_web(stack: Stack) -> None:
    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", "run", "--rm", APP_IMAGE, *argv],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )

    worker = run("python3", "-m", "app.worker")
    assert worker.returncode == 2
    assert "cannot start: REDIS_URL not set" in worker.stdout

    seeding = run("python3", "-m", "app.seed")
    assert seeding.returncode == 2
    assert "DATABASE_URL not set" in seeding.stderr

    status = run("python3", "-c", "import json; from app.checks import status; print(json.dumps(status()))")
    assert status.returncode == 0, status.stderr
    body = json.loads(status.stdout)
    assert body["db"] == {"ok": False, "error": "DATABASE_URL not set"}
    assert body["cache"] == {"ok": False, "error": "REDIS_URL not set"}
    assert body["broker"] == {"ok": False, "error": "BROKER_URL not set"}
    assert body["seeded_rows"] is None
    assert body["worker_heartbeat"] is None


def test_sigterm_stops_every_service_cleanly_and_data_survives(stack: Stack) -> None:
    stack.compose("stop", "-t", "20")
    states = [json.loads(line) for line in stack.compose("ps", "-a", "--format", "json").stdout.splitlines()]
    exit_codes = {state["Service"]: state["ExitCode"] for state in states}
    # 137 would mean docker had to SIGKILL it: SIGTERM was ignored or shutdown hung.
    assert exit_codes == dict.fromkeys(HEALTHCHECKS, 0), exit_codes

    stack.up()
    body = status_when(stack, "worker_heartbeat")
    assert body["db"]["ok"] is True, body
    assert body["seeded_rows"] == 5, "the db volume keeps the seeded rows across a restart"
