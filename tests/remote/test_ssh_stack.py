"""A stack on an engine reached over ssh, through a real sshd on 127.0.0.1: code copied to the engine's host,
ports brought back through a tunnel, and every daily command working.

The "remote" engine is this machine's, so a published port is also open here: the tunnel must forward it
to a different local port, and the test reads the page through that port - proof it is the tunnel."""

from __future__ import annotations

import json
import os
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from devenv.usecases.remote import user_name
from tests.helpers.sshd import Sshd, leave_remote
from tests.helpers.stack import Done, Stack, busybox_profile, devenv, docker, free_port, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _code_profile() -> dict[str, Any]:
    profile = busybox_profile()
    web = profile["services"]["web"]
    web["command"] = ["sh", "-c", "echo web serving on 8000 && exec httpd -f -p 8000 -h /www"]
    web["volumes"] = ["./code:/www"]
    web["healthcheck"] = {"test": "wget -qO- http://localhost:8000/index.html", "interval": "1s"}
    return profile


def _get(url: str) -> str:
    deadline = time.monotonic() + 10
    while True:
        try:
            with urllib.request.urlopen(url, timeout=3) as response:
                return str(response.read().decode())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture
def stack(tmp_path: Path, sshd: Sshd) -> Iterator[Stack]:
    made = make_stack(tmp_path, _code_profile())
    (made.root / "code").mkdir()
    (made.root / "code" / "index.html").write_text("v1\n")
    try:
        yield made
    finally:
        leave_remote(made.root)
        made.cleanup()


