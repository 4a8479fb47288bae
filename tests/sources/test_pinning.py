"""The new hire's side on a real engine: init at a pinned version, the lock holds, --frozen, update, go back."""

from __future__ import annotations

import json
import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.init import teardown
from tests.helpers.sources import Team, make_team, shop_profile, write_profile
from tests.helpers.stack import devenv

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # a real stack, several `up`s


@pytest.fixture
def team(tmp_path: Path) -> Iterator[Team]:
    made = make_team(tmp_path)
    yield made
    teardown(tmp_path / "ws")


def lock_of(ws: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((ws / ".devenv" / "profile.lock").read_text())
    return data


def greeting(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/env.txt", timeout=10) as response:
        lines = response.read().decode().splitlines()
    return str(next(line for line in lines if line.startswith("GREETING=")).split("=", 1)[1])


def test_the_lead_publishes_and_the_new_hire_pins_updates_and_goes_back(team: Team, tmp_path: Path) -> None:
    lead, hire, ws = team.lead, team.hire, tmp_path / "ws"
    folder = tmp_path / "work" / "shop"
    port = shop_profile("1.0.0")["variables"]["web_port"]["default"]

    def publish(version: str, words: str) -> None:
        profile = shop_profile(version, words)
        profile["variables"]["web_port"]["default"] = port
        write_profile(folder, profile)
        done = devenv("profile", "publish", str(folder), "--to", "team", cwd=tmp_path, env=lead)
        assert done.code == 0, done.err

    assert devenv("source", "add", "team", team.url, cwd=tmp_path, env=lead).code == 0
    publish("1.0.0", "hello")
    publish("1.1.0", "bonjour")
    assert devenv("profile", "publish", str(folder), "--to", "team", cwd=tmp_path, env=lead).code == 2

    # the new hire: lists, then installs 1.0.0 although 1.1.0 is out
    assert devenv("source", "add", "team", team.url, cwd=tmp_path, env=hire).code == 0
    listed = devenv("profile", "list", cwd=tmp_path, env=hire)
    assert "shop" in listed.out and "1.0.0, 1.1.0" in listed.out
    init = devenv("init", "--profile", "team/shop@1.0.0", "--dir", str(ws), "--yes", cwd=tmp_path, env=hire)
    assert init.code == 0, init.err
    assert greeting(port) == "hello"
    lock = lock_of(ws)
    assert (lock["source"], lock["url"], lock["profile"], lock["version"]) == ("team", team.url, "shop", "1.0.0")
    assert lock["commit"] == team.commit_of("shop/v1.0.0") and lock["ref"] == "team/shop@1.0.0"
    assert len(lock["content_hash"]) == 64
    assert lock["images"]["web"]["image"] == "busybox:1.36" and lock["images"]["web"]["id"].startswith("sha256:")

    # update --check offers 1.1.0 with its diff, and moves nothing
    check = devenv("update", "--check", cwd=ws, env=hire)
    assert check.code == 1, check.err
    assert "team/shop: 1.0.0 -> 1.1.0" in check.out
    assert "-      GREETING: hello" in check.out and "+      GREETING: bonjour" in check.out
    assert lock_of(ws) == lock

    # the source moves on (1.2.0) and the cache is cleared: up still runs exactly 1.0.0
    publish("1.2.0", "hola")
    assert devenv("source", "refresh", cwd=tmp_path, env=hire).code == 0
    shutil.rmtree(Path(hire["DEVENV_CACHE_DIR"]) / "sources" / "team" / "commits")
    up = devenv("up", "--frozen", cwd=ws, env=hire)
    assert up.code == 0, up.err
    assert lock_of(ws) == lock and greeting(port) == "hello"

    # --frozen fails on drift: another version asked for, or the pinned files changed
    other = devenv("up", "--frozen", "--profile", "team/shop@1.1.0", cwd=ws, env=hire)
    assert other.code == 2 and "--frozen: the lock would change (version: 1.0.0 -> 1.1.0; commit: " in other.err
    pinned = Path(lock["file"])
    pinned.write_text(pinned.read_text().replace("hello", "tampered"))
    tampered = devenv("up", "--frozen", cwd=ws, env=hire)
    assert tampered.code == 2 and "content_hash" in tampered.err and "hint: " in tampered.err
    assert lock_of(ws) == lock
    shutil.rmtree(Path(hire["DEVENV_CACHE_DIR"]) / "sources" / "team" / "commits")  # unpacked again from the commit

    # update moves the lock to the newest, up applies it; --to goes back
    moved = devenv("update", cwd=ws, env=hire)
    assert moved.code == 0, moved.err
    assert "1.0.0 -> 1.2.0" in moved.out and "locked shop 1.2.0" in moved.out
    assert lock_of(ws)["version"] == "1.2.0" and lock_of(ws)["commit"] == team.commit_of("shop/v1.2.0")
    assert devenv("up", cwd=ws, env=hire).code == 0
    assert greeting(port) == "hola"
    assert lock_of(ws)["ref"] == "team/shop@1.2.0"
    assert "profile team/shop@1.2.0" in devenv("status", cwd=ws, env=hire).out  # not the cached file's path
    back = devenv("update", "--to", "1.0.0", cwd=ws, env=hire)
    assert back.code == 0, back.err
    assert lock_of(ws)["version"] == "1.0.0" and lock_of(ws)["commit"] == lock["commit"]
    assert devenv("up", "--frozen", cwd=ws, env=hire).code == 0
    assert greeting(port) == "hello"
