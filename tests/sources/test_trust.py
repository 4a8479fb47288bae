"""Host access from a remote source: refused without approval, shown when asked, approved once per content,
asked again after a change; trusted source prefixes and the user's own folders are not asked."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devenv.context import AppContext
from devenv.domain.profile.hostaccess import Grant
from devenv.settings import load_settings
from devenv.usecases.hostaccess import approve
from devenv.usecases.profiles import load
from tests.helpers.common import Result, write_yaml
from tests.helpers.sources import Team, make_team, write_profile
from tests.helpers.stack import BUSYBOX

Cli = Callable[..., Result]
SOCKET = "/var/run/docker.sock"
KINDS = {"privileged", "host_network", "host_pid", "other_containers", "docker_socket", "path"}


def powerful(version: str, reason: str = "runs the test agents") -> dict[str, Any]:
    """Every kind of host access a profile can ask for, each declared."""
    return {
        "name": "agents",
        "version": version,
        "services": {
            "agent": {
                "image": BUSYBOX,
                "privileged": True,
                "network_mode": "host",
                "pid": "host",
                "volumes": [f"{SOCKET}:{SOCKET}", "/srv/builds:/builds"],
            },
            "sidecar": {"image": BUSYBOX, "network_mode": "service:agent"},
        },
        "host_access": {
            "agent": {
                "reason": reason,
                "privileged": True,
                "host_network": True,
                "host_pid": True,
                "docker_socket": True,
                "paths": ["/srv/builds"],
            },
            "sidecar": {"reason": "shares the agent's network", "other_containers": True},
        },
    }


@pytest.fixture
def team(tmp_path: Path, cli: Cli) -> Team:
    made = make_team(tmp_path)
    for env in (made.lead, made.hire):
        assert cli("source", "add", "team", made.url, env=env).code == 0
    return made


def publish(cli: Cli, team: Team, profile: dict[str, Any]) -> None:
    folder = team.root / "work" / profile["name"]
    write_profile(folder, profile)
    done = cli("profile", "publish", str(folder), "--to", "team", env=team.lead)
    assert done.code == 0, done.err


def context(env: dict[str, str], cwd: Path, asked: list[tuple[str, list[Grant]]] | None = None) -> AppContext:
    environ = {**os.environ, **env}
    ctx = AppContext(settings=load_settings(environ), cwd=cwd, env=environ, interactive=False)
    if asked is not None:

        def confirm(label: str, grants: list[Grant]) -> bool:
            asked.append((label, grants))
            return True

        ctx.confirm_host_access = confirm
    return ctx


def test_remote_host_access_is_refused_without_approval_and_nothing_is_written(
    cli: Cli, team: Team, tmp_path: Path
) -> None:
    publish(cli, team, powerful("1.0.0"))
    ws = tmp_path / "ws"
    ws.mkdir()
    done = cli("up", "--profile", "team/agents@1.0.0", cwd=ws, env=team.hire)
    assert done.code == 2, done.err
    assert f"profile 'agents 1.0.0 from source team ({team.url})' asks for host access" in done.err
    for what in ("privileged mode", "the host's network", "the host's processes", "the Docker socket", "/srv/builds"):
        assert what in done.err
    assert "--trust-host-access" in done.err and "Traceback" not in done.err
    assert not (ws / ".devenv").exists()


def test_remote_host_access_is_shown_approved_once_and_asked_again_after_a_change(
    cli: Cli, team: Team, tmp_path: Path
) -> None:
    publish(cli, team, powerful("1.0.0"))
    asked: list[tuple[str, list[Grant]]] = []
    ctx = context(team.hire, tmp_path, asked)
    approve(ctx, load(ctx, "team/agents@1.0.0"))
    [(label, grants)] = asked
    assert label == f"agents 1.0.0 from source team ({team.url})"
    assert {g.kind for g in grants} == KINDS
    assert {g.what for g in grants if g.kind == "path"} == {"/srv/builds"}
    approve(ctx, load(ctx, "team/agents@1.0.0"))  # the same content: approved before
    assert len(asked) == 1
    publish(cli, team, powerful("1.1.0", reason="runs the test agents, and more"))
    approve(ctx, load(ctx, "team/agents@1.1.0"))
    assert len(asked) == 2 and asked[1][0].startswith("agents 1.1.0 from source team")


def test_a_trusted_source_prefix_is_not_asked(cli: Cli, team: Team, tmp_path: Path) -> None:
    publish(cli, team, powerful("1.0.0"))
    config = Path(team.hire["DEVENV_CONFIG_DIR"]) / "config.toml"
    config.write_text(f'trusted_sources = ["file://{team.root}/"]\n')
    asked: list[tuple[str, list[Grant]]] = []
    ctx = context(team.hire, tmp_path, asked)
    approve(ctx, load(ctx, "team/agents@1.0.0"))
    assert asked == []
    config.write_text('trusted_sources = ["https://github.com/acme/"]\n')  # another prefix: asked
    ctx = context(team.hire, tmp_path, asked)
    approve(ctx, load(ctx, "team/agents@1.0.0"))
    assert len(asked) == 1
    config.write_text("trusted_sources = 3\n")
    done = cli("up", "--profile", "team/agents@1.0.0", cwd=tmp_path, env=team.hire)
    assert done.code == 2 and "trusted_sources must be a list" in done.err


def test_a_folder_source_the_user_added_is_trusted_a_loose_file_is_not(cli: Cli, team: Team, tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    write_profile(folder / "agents", powerful("1.0.0"))
    assert cli("source", "add", "mine", str(folder), env=team.hire).code == 0
    asked: list[tuple[str, list[Grant]]] = []
    ctx = context(team.hire, tmp_path, asked)
    approve(ctx, load(ctx, "mine/agents"))
    assert asked == []
    loose = write_yaml(tmp_path / "loose" / "agents.yaml", powerful("1.0.0"))
    approve(ctx, load(ctx, str(loose)))
    assert len(asked) == 1 and asked[0][0] == "agents"


def test_a_published_profile_builds_from_and_mounts_its_own_folder(cli: Cli, team: Team, tmp_path: Path) -> None:
    profile = {
        "name": "built",
        "version": "1.0.0",
        "services": {"web": {"build": "images/web", "command": ["sleep", "1"], "volumes": ["./data:/data:ro"]}},
    }
    folder = team.root / "work" / "built"
    (folder / "images" / "web").mkdir(parents=True)
    (folder / "images" / "web" / "Dockerfile").write_text(f"FROM {BUSYBOX}\n")
    (folder / "data").mkdir()
    (folder / "data" / "fixture.txt").write_text("seed data\n")
    publish(cli, team, profile)
    elsewhere = tmp_path / "elsewhere"  # not above the cache: the profile's own folder must be allowed
    elsewhere.mkdir()
    done = cli("profile", "render", "team/built@1.0.0", cwd=elsewhere, env=team.hire)
    assert done.code == 0, done.err
    assert "/sources/team/commits/" in done.out and "images/web" in done.out
