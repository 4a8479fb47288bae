"""Shell completion, through typer's completion environment variables in a real subprocess: service names
where a SERVICE goes, profile names for --profile, read from the workspace's state without YAML."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from devenv.context import AppContext
from devenv.settings import load_settings
from devenv.usecases.workspace import prepare
from tests.helpers.common import write_yaml
from tests.helpers.stack import busybox_profile


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    """A rendered workspace (state.json, compose file) of the two-service busybox stack; no engine needed."""
    root = tmp_path / "ws"
    root.mkdir()
    profile = write_yaml(root / "stack.yaml", busybox_profile())
    env = dict(os.environ)
    ctx = AppContext(settings=load_settings(env), cwd=root, env=env, interactive=False)
    prepare(ctx, profile_ref=str(profile), sets={})
    return root


def complete(words: str, *, cwd: Path, env: dict[str, str] | None = None, shell: str = "bash") -> list[str]:
    """What `devenv` answers to the shell asking to complete `words` (the cursor after the last word)."""
    extra = {"_DEVENV_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        extra |= {"COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    else:
        extra |= {"_TYPER_COMPLETE_ARGS": words}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "devenv"],
        cwd=cwd,
        env={**os.environ, **extra, **(env or {})},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    imported = [line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")]
    heavy = [m for m in imported if m.split(".")[0] in {"yaml", "docker", "questionary", "rich"}]
    assert heavy == [], heavy  # a completion answers at the speed of --help
    return done.stdout.split()


@pytest.mark.slow  # a dozen interpreter starts: several seconds on a shared machine
def test_service_arguments_complete_to_the_workspace_services(ws: Path, tmp_path: Path) -> None:
    assert complete("devenv logs ", cwd=ws) == ["db", "web"]
    assert complete("devenv logs db ", cwd=ws) == ["web"]  # not one typed already
    assert complete("devenv exec w", cwd=ws) == ["web"]
    for command in ("stop", "restart", "build", "watch"):  # every command that takes SERVICE...
        assert complete(f"devenv {command} ", cwd=ws) == ["db", "web"], command
    assert complete("devenv run ", cwd=ws / ".devenv") == ["db", "web"]  # from a folder inside it
    assert complete("devenv up d", cwd=ws) == ["db"]
    assert complete("devenv logs -w ws ", cwd=tmp_path) == ["db", "web"]  # -w after the command
    assert complete("devenv -w ws exec ", cwd=tmp_path) == ["db", "web"]  # and before it
    assert complete("devenv logs ", cwd=tmp_path, env={"DEVENV_WORKSPACE": str(ws)}) == ["db", "web"]
    assert complete("devenv logs ", cwd=tmp_path) == []  # no workspace: nothing, and no error
    assert " ".join(complete("devenv exec ", cwd=ws, shell="zsh")) == """_arguments '*: :(("db" "web"))'"""


@pytest.mark.slow
def test_profile_option_completes_to_profile_names(tmp_path: Path) -> None:
    sources = tmp_path / "team"
    write_yaml(sources / "payments.yaml", busybox_profile(name="payments"))
    env = {"DEVENV_PROFILE_SOURCES": str(sources)}
    assert complete("devenv up --profile ", cwd=tmp_path, env=env) == ["example", "payments"]
    assert complete("devenv init --profile pa", cwd=tmp_path, env=env) == ["payments"]
    assert complete("devenv init -p ", cwd=tmp_path) == ["example"]
