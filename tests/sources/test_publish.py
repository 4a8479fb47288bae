"""Sources and publishing against real git: a bare team repository over file://, two machines."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.common import Result
from tests.helpers.gitrepos import sh
from tests.helpers.sources import Team, make_team, shop_profile, write_profile

Cli = Callable[..., Result]


@pytest.fixture
def team(tmp_path: Path) -> Team:
    return make_team(tmp_path)


def publish(cli: Cli, team: Team, version: str, greeting: str = "hello") -> Result:
    folder = team.root / "work" / "shop"
    write_profile(folder, shop_profile(version, greeting))
    return cli("profile", "publish", str(folder), "--to", "team", env=team.lead)


def test_source_add_list_refresh_remove(cli: Cli, team: Team, tmp_path: Path) -> None:
    added = cli("source", "add", "team", team.url, env=team.lead)
    assert added.code == 0, added.err
    assert f"added git source 'team': {team.url}" in added.out
    folder = tmp_path / "mine"
    write_profile(folder / "tools", shop_profile("0.1.0") | {"name": "tools"})
    assert cli("source", "add", "mine", str(folder), env=team.lead).code == 0
    listed = cli("source", "list", env=team.lead).out.splitlines()
    assert [line.split()[:2] for line in listed] == [["shipped", "shipped"], ["team", "git"], ["mine", "folder"]]
    assert publish(cli, team, "1.0.0").code == 0
    refreshed = cli("source", "refresh", env=team.lead)
    assert refreshed.code == 0 and "team: shop 1.0.0" in refreshed.out
    assert "tools" in cli("profile", "list", "mine", env=team.lead).out
    removed = cli("source", "remove", "team", env=team.lead)
    assert removed.code == 0
    assert not (Path(team.lead["DEVENV_CACHE_DIR"]) / "sources" / "team").exists()
    assert "team" not in cli("source", "list", env=team.lead).out


def test_source_add_refuses_bad_input_and_registers_nothing(cli: Cli, team: Team, tmp_path: Path) -> None:
    missing = cli("source", "add", "team", f"file://{tmp_path}/nothing.git", env=team.lead)
    assert missing.code in (2, 3) and "error: git clone" in missing.err and "Traceback" not in missing.err
    assert not (Path(team.lead["DEVENV_CONFIG_DIR"]) / "sources.json").exists()
    assert cli("source", "add", "team", str(tmp_path / "no-folder"), env=team.lead).code == 2
    assert cli("source", "add", "Bad Name", team.url, env=team.lead).code == 2
    assert cli("source", "add", "shipped", team.url, env=team.lead).code == 2
    assert cli("source", "add", "team", team.url, env=team.lead).code == 0
    again = cli("source", "add", "team", team.url, env=team.lead)
    assert again.code == 2 and "exists already" in again.err
    gone = cli("source", "remove", "nope", env=team.lead)
    assert gone.code == 2 and "no source named 'nope'" in gone.err


def test_publish_tags_pushes_and_refuses_an_existing_or_lower_version(cli: Cli, team: Team) -> None:
    assert cli("source", "add", "team", team.url, env=team.lead).code == 0
    first = publish(cli, team, "1.0.0")
    assert first.code == 0, first.err
    assert "published team/shop 1.0.0: tag shop/v1.0.0 pushed" in first.out
    assert team.tags() == ["shop/v1.0.0"]
    shown = sh(team.git, "git", "--git-dir", str(team.bare), "show", "shop/v1.0.0:shop/profile.yaml")
    assert "version: 1.0.0" in shown
    again = publish(cli, team, "1.0.0", greeting="changed")
    assert again.code == 2
    assert "error: team/shop 1.0.0 is published already" in again.err and "hint: raise `version:`" in again.err
    assert publish(cli, team, "1.1.0").code == 0
    lower = publish(cli, team, "1.0.5")
    assert lower.code == 2 and "version 1.0.5 is not higher than 1.1.0" in lower.err
    assert team.tags() == ["shop/v1.0.0", "shop/v1.1.0"]
    clone = Path(team.lead["DEVENV_CACHE_DIR"]) / "sources" / "team" / "clone"
    assert sh(team.git, "git", "status", "--porcelain", cwd=clone) == ""  # refusals left nothing behind


def test_publish_refuses_a_profile_with_lint_errors(cli: Cli, team: Team) -> None:
    assert cli("source", "add", "team", team.url, env=team.lead).code == 0
    folder = team.root / "work" / "shop"
    broken = shop_profile("1.0.0")
    broken["services"]["web"]["links"] = ["nowhere"]
    write_profile(folder, broken)
    done = cli("profile", "publish", str(folder), "--to", "team", env=team.lead)
    assert done.code == 2 and "nowhere" in done.err and "devenv profile lint" in done.err
    assert team.tags() == []


def test_publish_refuses_a_profile_extending_a_file_it_would_not_carry(cli: Cli, team: Team) -> None:
    assert cli("source", "add", "team", team.url, env=team.lead).code == 0
    work = team.root / "work"
    base = shop_profile("1.0.0")
    write_profile(work / "base", base)
    child = {"name": "shop", "version": "1.0.0", "extends": "../base/profile.yaml"}
    write_profile(work / "shop", child)
    done = cli("profile", "publish", str(work / "shop"), "--to", "team", env=team.lead)
    assert done.code == 2, done.err
    assert "extends" in done.err and "outside its folder" in done.err and "hint:" in done.err
    assert team.tags() == []
    write_profile(work / "shop" / "base", base)  # the same file inside the folder: carried, published
    child["extends"] = "base/profile.yaml"
    write_profile(work / "shop", child)
    done = cli("profile", "publish", str(work / "shop"), "--to", "team", env=team.lead)
    assert done.code == 0, done.err


def test_a_rejected_push_is_taken_back(cli: Cli, team: Team) -> None:
    assert cli("source", "add", "team", team.url, env=team.lead).code == 0
    hook = team.bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'protected: ask the platform team' >&2\nexit 1\n")
    hook.chmod(0o755)
    done = publish(cli, team, "1.0.0")
    assert done.code == 3, done.err
    assert "the push to" in done.err and "was rejected" in done.err and "hint: " in done.err
    clone = Path(team.lead["DEVENV_CACHE_DIR"]) / "sources" / "team" / "clone"
    assert sh(team.git, "git", "tag", "--list", cwd=clone) == ""
    assert sh(team.git, "git", "rev-list", "--count", "@{u}..HEAD", cwd=clone) == "0"
    hook.unlink()
    assert publish(cli, team, "1.0.0").code == 0  # once the remote accepts, publishing simply works


def test_a_dirty_source_clone_is_refused(cli: Cli, team: Team) -> None:
    assert cli("source", "add", "team", team.url, env=team.lead).code == 0
    clone = Path(team.lead["DEVENV_CACHE_DIR"]) / "sources" / "team" / "clone"
    (clone / "README.md").write_text("edited by hand\n")
    done = publish(cli, team, "1.0.0")
    assert done.code == 2 and "has uncommitted changes (README.md)" in done.err and "git -C" in done.err
    assert team.tags() == []


def test_list_show_diff_and_names(cli: Cli, team: Team, tmp_path: Path) -> None:
    assert cli("source", "add", "team", team.url, env=team.lead).code == 0
    assert publish(cli, team, "1.0.0").code == 0
    assert publish(cli, team, "1.1.0", greeting="bonjour").code == 0
    assert cli("source", "add", "team", team.url, env=team.hire).code == 0
    listed = cli("profile", "list", "team", env=team.hire)
    assert listed.code == 0 and "shop" in listed.out and "1.0.0, 1.1.0" in listed.out
    old = cli("profile", "show", "team/shop@1.0.0", env=team.hire)
    assert old.code == 0 and "version: 1.0.0" in old.out and "GREETING: hello" in old.out
    assert "version: 1.1.0" in cli("profile", "show", "shop", env=team.hire).out  # newest, name unambiguous
    assert "version: 1.1.0" in cli("profile", "show", "shop@1", env=team.hire).out  # newest 1.x
    diff = cli("profile", "diff", "team/shop@1.0.0", "team/shop@1.1.0", env=team.hire)
    assert diff.code == 0
    assert "-      GREETING: hello" in diff.out and "+      GREETING: bonjour" in diff.out
    missing = cli("profile", "show", "team/shop@2.0", env=team.hire)
    assert missing.code == 2 and "no published version 2.0 (published: 1.0.0, 1.1.0)" in missing.err
    # the same name in a second source: the bare name is ambiguous, the qualified ones are not
    folder = tmp_path / "other"
    write_profile(folder / "shop", shop_profile("9.0.0"))
    assert cli("source", "add", "other", str(folder), env=team.hire).code == 0
    ambiguous = cli("profile", "show", "shop", env=team.hire)
    assert ambiguous.code == 2 and "ambiguous" in ambiguous.err and "team/shop" in ambiguous.err
    assert "version: 9.0.0" in cli("profile", "show", "other/shop", env=team.hire).out
    sources = json.loads((Path(team.hire["DEVENV_CONFIG_DIR"]) / "sources.json").read_text())
    assert [s["name"] for s in sources["sources"]] == ["team", "other"]


def test_a_version_that_needs_a_newer_devenv_names_the_upgrade_command(cli: Cli, team: Team, tmp_path: Path) -> None:
    """Published by a lead with a newer devenv (here: straight with git, as this devenv's lint refuses it)."""
    work = tmp_path / "clone"
    sh(team.git, "git", "clone", "-q", team.url, str(work))
    write_profile(work / "shop", shop_profile("2.0.0") | {"requires": ">=99.0"})
    sh(team.git, "git", "add", "shop", cwd=work)
    sh(team.git, "git", "commit", "-qm", "shop 2.0.0", cwd=work)
    sh(team.git, "git", "tag", "-a", "shop/v2.0.0", "-m", "shop 2.0.0", cwd=work)
    sh(team.git, "git", "push", "-q", "origin", "HEAD:main", "shop/v2.0.0", cwd=work)
    assert cli("source", "add", "team", team.url, env=team.hire).code == 0
    data = Path(team.hire["DEVENV_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    (data / "receipt").write_text("version=0.1.0 source=checkout:/opt/devenv\n")
    ws = tmp_path / "ws"
    ws.mkdir()
    done = cli("up", "--profile", "team/shop@2.0.0", cwd=ws, env=team.hire)
    assert done.code == 2, done.err
    assert "this profile needs devenv >=99.0" in done.err
    assert "upgrade devenv: git -C /opt/devenv pull && sh /opt/devenv/install.sh" in done.err
    assert not (ws / ".devenv").exists()
