"""`devenv init --profile example` puts the app's code in the workspace, where a developer edits it: the
closing screen says where it is and how to test it, `devenv run web ./run_tests.sh` passes against the
live db, cache and broker, and a saved edit reaches the running web service without a rebuild."""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.init import teardown
from tests.helpers.stack import devenv, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # builds and starts the five services


def status(port: int) -> dict[str, Any]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            data: dict[str, Any] = json.loads(response.read())
            return data
    except (OSError, ValueError) as exc:
        return {"error": str(exc)}


def test_the_example_workspace_holds_the_code_its_tests_pass_and_an_edit_goes_live(tmp_path: Path) -> None:
    ws = tmp_path / "platform"
    ws.mkdir()
    port = free_port()
    env = {"DEVENV_VAR_WEB_PORT": str(port)}
    try:
        init = devenv("init", "--profile", "example", "--yes", cwd=ws, env=env, timeout=900)
        assert init.code == 0, init.out + init.err
        code = ws / "app"
        assert (code / "app" / "web.py").is_file() and (code / "Dockerfile").is_file()
        assert (code / "run_tests.sh").stat().st_mode & 0o111
        assert not list(code.rglob("__pycache__"))
        assert f"Your code is in {code}: edit it there." in init.out
        assert "devenv run web ./run_tests.sh  # run the code's tests against the live services" in init.out
        compose = (ws / ".devenv" / "compose.yaml").read_text()
        assert f"context: {code}\n" in compose and f"{code}:/srv:ro" in compose

        tests = devenv("run", "web", "./run_tests.sh", cwd=ws, timeout=300)
        assert tests.code == 0, tests.out + tests.err
        assert "OK" in tests.err and "Ran 10 tests" in tests.err

        assert status(port).get("service") == "web"
        checks = code / "app" / "checks.py"
        checks.write_text(checks.read_text().replace('"service": "web"', '"service": "web, edited"'))
        deadline = time.monotonic() + 60
        while status(port).get("service") != "web, edited":
            assert time.monotonic() < deadline, status(port)
            time.sleep(0.2)

        again = devenv("init", cwd=ws, env=env, timeout=300)  # a second init keeps the edit
        assert again.code == 0, again.err
        assert "(kept as it is)" in again.out
        assert "web, edited" in checks.read_text()
    finally:
        teardown(ws, images=True)
