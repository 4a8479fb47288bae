"""Workspace files without an engine: typed state, the .env round trip, keyed secret digests, files that
are folders, and profiles rejected before anything is written."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from devenv.adapters.workspace import Workspace
from devenv.domain.profile.loader import load_profile
from devenv.domain.profile.render import RenderTarget, render
from devenv.domain.stack.dotenv import dotenv_quote, parse_dotenv
from devenv.domain.stack.state import ProfileRef, WorkspaceState
from tests.helpers.common import Result

Cli = Callable[..., Result]


@pytest.mark.parametrize(
    "value", ["a\rb", "\r", "ends with \\", "x\\'y", "q'\\x$y\"z", "$HOME ${X} $$", "tab\tz", "é ✓ #h", ""]
)
def test_dotenv_round_trip_keeps_every_character(value: str) -> None:
    assert parse_dotenv(f"# comment\nK={dotenv_quote(value)}\nL={dotenv_quote('next')}\n") == {"K": value, "L": "next"}


def test_older_single_quoted_env_files_still_read() -> None:
    assert parse_dotenv("K='pw$1'\n") == {"K": "pw$1"}


def _saved_state(root: Path, **fields: Any) -> Path:
    Workspace(root).save(WorkspaceState("id", "devenv-x-1", ProfileRef("./stack.yaml", str(root / "stack.yaml"))))
    path = root / ".devenv" / "state.json"
    data = json.loads(path.read_text())
    data.update(fields)
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"service_hashes": 5}, "'service_hashes' should be an object of strings"),
        ({"seeded": "yes"}, "'seeded' should be true or false"),
        ({"ports": {"web": ["8000"]}}, "'ports' should be an object of number lists"),
        ({"seed_tasks": True}, "'seed_tasks' should be a whole number"),
        ({"profile": "example"}, "'profile' should be an object with 'ref' and 'file' strings"),
        ({"project": "--rm"}, "'project' is not a compose project name"),
    ],
)
def test_state_with_wrong_types_is_damaged_not_an_internal_error(
    cli: Cli, tmp_path: Path, fields: dict[str, Any], why: str
) -> None:
    _saved_state(tmp_path, **fields)
    done = cli("status", cwd=tmp_path)
    assert done.code == 2, done.out + done.err
    assert "is damaged" in done.err and why in done.err
    assert "hint: run `devenv up --profile " in done.err


def test_env_file_or_lock_that_is_a_folder_is_a_clear_error(cli: Cli, tmp_path: Path) -> None:
    _saved_state(tmp_path)
    (tmp_path / "stack.yaml").write_text("name: s\nversion: 1.0.0\nservices: {a: {image: busybox:1.36}}\n")
    (tmp_path / ".devenv" / ".env").mkdir()
    done = cli("up", cwd=tmp_path)
    assert done.code == 2, done.err
    assert "the secrets file" in done.err and "cannot be read" in done.err and "internal error" not in done.err
    (tmp_path / ".devenv" / ".env").rmdir()
    (tmp_path / ".devenv" / "lock").unlink()
    (tmp_path / ".devenv" / "lock").mkdir()
    done = cli("down", cwd=tmp_path)
    assert done.code == 2, done.err
    assert "cannot open the workspace lock" in done.err and "rm -r" in done.err


@pytest.mark.slow
def test_huge_profile_is_refused_quickly_and_leaves_nothing(cli: Cli, tmp_path: Path) -> None:
    services = {f"s{i}": {"image": "busybox:1.36", "command": ["sleep", "1000"]} for i in range(120_000)}
    big = tmp_path / "big.yaml"
    big.write_text(yaml.safe_dump({"name": "big", "version": "1.0.0", "services": services}))
    assert big.stat().st_size > 5_000_000
    ws = tmp_path / "ws"
    ws.mkdir()
    started = time.monotonic()
    done = cli("up", "--profile", str(big), cwd=ws)
    assert time.monotonic() - started < 2
    assert done.code == 2, done.err
    assert "larger than the 256 KiB devenv reads" in done.err
    assert not (ws / ".devenv").exists()


def test_rejected_profile_leaves_no_state_folder(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("name: bad\nservices: [oops\n")
    done = cli("up", "--profile", "./bad.yaml", cwd=tmp_path)
    assert done.code == 2, done.err
    assert not (tmp_path / ".devenv").exists()


def test_config_hash_follows_a_secret_through_a_keyed_digest_only(tmp_path: Path) -> None:
    import hashlib

    path = tmp_path / "p.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "name": "p",
                "version": "1.0.0",
                "variables": {"pw": {"type": "secret", "default": "x"}},
                "services": {
                    "db": {"image": "busybox:1.36", "environment": {"PASSWORD": "${pw}"}},
                    "cache": {"image": "busybox:1.36"},
                },
            }
        )
    )
    profile = load_profile(str(path), lambda ref, _f: (Path(ref).read_text(), ref), devenv_version="0.1.0")

    def hashes(pw: str, key: bytes) -> dict[str, str]:
        target = RenderTarget(project="p", workspace="w", secret_key=key)
        return render(profile, {"pw": pw}, target).service_hashes

    one, two = hashes("hunter2", b"k" * 32), hashes("hunter3", b"k" * 32)
    assert one["db"] != two["db"] and one["cache"] == two["cache"]
    assert hashes("hunter2", b"k" * 32) == one  # stable
    assert hashes("hunter2", b"j" * 32)["db"] != one["db"]  # without the key, a guess cannot be checked
    assert hashlib.sha256(b"hunter2").hexdigest()[:16] not in json.dumps(one)


def test_every_state_field_survives_a_save_and_a_read() -> None:
    """A field the typed reader does not know is silently dropped on read: seed progress was, once."""
    import dataclasses

    from devenv.domain.stack import state as state_module

    state = WorkspaceState(workspace_id="ws-1", project="devenv-ws-1", profile=ProfileRef(ref="x", file="/x.yaml"))
    state.seed_status = {"0:seed": "started"}
    state.seed_volumes = {"db-data": "devenv-ws-1_db-data@2026-01-01"}
    state.reset_pending = True
    state.seeded = True
    back = WorkspaceState.from_json(json.loads(json.dumps(state.to_json())))
    assert back == state
    optional = {f.name for f in dataclasses.fields(WorkspaceState)} - {"workspace_id", "project", "profile"}
    assert optional <= set(state_module._FIELDS)
