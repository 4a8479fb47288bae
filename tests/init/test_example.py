"""The README's first command, run as written (install.sh, then `devenv init --profile example --yes`), from
nothing to a running, seeded example stack; a second `devenv init` is a no-op."""

from __future__ import annotations

import json
import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.common import REPO_ROOT
from tests.helpers.init import teardown
from tests.helpers.stack import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # each test takes more than ~3 s


def readme_first_command() -> str:
    text = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"```sh\n(.+?)\n```", text, re.S)
    assert found, "README.md has no ```sh block"
    return found.group(1).strip()


def test_readme_first_command_brings_the_example_up(tmp_path: Path) -> None:
    command = readme_first_command()
    assert command.startswith("sh install.sh") and "devenv init --profile example --yes" in command
    home = tmp_path / "home"
    home.mkdir()
    work = tmp_path / "platform"  # where the new hire runs it; the example needs no clone, so the workspace
    work.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "HOME": str(home),
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path("~/.cache/pip").expanduser())),
        "DEVENV_VAR_WEB_PORT": str(port),  # the example's one port, moved off 8000 for the test
    }
    script = command.replace("sh install.sh", f"sh {REPO_ROOT / 'install.sh'}", 1)
    try:
        done = subprocess.run(
            ["sh", "-c", script], cwd=work, env=env, capture_output=True, text=True, timeout=900,
            stdin=subprocess.DEVNULL, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Stack is up" in done.stdout and "seeded" in done.stdout
        assert f"http://localhost:{port}" in done.stdout
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            report = json.loads(response.read())
        assert report["db"]["ok"] and report["cache"]["ok"] and report["broker"]["ok"], report
        assert report["seeded_rows"] > 0
        devenv = str(home / ".local/bin/devenv")
        again = subprocess.run(
            [devenv, "init"], cwd=work, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert again.returncode == 0, again.stderr
        assert "every step of devenv init finished before" in again.stdout
        assert "Up to date: nothing changed." in again.stdout
    finally:
        teardown(work, images=True)
