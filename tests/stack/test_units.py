"""Pure pieces of the lifecycle: engine status parsing, .env round trip, workspace identity, the lock."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from devenv.adapters.engine.endpoint import docker_host
from devenv.adapters.workspace import Workspace, find_workspace
from devenv.domain.stack.dotenv import dotenv_quote, parse_dotenv
from devenv.domain.stack.health import service_statuses, status_from_container, uptime
from devenv.domain.stack.state import ProfileRef, WorkspaceState
from devenv.errors import UserError


def container(
    service: str, status: str, state: str = "running", created: int = 1, **extra: object
) -> dict[str, object]:
    return {
        "Id": f"id-{service}-{created}",
        "Names": [f"/p-{service}-1"],
        "State": state,
        "Status": status,
        "Created": created,
        "Image": "busybox:1.36",
        "Labels": {"com.docker.compose.service": service, "devenv.config-hash": "abc", **extra},
        "Ports": [
            {"IP": "0.0.0.0", "PrivatePort": 8000, "PublicPort": 18000, "Type": "tcp"},
            {"IP": "::", "PrivatePort": 8000, "PublicPort": 18000, "Type": "tcp"},
        ],
    }


def test_status_text_parsing() -> None:
    healthy = status_from_container("web", container("web", "Up 5 seconds (healthy)"))
    assert healthy.ready and healthy.health == "healthy" and healthy.failure is None
    assert healthy.urls() == ["http://localhost:18000"]
    starting = status_from_container("web", container("web", "Up 1 second (health: starting)"))
    assert starting.health == "starting" and not starting.ready and starting.failure is None
    unhealthy = status_from_container("web", container("web", "Up 30 seconds (unhealthy)"))
    assert unhealthy.failure == "is unhealthy"
    exited = status_from_container("db", container("db", "Exited (3) 2 seconds ago", state="exited"))
    assert exited.failure == "exited with code 3"
    plain = status_from_container("w", container("w", "Up 3 minutes"))
    assert plain.ready and plain.health is None


def test_newest_non_oneoff_container_wins_and_missing_is_reported() -> None:
    containers = [
        container("web", "Exited (1) 1 hour ago", state="exited", created=1),
        container("web", "Up 2 seconds (healthy)", created=5),
        container("web", "Up 1 second", created=9, **{"com.docker.compose.oneoff": "True"}),
    ]
    statuses = service_statuses(containers, ["web", "db"])
    assert statuses["web"].created == 5
    assert statuses["db"].state == "missing"


def test_uptime() -> None:
    assert [uptime(s) for s in (5, 125, 7300, 200000)] == ["5s", "2m", "2h01m", "2d"]


@pytest.mark.parametrize("value", ["plain", "with 'quote'", 'dq " and \\ and $x', "", "sp ace#hash"])
def test_dotenv_round_trip(value: str) -> None:
    assert parse_dotenv(f"K={dotenv_quote(value)}\n") == {"K": value}


def test_workspace_identity_is_stable_and_distinct(tmp_path: Path) -> None:
    a, b = tmp_path / "My Platform", tmp_path / "other"
    assert Workspace(a).identity() == Workspace(a).identity()
    assert Workspace(a).identity() != Workspace(b).identity()
    assert Workspace(a).identity()[1].startswith("devenv-my-platform-")


def test_find_workspace_walks_up(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    ws.save(WorkspaceState("id", "proj", ProfileRef("example", "/x.yaml")))
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    found = find_workspace(deep)
    assert found is not None and found.root == tmp_path.resolve()
    assert (tmp_path / ".devenv" / ".gitignore").read_text().strip().endswith("*")
    assert find_workspace(tmp_path.parent) is None or find_workspace(tmp_path.parent) != found


def _hold_lock(root: str, ready: multiprocessing.synchronize.Event, release: multiprocessing.synchronize.Event) -> None:
    with Workspace(Path(root)).lock("up"):
        ready.set()
        release.wait(10)


def test_second_command_waits_then_names_the_holder(tmp_path: Path) -> None:
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(tmp_path), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        for _ in range(2):  # a waiter that gives up must not wipe the holder's name
            with pytest.raises(UserError) as info, Workspace(tmp_path).lock("down", wait=0.3):
                pass
            assert "the workspace is busy: `devenv up`" in info.value.message
    finally:
        release.set()
        holder.join(10)
    with Workspace(tmp_path).lock("down", wait=0.3):
        pass


def test_docker_host_follows_the_cli_context(tmp_path: Path) -> None:
    import hashlib
    import json

    assert docker_host({"DOCKER_HOST": "unix:///x.sock"}) == "unix:///x.sock"
    config = tmp_path / ".docker"
    meta = config / "contexts" / "meta" / hashlib.sha256(b"colima").hexdigest()
    meta.mkdir(parents=True)
    (config / "config.json").write_text(json.dumps({"currentContext": "colima"}))
    (meta / "meta.json").write_text(json.dumps({"Endpoints": {"docker": {"Host": "unix:///colima.sock"}}}))
    assert docker_host({"HOME": str(tmp_path)}) == "unix:///colima.sock"
    assert docker_host({"HOME": str(tmp_path / "nobody")}) == "unix:///var/run/docker.sock"


def test_status_parity_line_is_the_stored_one_unless_the_profile_changed() -> None:
    from devenv.domain.stack.state import parity_status_line

    state = WorkspaceState("id", "p", ProfileRef("x", "/x.yaml"), render_key="k1", parity=True)
    assert parity_status_line(state, profile_changed=False) == "parity: not checked yet: run `devenv up`"
    state.parity_line, state.parity_key = "parity: clean against deploy", "k1"
    assert parity_status_line(state, profile_changed=False) == "parity: clean against deploy"
    assert parity_status_line(state, profile_changed=True) == "parity: profile changed since last up"
    state.render_key = "k2"  # rendered again since the line was computed
    assert parity_status_line(state, profile_changed=False) == "parity: profile changed since last up"
