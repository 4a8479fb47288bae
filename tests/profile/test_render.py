"""Rendering: links become depends_on + exported env, labels everywhere, secrets only in .env, stable output."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from devenv import __version__
from devenv.adapters.profile_files import ProfileFiles
from devenv.domain.profile.loader import load_profile
from devenv.domain.profile.render import RenderTarget, parse_port, render
from devenv.domain.seeding import seed_steps
from tests.helpers.common import Result, write_yaml
from tests.helpers.profiles import PROFILE


def load(path: Path) -> Any:
    files = ProfileFiles([], path.parent)
    return load_profile(str(path), files.read, devenv_version=__version__)


def rendered(tmp_path: Path, values: dict[str, str] | None = None) -> Any:
    profile = load(write_yaml(tmp_path / "shop.yaml", PROFILE))
    answers = {"web_port": "8000", "db_password": "s3cret$pw", "debug": "true", **(values or {})}
    return render(profile, answers, RenderTarget(project="shop-dev", workspace="ws-1", repo_dir="/repo"))


def test_links_become_health_gated_depends_on_with_exported_environment(tmp_path: Path) -> None:
    web = rendered(tmp_path).compose["services"]["web"]
    assert web["depends_on"] == {
        "db": {"condition": "service_healthy"},
        "cache": {"condition": "service_started"},
    }
    assert web["environment"] == {
        "DATABASE_URL": "postgres://app:${DEVENV_SECRET_DB_PASSWORD}@db:5432/app",
        "REDIS_URL": "redis://cache:6379/0",
        "DEBUG": "true",
        "PRICE": "5$$",
    }


def test_restart_with_links_becomes_compose_s_restart_on_each_link(tmp_path: Path) -> None:
    doc = dict(
        PROFILE, services={**PROFILE["services"], "web": {**PROFILE["services"]["web"], "restart_with_links": True}}
    )
    profile = load(write_yaml(tmp_path / "shop.yaml", doc))
    out = render(profile, {"web_port": "8000", "db_password": "pw"}, RenderTarget("shop-dev", "ws-1", "/repo"))
    assert out.compose["services"]["web"]["depends_on"] == {
        "db": {"condition": "service_healthy", "restart": True},
        "cache": {"condition": "service_started", "restart": True},
    }
    assert "restart_with_links:" not in out.compose_text  # devenv's key, not compose's
    assert profile.services["web"].restart_with_links and not profile.services["db"].restart_with_links


def test_secrets_never_reach_the_compose_file(tmp_path: Path) -> None:
    out = rendered(tmp_path)
    assert "s3cret" not in out.compose_text
    assert out.secrets == {"DEVENV_SECRET_DB_PASSWORD": "s3cret$pw"}
    assert 'DEVENV_SECRET_DB_PASSWORD="s3cret\\$pw"' in out.env_text
    # seed steps (built in one place, domain/seeding.py) run through `compose exec`: plain values, and a
    # secret only as the name of the environment variable that carries it (never on a command line)
    profile = load(tmp_path / "shop.yaml")
    answers = {"web_port": "8000", "debug": "true"}  # the non-secret answers, as state keeps them
    (step,) = seed_steps(profile.seed, answers, {"db_password"})
    assert step.argv == ("sh", "-c", 'exec python3 -m app.seed --password "${DEVENV_SECRET_DB_PASSWORD}"')
    assert step.service == "web" and step.key == "1. python3 -m app.seed --password ${db_password}"
    assert "s3cret" not in step.label and "s3cret" not in " ".join(step.argv)


def test_every_resource_is_labelled(tmp_path: Path) -> None:
    compose = rendered(tmp_path).compose
    for service in compose["services"].values():
        assert service["labels"]["devenv.workspace"] == "ws-1"
        assert service["labels"]["devenv.profile"] == "shop"
        assert len(service["labels"]["devenv.config-hash"]) == 16
    assert compose["networks"]["default"]["labels"]["devenv.workspace"] == "ws-1"
    assert compose["volumes"]["db-data"]["labels"]["devenv.workspace"] == "ws-1"


def test_paths_resolve_against_the_repo_or_the_profile_folder(tmp_path: Path) -> None:
    compose = rendered(tmp_path).compose
    # no repo in the profile: relative to the profile's own folder
    assert compose["services"]["db"]["build"] == {
        "context": str(tmp_path / "images/db"),
        "labels": {"devenv.workspace": "ws-1", "devenv.profile": "shop"},
    }
    assert compose["services"]["web"]["build"]["context"] == str(tmp_path / "app")
    assert compose["services"]["web"]["build"]["args"] == {"PY": "3"}
    assert compose["services"]["web"]["volumes"] == [f"{tmp_path}/src:/src:ro"]
    with_repo = {**PROFILE, "repo": {"url": "file:///srv/platform.git"}}
    profile = load(write_yaml(tmp_path / "repo.yaml", with_repo))
    values = {"web_port": "8000", "db_password": "x", "debug": "false"}
    out = render(profile, values, RenderTarget(project="p", workspace="w", repo_dir="/work/platform"))
    assert out.compose["services"]["db"]["build"]["context"] == "/work/platform/images/db"


def test_output_is_byte_stable_and_only_changed_services_change_hash(tmp_path: Path) -> None:
    first = rendered(tmp_path)
    assert rendered(tmp_path).compose_text == first.compose_text
    changed = rendered(tmp_path, {"debug": "false"})
    assert changed.service_hashes["web"] != first.service_hashes["web"]
    assert changed.service_hashes["db"] == first.service_hashes["db"]


def test_healthcheck_forms(tmp_path: Path) -> None:
    compose = rendered(tmp_path).compose
    assert compose["services"]["db"]["healthcheck"] == {
        "test": ["CMD-SHELL", "pg_isready -h 127.0.0.1"],
        "interval": "2s",
        "timeout": "5s",
        "retries": 30,
    }
    profile = {
        "name": "h",
        "version": "0.1.0",
        "services": {
            "a": {"image": "x", "healthcheck": ["redis-cli", "ping"]},
            "b": {
                "image": "x",
                "healthcheck": {"test": "true", "interval": 1, "retries": 3, "start_period": "10s"},
            },
        },
    }
    out = render(load(write_yaml(tmp_path / "h.yaml", profile)), {}, RenderTarget("h", "w"))
    assert out.compose["services"]["a"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]
    assert out.compose["services"]["b"]["healthcheck"] == {
        "test": ["CMD-SHELL", "true"],
        "interval": "1s",
        "timeout": "5s",
        "retries": 3,
        "start_period": "10s",
    }


def test_render_command_writes_private_env_file(tmp_path: Path, cli: Callable[..., Result]) -> None:
    write_yaml(tmp_path / "shop.yaml", PROFILE)
    out_dir = tmp_path / "out"
    result = cli("profile", "render", "shop.yaml", "-o", str(out_dir), "--set", "web_port=9090")
    assert result.code == 0, result.err
    env_file = out_dir / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    compose = yaml.safe_load((out_dir / "compose.yaml").read_text())
    assert compose["services"]["web"]["ports"] == ["9090:8000"]
    assert "s3cret" not in (out_dir / "compose.yaml").read_text()


def test_render_to_stdout_has_no_secret(tmp_path: Path, cli: Callable[..., Result]) -> None:
    write_yaml(tmp_path / "shop.yaml", PROFILE)
    result = cli("profile", "render", "shop.yaml", "--set", "db_password=hunter2")
    assert result.code == 0, result.err
    assert "hunter2" not in result.out + result.err
    assert yaml.safe_load(result.out)["name"] == "devenv-shop"


def test_extends_merges_maps_replaces_lists_and_removes_services(tmp_path: Path) -> None:
    write_yaml(tmp_path / "base.yaml", PROFILE)
    child = {
        "name": "shop-lite",
        "version": "1.0.0",
        "extends": "base.yaml",
        "services": {
            "cache": None,
            "web": {"links": ["db"], "environment": {"DEBUG": "false"}, "ports": ["9000:8000"]},
        },
    }
    profile = load(write_yaml(tmp_path / "lite.yaml", child))
    assert profile.name == "shop-lite"
    assert list(profile.services) == ["db", "web"]
    web = profile.services["web"]
    assert web.links == ("db",)
    assert dict(web.environment) == {"DEBUG": "false", "PRICE": "5$$"}
    assert web.ports == ("9000:8000",)
    assert web.command == "python3 -m app.web"
    # paths written in the base resolve against the base's folder
    assert web.build is not None and web.build.base == str(tmp_path)
    assert profile.files == (str(tmp_path / "lite.yaml"), str(tmp_path / "base.yaml"))


def test_extends_by_name_from_a_profile_source(tmp_path: Path, cli: Callable[..., Result]) -> None:
    source = tmp_path / "team"
    write_yaml(source / "shop.yaml", PROFILE)
    write_yaml(
        tmp_path / "mine.yaml",
        {
            "name": "mine",
            "version": "0.1.0",
            "extends": "shop",
            "services": {"web": {"ports": ["8123:8000"]}},
        },
    )
    result = cli("profile", "render", "mine.yaml", env={"DEVENV_PROFILE_SOURCES": str(source)})
    assert result.code == 0, result.err
    assert "8123:8000" in result.out


def test_parse_port_forms() -> None:
    assert parse_port("8000:80") == ([8000], "tcp")
    assert parse_port("127.0.0.1:8000:80/udp") == ([8000], "udp")
    assert parse_port("80") == ([], "tcp")
    assert parse_port("9000-9002:9000-9002") == ([9000, 9001, 9002], "tcp")
    assert parse_port("[::1]:8000:80") == ([8000], "tcp")
    assert parse_port("x:80") is None
    assert parse_port("80:") is None
    assert parse_port("80/icmp") is None


def test_a_built_image_gets_the_projects_name_and_keeps_the_declared_one_in_a_label(tmp_path: Path) -> None:
    """`image:` beside `build:` must not become a tag (it would overwrite that image machine-wide)."""
    from devenv.domain.parity.readers.compose import read_compose

    data = {"name": "img", "version": "1.0.0", "services": {"web": {"image": "busybox:1.36", "build": "app"}}}
    profile = load(write_yaml(tmp_path / "img.yaml", data))
    compose = render(profile, {}, RenderTarget(project="img-dev", workspace="ws-1")).compose
    web = compose["services"]["web"]
    assert "image" not in web  # compose names the build img-dev-web: the workspace's own
    assert web["labels"]["devenv.image"] == "busybox:1.36"
    [workload] = read_compose(compose, "dev").workloads
    image = workload.main.image
    assert image is not None and (image.name, image.tag) == ("busybox", "1.36")  # parity compares the declared tag


def test_raising_the_version_changes_no_label_compose_compares(tmp_path: Path) -> None:
    """Volume and network labels are compared by compose (a changed volume label makes it ask to delete the
    data); service labels feed the config hash (a changed one recreates the container)."""
    before = rendered(tmp_path)
    profile = load(write_yaml(tmp_path / "shop2.yaml", {**PROFILE, "version": "1.3.0", "description": "new"}))
    answers = {"web_port": "8000", "db_password": "s3cret$pw", "debug": "true"}
    after = render(profile, answers, RenderTarget(project="shop-dev", workspace="ws-1", repo_dir="/repo"))
    assert (
        after.compose["volumes"] == before.compose["volumes"] == {"db-data": {"labels": {"devenv.workspace": "ws-1"}}}
    )
    assert after.compose["networks"] == before.compose["networks"]
    assert after.service_hashes == before.service_hashes
    assert "1.2.0" not in str(before.compose["services"])
