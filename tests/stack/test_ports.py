"""Ports that never collide and stacks side by side, on a real engine: a busy fixed port stops `up`
before anything is created, naming the holder; an `auto` port moves; worktrees of one checkout run at once."""

from __future__ import annotations

import json
import os
import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.gitrepos import add_worktree, git_env, sh
from tests.helpers.stack import Stack, busybox_profile, devenv, docker, free_port, health_of, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]  # real stacks: several seconds each


@pytest.fixture
def stacks() -> Iterator[list[Stack]]:
    made: list[Stack] = []
    yield made
    for s in made:
        s.cleanup()


def auto_profile(port: int) -> dict[str, Any]:
    profile = busybox_profile()
    profile["variables"]["web_port"] = {"type": "port", "default": port, "auto": True}
    return profile


def answered_port(s: Stack) -> int:
    return int(s.state["answers"]["web_port"])


def serves(port: int) -> bool:
    with urllib.request.urlopen(f"http://localhost:{port}/env.txt", timeout=5) as reply:
        return b"GREETING=hello" in reply.read()


def nothing_created(s: Stack) -> bool:
    networks = docker("network", "ls", "-q", "--filter", f"label=com.docker.compose.project={s.project}").split()
    return s.containers() == {} and s.volumes() == [] and networks == []


def test_two_stacks_of_one_profile_run_at_once_with_auto_ports(tmp_path: Path, stacks: list[Stack]) -> None:
    port = free_port()
    first = make_stack(tmp_path, auto_profile(port))
    second = make_stack(tmp_path, auto_profile(port))
    stacks += [first, second]
    assert first.devenv("up", "--profile", "./stack.yaml").code == 0
    done = second.devenv("up", "--profile", "./stack.yaml")
    assert done.code == 0, done.err
    moved = answered_port(second)
    assert moved != port
    holder = f"container {first.project}-web-1 of compose project {first.project}"
    assert f"note: port {port} is held by {holder}; web uses {moved} (web_port={moved}, remembered)" in done.err
    assert f"http://localhost:{moved}" in done.out  # the closing screen shows the real URL
    assert serves(port) and serves(moved)
    status = second.devenv("status")
    assert f"http://localhost:{moved}" in status.out and f"localhost:{port} " not in status.out
    # remembered: a plain `up` keeps the moved port and is a no-op
    again = second.devenv("up")
    assert "Up to date: nothing changed." in again.out
    assert answered_port(second) == moved
    assert first.project != second.project
    assert set(first.volumes()).isdisjoint(second.volumes())


def test_a_fixed_port_held_by_another_stack_stops_up_before_anything_is_created(
    tmp_path: Path, stacks: list[Stack]
) -> None:
    profile = busybox_profile()  # web_port: a plain port variable
    first = make_stack(tmp_path, profile)
    second = make_stack(tmp_path, profile)
    stacks += [first, second]
    assert first.devenv("up", "--profile", "./stack.yaml").code == 0
    port = answered_port(first)
    done = second.devenv("up", "--profile", "./stack.yaml")
    assert done.code == 4, done.err
    holder = f"container {first.project}-web-1 of compose project {first.project}"
    assert f"error: host port {port} for service 'web' is already in use (held by {holder})" in done.err
    assert "hint: free the port, or pick another (free now): devenv up --set web_port=" in done.err
    assert "starting" not in done.err  # no service was started, not even db
    assert nothing_created(second)


def test_a_fixed_port_held_by_a_process_names_it_and_its_pid(tmp_path: Path, stacks: list[Stack]) -> None:
    s = make_stack(tmp_path, busybox_profile())
    stacks.append(s)
    port = free_port()
    with socket.socket() as listener:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("0.0.0.0", port))
        listener.listen()
        done = s.devenv("up", "--profile", "./stack.yaml", "--set", f"web_port={port}")
    assert done.code == 4, done.err
    assert f"host port {port} for service 'web' is already in use (held by process " in done.err
    assert f"(pid {os.getpid()}))" in done.err  # this test process holds the socket
    assert nothing_created(s)


