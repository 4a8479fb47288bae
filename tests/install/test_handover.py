"""install.sh hands over to `devenv init`: the next step it prints, and --init running it. Both without a
controlling terminal (a new session, as in CI), where install.sh must proceed instead of asking."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers.common import REPO_ROOT


def install(home: Path, work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "HOME": str(home),
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "SHELL": "/bin/bash",
        "LANG": "C.UTF-8",
        "PIP_CACHE_DIR": os.environ.get("PIP_CACHE_DIR", str(Path("~/.cache/pip").expanduser())),
    }
    return subprocess.run(
        ["sh", str(REPO_ROOT / "install.sh"), *args], cwd=work, env=env, capture_output=True, text=True,
        timeout=600, stdin=subprocess.DEVNULL, start_new_session=True, check=False,
    )  # fmt: skip  # a new session: no /dev/tty, as in CI


@pytest.mark.slow
def test_next_step_then_init_handover(tmp_path: Path) -> None:
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    first = install(home, work)  # no --yes: with no terminal to ask, it proceeds as --yes would
    assert first.returncode == 0, first.stdout + first.stderr
    assert "devenv 0.1.0 is installed" in first.stdout
    devenv = home / ".local/bin/devenv"
    assert f"next: {devenv} init\n" in first.stdout  # ~/.local/bin is not on this shell's PATH yet
    assert f"{devenv} init --profile example --yes" in first.stdout
    handed = install(home, work, "--yes", "--init")
    assert "handing over to devenv init" in handed.stdout
    # no terminal and no --profile: devenv init itself stops at once, naming the flag
    assert handed.returncode == 2, handed.stdout + handed.stderr
    assert "which profile? there is no terminal to ask" in handed.stderr
    assert "--profile NAME" in handed.stderr
    assert not (work / ".devenv").exists()
