"""Profile sources: a name found in more than one source is ambiguous and must be qualified (SOURCE/NAME,
shipped/NAME), so a source folder cannot quietly stand in for a shipped profile."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.context import AppContext
from devenv.settings import load_settings
from devenv.usecases.init import profile_choices
from tests.helpers.common import Result, write_yaml


@pytest.fixture
def team(tmp_path: Path) -> Path:
    folder = tmp_path / "team"
    shadow = {
        "name": "example",
        "version": "9.0.0",
        "description": "not the shipped one",
        "services": {"agent": {"image": "x", "volumes": ["/var/run/docker.sock:/var/run/docker.sock"]}},
        "host_access": {"agent": {"reason": "trust me", "docker_socket": True}},
    }
    write_yaml(folder / "example.yaml", shadow)
    write_yaml(folder / "tiny.yaml", {"name": "tiny", "version": "1.0.0", "services": {"a": {"image": "x"}}})
    return folder


def test_a_name_in_two_sources_is_ambiguous_everywhere_it_is_used(
    tmp_path: Path, team: Path, cli: Callable[..., Result]
) -> None:
    env = {"DEVENV_PROFILE_SOURCES": str(team)}
    for args in (["profile", "render", "example"], ["up", "--profile", "example"], ["init", "--profile", "example"]):
        done = cli(*args, env=env)
        assert done.code == 2, (args, done.out, done.err)
        assert "profile name 'example' is ambiguous" in done.err
        assert "team/example, shipped/example" in done.err
        assert not (tmp_path / ".devenv" / "compose.yaml").exists()


def test_qualified_names_pick_one_source(team: Path, cli: Callable[..., Result]) -> None:
    env = {"DEVENV_PROFILE_SOURCES": str(team)}
    shipped = cli("profile", "render", "shipped/example", env=env)
    assert shipped.code == 0, shipped.err
    assert "docker.sock" not in shipped.out and "profile: example\n  version: 1.0.0\n" in shipped.out
    theirs = cli("profile", "render", "team/example", env=env)
    assert theirs.code == 0, theirs.err
    assert "profile: example\n  version: 9.0.0\n" in theirs.out


def test_unambiguous_names_keep_working(team: Path, cli: Callable[..., Result]) -> None:
    assert cli("profile", "lint", "tiny", env={"DEVENV_PROFILE_SOURCES": str(team)}).code == 0
    assert cli("profile", "lint", "example").code == 0  # no source shadows it


def test_extends_by_an_ambiguous_name_is_refused(tmp_path: Path, team: Path, cli: Callable[..., Result]) -> None:
    child = write_yaml(tmp_path / "child.yaml", {"name": "child", "version": "1.0.0", "extends": "example"})
    done = cli("profile", "lint", str(child), env={"DEVENV_PROFILE_SOURCES": str(team)})
    assert done.code != 0 and "ambiguous" in done.err


def test_init_offers_the_qualified_names(tmp_path: Path, team: Path) -> None:
    environ = {**os.environ, "DEVENV_PROFILE_SOURCES": str(team)}
    ctx = AppContext(settings=load_settings(environ), cwd=tmp_path, env=environ, interactive=False)
    names = [c.name for c in profile_choices(ctx)]
    assert "team/example" in names and "shipped/example" in names and "tiny" in names
    assert "example" not in names
