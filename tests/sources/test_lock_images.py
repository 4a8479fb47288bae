"""The lock's images on a real engine: `up` records the image an `image:` service runs (never a built one),
and `--frozen` refuses a tag that now names another image."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.helpers.stack import BUSYBOX, busybox_profile, docker, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_up_records_pulled_images_and_frozen_refuses_a_moved_tag(tmp_path: Path) -> None:
    tag = f"devenv-test-pin-{uuid.uuid4().hex[:8]}:1"
    docker("tag", BUSYBOX, tag)
    profile = busybox_profile(seed=[])
    profile["services"]["db"]["image"] = tag
    profile["services"]["web"].pop("image")
    profile["services"]["web"]["build"] = "img"
    s = make_stack(tmp_path, profile)
    (s.root / "img").mkdir()
    (s.root / "img" / "Dockerfile").write_text(f"FROM {BUSYBOX}\nRUN echo one > /one\n")
    try:
        up = s.devenv("up", "--profile", "./stack.yaml")
        assert up.code == 0, up.err
        lock = json.loads((s.root / ".devenv" / "profile.lock").read_text())
        first = docker("image", "inspect", "--format", "{{.Id}}", tag).strip()
        assert lock["images"]["db"]["id"] == first
        assert "web" not in lock["images"]  # built from the checkout: the code under development
        assert s.devenv("up", "--frozen").code == 0

        # a code change rebuilds web: not drift
        (s.root / "img" / "Dockerfile").write_text(f"FROM {BUSYBOX}\nRUN echo two > /two\n")
        rebuilt = s.devenv("up", "--frozen")
        assert rebuilt.code == 0, rebuilt.err

        # the tag now names another image: --frozen refuses, a plain up moves the lock
        (tmp_path / "other").mkdir()
        (tmp_path / "other" / "Dockerfile").write_text(f"FROM {BUSYBOX}\nRUN echo moved > /moved\n")
        docker("build", "-q", "-t", tag, str(tmp_path / "other"))
        moved = s.devenv("up", "--frozen")
        assert moved.code == 2 and "--frozen: the image of db" in moved.err, moved.err
        assert "`devenv down` then `devenv up`" in moved.err
        assert s.devenv("down").code == 0 and s.devenv("up").code == 0  # as the hint says
        lock = json.loads((s.root / ".devenv" / "profile.lock").read_text())
        assert lock["images"]["db"]["id"] != first
        assert s.devenv("up", "--frozen").code == 0
    finally:
        s.cleanup()
        docker("rmi", "-f", tag)