def test_an_auto_port_given_with_set_is_the_users_choice_and_does_not_move(tmp_path: Path, stacks: list[Stack]) -> None:
    s = make_stack(tmp_path, auto_profile(free_port()))
    stacks.append(s)
    port = free_port()
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))
        listener.listen()
        done = s.devenv("up", "--profile", "./stack.yaml", "--set", f"web_port={port}")
    assert done.code == 4, done.err
    assert "or leave out --set web_port: it is auto, devenv then picks a free port itself" in done.err
    assert nothing_created(s)


def test_three_worktrees_of_one_checkout_run_side_by_side(tmp_path: Path, stacks: list[Stack]) -> None:
    env = git_env(tmp_path)
    main = tmp_path / "app"
    main.mkdir()
    sh(env, "git", "init", "-q", cwd=main)
    (main / "stack.yaml").write_text(yaml.safe_dump(auto_profile(free_port()), sort_keys=False))
    sh(env, "git", "add", "stack.yaml", cwd=main)
    sh(env, "git", "commit", "-q", "-m", "the stack", cwd=main)
    # worktrees with the same folder name as the checkout: only their paths differ
    trees = [
        main,
        add_worktree(env, main, tmp_path / "a" / "app", "a"),
        add_worktree(env, main, tmp_path / "b" / "app", "b"),
    ]
    for tree in trees:
        s = Stack(tree, tree / "stack.yaml")
        stacks.append(s)
        done = s.devenv("up", "--profile", "./stack.yaml")
        assert done.code == 0, done.err
    projects = {s.project for s in stacks}
    ports = {answered_port(s) for s in stacks}
    assert len(projects) == len(ports) == 3
    volumes = [set(s.volumes()) for s in stacks]
    assert all(len(v) == 1 for v in volumes) and len(set.union(*volumes)) == 3
    networks = {
        json.dumps(docker("network", "ls", "-q", "--filter", f"label=com.docker.compose.project={p}").split())
        for p in projects
    }
    assert len(networks) == 3
    for s in stacks:
        assert {health_of(c) for c in s.containers().values()} == {"healthy"}
        assert serves(answered_port(s))
        assert sh(env, "git", "status", "--porcelain", cwd=s.root) == ""  # .devenv/ stays out of git


def test_init_moves_a_busy_auto_default_but_not_a_port_given_with_set(tmp_path: Path, stacks: list[Stack]) -> None:
    profile = tmp_path / "p.yaml"
    port = free_port()
    profile.write_text(yaml.safe_dump(auto_profile(port), sort_keys=False))
    pinned, moved = Stack(tmp_path / "pinned", profile), Stack(tmp_path / "moved", profile)
    stacks += [pinned, moved]
    with socket.socket() as listener:
        listener.bind(("0.0.0.0", port))
        listener.listen()
        args = ["init", "--profile", str(profile), "--yes"]
        done = devenv(*args, "--dir", str(pinned.root), "--set", f"web_port={port}", cwd=tmp_path)
        assert done.code == 4, done.out + done.err
        assert f"host port {port} for service 'web' is already in use (held by process " in done.err
        assert nothing_created(pinned)
        done = devenv(*args, "--dir", str(moved.root), cwd=tmp_path)
    assert done.code == 0, done.out + done.err
    assert answered_port(moved) != port
    assert f"note: port {port} is held by process " in done.err


def test_two_ups_started_at_once_both_come_up_on_their_own_ports(tmp_path: Path, stacks: list[Stack]) -> None:
    """Both check the port while it is free; the one whose web starts second finds it taken by compose
    (after db became healthy) and moves it then."""
    port = free_port()
    pair = [make_stack(tmp_path, auto_profile(port)) for _ in range(2)]
    stacks += pair
    running = [s.spawn("up", "--profile", "./stack.yaml") for s in pair]
    outcomes = [proc.communicate(timeout=240) for proc in running]
    for proc, (_out, err) in zip(running, outcomes, strict=True):
        assert proc.returncode == 0, err
    ports = sorted(answered_port(s) for s in pair)
    assert ports[0] == port and ports[1] != port
    assert all(serves(p) for p in ports)
    assert any(f"note: port {port} is held by container " in err for _out, err in outcomes), outcomes
