"""`devenv ls`, `stop`, `restart`, `build`, `down --images` and build progress, on the real engine."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.stack import Stack, busybox_profile, docker, health_of, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # real stacks and builds, seconds each


def listed(s: Stack) -> list[dict[str, Any]]:
    done = s.devenv("ls", "--json")
    assert done.code == 0, done.err
    return [w for w in json.loads(done.out) if w["workspace"] == str(s.root.resolve())]


def health(s: Stack, service: str) -> str:
    return health_of(s.containers()[service])


def test_ls_stop_and_restart(tmp_path: Path, isolated: Path) -> None:
    s = make_stack(tmp_path, busybox_profile(seed=[]))
    try:
        assert s.devenv("up", "--profile", "./stack.yaml").code == 0
        [line] = listed(s)
        assert (line["state"], line["ready"], line["services"], line["found_by"]) == ("up", 2, 2, "registry")
        assert line["ports"] == sorted(p for ports in s.state["ports"].values() for p in ports)
        registry = json.loads((isolated / "data" / "workspaces.json").read_text())
        assert registry == {"workspaces": [str(s.root.resolve())]}
        [row] = [r.split() for r in s.devenv("ls").out.splitlines() if r.startswith(f"{s.root.resolve()} ")]
        assert row[1:5] == ["./stack.yaml", "up", "(2/2", "ready)"]

        stopped = s.devenv("stop", "web")
        assert (stopped.code, stopped.out) == (0, "Stopped web.\n"), stopped.err
        assert s.containers()["web"]["State"]["Status"] == "exited"
        assert health(s, "db") == "healthy"  # only what was named
        assert listed(s)[0]["state"] == "partly up"

        before = s.containers()["db"]["State"]["StartedAt"]
        restarted = s.devenv("restart", "web")
        assert restarted.code == 0, restarted.err
        assert health(s, "web") == "healthy"  # it waited, as up does
        assert s.containers()["db"]["State"]["StartedAt"] == before  # a link is started, not restarted

        assert s.devenv("stop").out == "Stopped db, web.\n"
        assert listed(s)[0]["state"] == "stopped"
        again = s.devenv("restart")
        assert again.code == 0 and health(s, "db") == health(s, "web") == "healthy", again.err

        typo = s.devenv("restart", "wbe")
        assert typo.code == 2 and "no service 'wbe' in this stack" in typo.err and "did you mean 'web'?" in typo.err

        # the list in the data folder is one way to find a workspace; the engine's labels are the other
        (isolated / "data" / "workspaces.json").unlink()
        assert listed(s)[0]["found_by"] == "engine"
        assert s.devenv("down").code == 0
        assert listed(s) == []  # down, and no longer listed: nothing left to find it by
        assert s.devenv("up").code == 0
        assert s.devenv("down").code == 0
        assert listed(s)[0]["state"] == "down"
        shutil.rmtree(s.root / ".devenv")
        assert listed(s) == []  # a folder that is no longer a workspace is dropped from the list
        assert json.loads((isolated / "data" / "workspaces.json").read_text()) == {"workspaces": []}
    finally:
        s.cleanup()


def built_profile() -> dict[str, Any]:
    profile = busybox_profile(seed=[])
    profile["services"]["web"].pop("image")
    profile["services"]["web"]["build"] = "img"
    return profile


def with_image(tmp_path: Path, dockerfile: str) -> Stack:
    s = make_stack(tmp_path, built_profile())
    (s.root / "img").mkdir()
    (s.root / "img" / "Dockerfile").write_text(dockerfile)
    return s


def images_of(s: Stack) -> list[str]:
    return docker("images", "-q", f"{s.project}-web").split()


DOCKERFILE = "FROM busybox:1.36\nRUN echo preparing && sleep 1\nRUN echo done\n"


def test_build_progress_build_command_and_down_images(tmp_path: Path) -> None:
    a, b = with_image(tmp_path, DOCKERFILE), with_image(tmp_path, DOCKERFILE)
    try:
        up = a.devenv("up", "--profile", "./stack.yaml")
        assert up.code == 0, up.err
        # each image's current step and time, not a silent "waiting"
        assert "  web: step 2/3: RUN echo preparing && sleep 1  " in up.err
        assert "  web: built  " in up.err
        assert "(built web)" in up.out

        (a.root / "img" / "Dockerfile").write_text(DOCKERFILE + "RUN echo changed > /changed\n")
        built = a.devenv("build")
        assert built.code == 0, built.err
        assert built.out.startswith("Built web in ")
        assert "step 4/4: RUN echo changed > /changed" in built.err
        up_again = a.devenv("up")  # replaces the container: its own build finds every layer cached
        assert "Stack is up" in up_again.out, up_again.err
        assert docker("exec", a.container_ids()["web"], "cat", "/changed") == "changed\n"
        assert a.devenv("build", "--verbose", "web").err.count("#") > 5  # the whole log
        assert "has no build: it runs an image" in a.devenv("build", "db").err

        assert b.devenv("up", "--profile", "./stack.yaml").code == 0
        assert images_of(a) and images_of(b)
        down = a.devenv("down", "--images")
        assert down.code == 0, down.err
        assert "Its built images were deleted" in down.out
        assert images_of(a) == []
        assert images_of(b)  # never another workspace's
        assert docker("images", "-q", "busybox:1.36").strip()  # nor an image it did not build
        rebuilt = a.devenv("up")
        assert rebuilt.code == 0 and "built web" in rebuilt.out, rebuilt.err
        marker = f"verbose-{uuid.uuid4().hex}"  # a step no earlier run left in the engine's build cache
        (a.root / "img" / "Dockerfile").write_text(DOCKERFILE + f"RUN echo {marker}\n")
        loud = a.devenv("up", "--verbose")  # the whole build log, as `build --verbose` prints it
        assert loud.code == 0, loud.err
        assert re.search(rf"^#\d+ [\d.]+ {marker}$", loud.err, re.M), loud.err
        assert "web: step 4/4" not in loud.err
    finally:
        for s in (a, b):
            s.cleanup()
            if (s.root / ".devenv" / "state.json").exists():
                docker("rmi", "-f", *images_of(s)) if images_of(s) else None


def test_a_failed_build_keeps_its_whole_log(tmp_path: Path) -> None:
    s = with_image(tmp_path, "FROM busybox:1.36\nRUN echo first-of-many-lines\nRUN echo the-cause; exit 7\n")
    try:
        done = s.devenv("up", "--profile", "./stack.yaml")
        assert done.code == 4, done.err
        assert "building web failed" in done.err and "the-cause" in done.err
        assert "web: failed at step 3/3: RUN echo the-cause; exit 7" in done.err and "web: built" not in done.err
        log = s.root / ".devenv" / "build.log"
        assert f"(the full log: {log})" in done.err
        assert "first-of-many-lines" in log.read_text()
    finally:
        s.cleanup()
