"""`watch:` rules: how code reaches a service, rendered to compose's `develop.watch`, and lint's errors."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devenv import __version__
from devenv.adapters.profile_files import ProfileFiles
from devenv.domain.profile.loader import load_profile
from devenv.domain.profile.render import RenderTarget, render
from devenv.domain.profile.watch import DEFAULT_IGNORES
from tests.helpers.common import Result, have_compose, write_yaml


def profile(web: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "name": "shop",
        "version": "1.0.0",
        "services": {"web": {"build": "app", "command": "python3 -m app.web", **web}},
        **top,
    }


SYNC = {"action": "sync", "path": "app/src", "target": "/srv/app"}


def rendered_web(tmp_path: Path, data: dict[str, Any], repo_dir: str | None = None) -> dict[str, Any]:
    path = write_yaml(tmp_path / "shop.yaml", data)
    loaded = load_profile(str(path), ProfileFiles([], tmp_path).read, devenv_version=__version__)
    out = render(loaded, {}, RenderTarget(project="shop-dev", workspace="ws-1", repo_dir=repo_dir))
    web: dict[str, Any] = out.compose["services"]["web"]
    return web


def test_rules_render_to_develop_watch_with_paths_from_the_profile_folder(tmp_path: Path) -> None:
    web = rendered_web(
        tmp_path,
        profile(
            {
                "watch": [
                    {**SYNC, "ignore": ["tests/"]},
                    {"action": "sync+restart", "path": "app/conf", "target": "/etc/app", "default_ignores": False},
                    {"action": "rebuild", "path": "app/requirements.txt"},
                ]
            }
        ),
    )
    assert web["develop"] == {
        "watch": [
            {
                "action": "sync",
                "path": f"{tmp_path}/app/src",
                "target": "/srv/app",
                "initial_sync": True,
                "ignore": [*DEFAULT_IGNORES, "tests/"],
            },
            {"action": "sync+restart", "path": f"{tmp_path}/app/conf", "target": "/etc/app", "initial_sync": True},
            {"action": "rebuild", "path": f"{tmp_path}/app/requirements.txt", "ignore": list(DEFAULT_IGNORES)},
        ]
    }
    assert {"**/.git/", "**/node_modules/", "**/__pycache__/", "dist/", "build/"} <= set(DEFAULT_IGNORES)


def test_a_profile_with_a_repo_watches_paths_in_the_checkout(tmp_path: Path) -> None:
    web = rendered_web(tmp_path, profile({"watch": [SYNC]}, repo="https://git.example/shop.git"), repo_dir="/ws/shop")
    assert web["develop"]["watch"][0]["path"] == "/ws/shop/app/src"


def test_a_service_without_watch_rules_has_no_develop_section(tmp_path: Path) -> None:
    assert "develop" not in rendered_web(tmp_path, profile({}))


@pytest.mark.integration
@pytest.mark.skipif(not have_compose(), reason="needs docker compose v2")
def test_compose_accepts_the_rendered_watch_rules(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM busybox:1.36\n")
    data = profile({"watch": [SYNC, {"action": "rebuild", "path": "app/Dockerfile"}]})
    path = write_yaml(tmp_path / "shop.yaml", data)
    done = cli("profile", "render", str(path), "-o", str(tmp_path / "out"), cwd=tmp_path)
    assert done.code == 0, done.err
    check = subprocess.run(
        ["docker", "compose", "-f", str(tmp_path / "out" / "compose.yaml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert '"initial_sync": true' in check.stdout


# (id, the web service's extra keys, what lint says)
BAD: list[tuple[str, dict[str, Any], str]] = [
    (
        "sync-without-target",
        {"watch": [{"action": "sync", "path": "app"}]},
        "services.web.watch[0]: a 'sync' rule needs a target: the folder in the container that gets the files "
        "(add target: /path/in/container (where the image puts 'app'))",
    ),
    (
        "relative-target",
        {"watch": [{**SYNC, "target": "srv/app"}]},
        "services.web.watch[0].target: watch target 'srv/app' is not an absolute path in the container "
        "(write it from the root, e.g. /srv/app)",
    ),
    (
        "rebuild-with-target",
        {"watch": [{"action": "rebuild", "path": "app", "target": "/srv"}]},
        "services.web.watch[0].target: a 'rebuild' rule has no target",
    ),
    (
        "rebuild-image-only",
        {"build": None, "image": "python:3.12", "watch": [{"action": "rebuild", "path": "app"}]},
        "services.web.watch[0].action: service 'web' has no build: there is no image to rebuild "
        "(use action: sync+restart to copy the files and restart the container)",
    ),
    (
        "unknown-action",
        {"watch": [{**SYNC, "action": "sync+restrat"}]},
        "did you mean 'sync+restart'?",
    ),
    ("missing-path", {"watch": [{"action": "sync", "target": "/srv"}]}, "missing required key 'path' in a watch rule"),
    ("unknown-key", {"watch": [{**SYNC, "ignores": ["x"]}]}, "unknown key 'ignores' in a watch rule"),
    ("not-a-list", {"watch": {"action": "sync"}}, "services.web.watch: expected a list"),
]


@pytest.mark.parametrize(("case", "web", "message"), BAD, ids=[c[0] for c in BAD])
def test_lint_explains_a_bad_watch_rule_with_its_line(
    tmp_path: Path, cli: Callable[..., Result], case: str, web: dict[str, Any], message: str
) -> None:
    data = profile(web)
    data["services"]["web"] = {k: v for k, v in data["services"]["web"].items() if v is not None}
    path = write_yaml(tmp_path / "shop.yaml", data)
    done = cli("profile", "lint", str(path), cwd=tmp_path)
    assert done.code == 1, done.out
    assert message in done.err
    assert f"{path}:" in done.err


def test_a_good_watch_rule_lints_clean(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = write_yaml(tmp_path / "shop.yaml", profile({"watch": [SYNC, {"action": "rebuild", "path": "app"}]}))
    (tmp_path / "app").mkdir()  # lint checks that a build folder exists
    done = cli("profile", "lint", str(path), cwd=tmp_path)
    assert done.code == 0, done.err


# -- code: the platform's code shipped with the profile, copied into the workspace by init --------------

CODE = {"from": "app", "to": "src", "tests": "devenv run web ./run_tests.sh"}


def test_paths_under_the_shipped_code_move_into_the_workspace_copy(tmp_path: Path) -> None:
    data = profile({"volumes": ["./app:/srv:ro"], "watch": [{"action": "rebuild", "path": "app/Dockerfile"}]})
    path = write_yaml(tmp_path / "shop.yaml", {**data, "code": CODE})
    loaded = load_profile(str(path), ProfileFiles([], tmp_path).read, devenv_version=__version__)
    target = RenderTarget(project="shop-dev", workspace="ws-1", code_dir="/ws/src")
    web = render(loaded, {}, target).compose["services"]["web"]
    assert web["build"]["context"] == "/ws/src"
    assert web["volumes"] == ["/ws/src:/srv:ro"]
    assert web["develop"]["watch"][0]["path"] == "/ws/src/Dockerfile"
    # without a copy (profile render, a plain up) the paths stay where the profile is
    alone = render(loaded, {}, RenderTarget(project="shop-dev", workspace="ws-1")).compose["services"]["web"]
    assert alone["build"]["context"] == f"{tmp_path}/app"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ({"from": "../elsewhere"}, "code.from: code.from '../elsewhere' is outside the profile's folder"),
        ({"from": "/etc"}, "code.from '/etc' is outside the profile's folder"),
        ({"from": "app", "to": ".."}, "code.to: '..' is not a folder name in the workspace"),
    ],
)
def test_lint_keeps_the_shipped_code_inside_the_profile_folder(
    tmp_path: Path, cli: Callable[..., Result], code: dict[str, str], message: str
) -> None:
    path = write_yaml(tmp_path / "shop.yaml", {**profile({}), "code": code})
    done = cli("profile", "lint", str(path), cwd=tmp_path)
    assert done.code == 1, done.out
    assert message in done.err


def test_a_profile_has_a_repo_or_ships_its_code_not_both(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = write_yaml(tmp_path / "shop.yaml", {**profile({}), "repo": "https://git.example/x.git", "code": CODE})
    done = cli("profile", "lint", str(path), cwd=tmp_path)
    assert done.code == 1 and "'repo' and 'code' cannot both be set" in done.err