def _ended(pid: int) -> bool:
    """Gone, or a zombie nobody reaps (the devenv that started it has exited; pid 1 may not reap here)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z":
                return True
        except OSError:
            return True
        time.sleep(0.1)
    return False


def _run(stack: Stack, sshd: Sshd, *args: str) -> Done:
    return devenv(*args, cwd=stack.root, env=sshd.env)


def test_a_stack_over_ssh(stack: Stack, sshd: Sshd) -> None:
    up = _run(stack, sshd, "up", "--profile", str(stack.profile))
    assert up.code == 0, up.err
    assert stack.project.endswith("-" + user_name(sshd.env))  # a shared engine: the project is the user's
    labels = [json.loads(docker("volume", "inspect", v))[0]["Labels"] for v in stack.volumes()]
    assert labels and all(lb.get("devenv.user") == user_name(sshd.env) for lb in labels)
    published = stack.state["ports"]["web"][0]
    copies = stack.state["remote_sync"]
    assert list(copies) == [str((stack.root / "code").resolve())]
    copy = next(iter(copies.values()))
    assert "/.cache/devenv/sync/" in copy and not copy.startswith(str(stack.root))
    binds = stack.containers()["web"]["HostConfig"]["Binds"]
    assert binds == [f"{copy}:/www:rw"] or binds == [f"{copy}:/www"]  # the container mounts the copy
    tunnel = json.loads((stack.root / ".devenv" / "tunnel.json").read_text())
    local = tunnel["ports"][str(published)]
    assert local != published  # the engine is on this machine: its port is taken, the tunnel uses another
    assert f"http://localhost:{local}" in up.out
    assert _get(f"http://127.0.0.1:{local}/index.html") == "v1\n"
    commands = sshd.commands()
    assert any(c.startswith("rsync --server") for c in commands)
    assert "docker system dial-stdio" not in commands  # devenv and compose both went through the forwarded socket

    (stack.root / "code" / "index.html").write_text("v2, after up\n")
    again = _run(stack, sshd, "up")
    assert again.code == 0, again.err
    assert _get(f"http://127.0.0.1:{local}/index.html") == "v2, after up\n"
    (stack.root / "code" / "index.html").write_text("v3, after sync\n")
    synced = _run(stack, sshd, "sync")
    assert synced.code == 0 and "Copied 1 folder" in synced.out, synced.err
    assert _get(f"http://127.0.0.1:{local}/index.html") == "v3, after sync\n"

    status = _run(stack, sshd, "status")
    assert status.code == 0, status.err
    assert f"ports tunnel (pid {tunnel['pid']}): localhost:{local} -> {published}" in status.out
    assert f"http://localhost:{local}" in status.out
    os.kill(tunnel["pid"], 15)  # the laptop slept, the connection dropped: the tunnel is gone
    assert _ended(tunnel["pid"])
    gone = _run(stack, sshd, "status")
    assert "ports tunnel: not running" in gone.out and f"http://localhost:{local}" not in gone.out
    back = _run(stack, sshd, "up")
    assert back.code == 0 and "Up to date" in back.out, back.err  # the stack untouched, the tunnel back
    tunnel = json.loads((stack.root / ".devenv" / "tunnel.json").read_text())
    local = tunnel["ports"][str(published)]
    assert _get(f"http://127.0.0.1:{local}/index.html") == "v3, after sync\n"
    logs = _run(stack, sshd, "logs", "web")
    assert logs.code == 0 and "web serving on 8000" in logs.out + logs.err
    exec_ = _run(stack, sshd, "exec", "web", "cat", "/www/index.html")
    assert exec_.code == 0 and "v3, after sync" in exec_.out
    run = _run(stack, sshd, "run", "web", "sh", "-c", "echo one-off $GREETING")
    assert run.code == 0 and "one-off hello" in run.out
    reset = _run(stack, sshd, "reset", "--yes")
    assert reset.code == 0, reset.err
    assert _get(f"http://127.0.0.1:{local}/index.html") == "v3, after sync\n"

    theirs = docker(
        "volume", "create", "--label", f"com.docker.compose.project={stack.project}", "--label", "devenv.user=mallory"
    ).strip()
    try:
        refused = _run(stack, sshd, "down", "--volumes", "--yes")
        assert refused.code == 2 and "resources of mallory" in refused.err and "nothing removed" in refused.err
        no_reset = _run(stack, sshd, "reset", "--yes")
        assert no_reset.code == 2 and "resources of mallory" in no_reset.err
        assert theirs in docker("volume", "ls", "-q").split() and stack.containers()
    finally:
        docker("volume", "rm", theirs)
    down = _run(stack, sshd, "down", "--volumes", "--yes")
    assert down.code == 0, down.err
    assert stack.volumes() == []
    assert not (stack.root / ".devenv" / "tunnel.json").exists()
    assert _ended(tunnel["pid"])
    assert stack.containers() == {}


def test_a_host_path_outside_the_workspace_is_refused_by_name(tmp_path: Path, sshd: Sshd) -> None:
    profile = _code_profile()
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    profile["services"]["web"]["volumes"] = [f"{outside}:/data"]
    profile["host_access"] = {"web": {"reason": "reads a folder", "paths": [str(outside)]}}
    made = make_stack(tmp_path, profile)
    try:
        done = devenv("up", "--profile", str(made.profile), "--trust-host-access", cwd=made.root, env=sshd.env)
        assert done.code == 2, done.err
        assert f"service 'web' bind-mounts {outside}" in done.err and "hint:" in done.err
        assert not (made.root / ".devenv").exists()  # nothing written, nothing started
    finally:
        made.cleanup()


def test_the_example_over_ssh(tmp_path: Path, sshd: Sshd) -> None:
    """The shipped example (five services built from the profile's folder) over ssh: images are built on the
    engine's host, and the web app answers on this machine through the tunnel."""
    root = tmp_path / "platform"
    root.mkdir()
    stack = Stack(root, root / "unused.yaml")
    port = free_port()
    try:
        done = devenv("up", "--profile", "example", "--set", f"web_port={port}", cwd=root, env=sshd.env, timeout=900)
        assert done.code == 0, done.err
        local = json.loads((root / ".devenv" / "tunnel.json").read_text())["ports"][str(port)]
        assert local != port and f"http://localhost:{local}" in done.out
        report = json.loads(_get(f"http://127.0.0.1:{local}/"))
        assert report["db"]["ok"] and report["cache"]["ok"] and report["broker"]["ok"], report
        assert report["seeded_rows"] > 0
        down = devenv("down", cwd=root, env=sshd.env)
        assert down.code == 0 and not (root / ".devenv" / "tunnel.json").exists()
    finally:
        leave_remote(root)
        stack.cleanup()
