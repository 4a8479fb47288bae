"""What cannot be carried over is reported with its compose file and line; bad input writes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.common import Result

PROJECTS = Path(__file__).parent / "projects"


def project(tmp_path: Path, name: str) -> Path:
    dest = tmp_path / name
    shutil.copytree(PROJECTS / name, dest)
    return dest


@pytest.mark.integration
def test_every_key_left_behind_is_reported_with_its_file_and_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    root = project(tmp_path, "unsupported")
    done = cli("profile", "new", "odd", "--from-compose", "compose.yaml", "-o", "out", cwd=root, env={"FROM_SHELL": ""})
    assert done.code == 0, done.err
    report = (root / "out" / "from-compose.md").read_text()
    for line in [
        "compose.yaml:5: services.agent.cap_add: extra kernel capabilities is host access",
        f"compose.yaml:7: services.agent.volumes.0: bind mount of /var/run/docker.sock, outside {root}, is host access",
        "compose.yaml:8: services.agent.volumes.1: a tmpfs mount is not carried over",
        "compose.yaml:10: services.agent.networks: networks other than the stack's default are not carried over",
        "compose.yaml:11: services.agent.expose: profiles have no 'expose'",
        "compose.yaml:12: services.agent.hostname: profiles have no 'hostname'",
        "compose.yaml:13: services.agent.restart: restart 'on-failure:3' is not a profile restart policy",
        "compose.yaml:19: services.app.secrets: profiles have no 'secrets'",
        "compose.yaml:21: networks.back: networks are not carried over",
        "compose.yaml:22: secrets: top-level 'secrets' is not carried over",
    ]:
        assert f"- {line}" in report, line
    assert "compose.yaml:7: services.agent.volumes.0" in done.out  # the dropped ones are printed too
    profile = (root / "out" / "profile.yaml").read_text()
    assert "docker.sock" not in profile and "cap_add" not in profile
    assert cli("profile", "lint", "out/profile.yaml", cwd=root).code == 0


@pytest.mark.integration
def test_a_key_inherited_through_extends_is_reported_where_the_parent_wrote_it(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "common.yaml").write_text("services:\n  base:\n    image: busybox:1.36\n    hostname: box\n")
    (root / "compose.yaml").write_text(
        "services:\n  app:\n    extends: {file: common.yaml, service: base}\n    command: sleep 1\n"
    )
    done = cli("profile", "new", "ext", "--from-compose", "compose.yaml", cwd=root)
    assert done.code == 0, done.err
    assert (
        "- common.yaml:4: services.app.hostname: profiles have no 'hostname'"
        in (root / "ext/from-compose.md").read_text()
    )


@pytest.mark.integration
def test_a_compose_file_compose_rejects_is_one_error_and_writes_nothing(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: busybox:1.36\n    ports: [[\n")
    done = cli("profile", "new", "shop", "--from-compose", "compose.yaml", cwd=tmp_path)
    assert done.code == 2
    assert "error: docker compose cannot read" in done.err and "hint:" in done.err
    assert "Traceback" not in done.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compose.yaml"]


@pytest.mark.integration
def test_a_service_name_a_profile_cannot_carry_is_refused_with_its_line(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "compose.yaml").write_text(
        "services:\n  ok:\n    image: busybox:1.36\n  Web.1:\n    image: busybox:1.36\n"
    )
    done = cli("profile", "new", "shop", "--from-compose", "compose.yaml", cwd=tmp_path)
    assert done.code == 2
    assert "compose.yaml:4: service name 'Web.1' is not a profile service name" in done.err
    assert not (tmp_path / "shop").exists()


def test_an_existing_folder_is_never_overwritten(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: busybox:1.36\n")
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "profile.yaml").write_text("mine\n")
    done = cli("profile", "new", "shop", "--from-compose", "compose.yaml", cwd=tmp_path)
    assert done.code == 2
    assert "already exists and is not empty" in done.err and "-o NEW_FOLDER" in done.err
    assert (tmp_path / "shop" / "profile.yaml").read_text() == "mine\n"


@pytest.mark.parametrize("name", ["Shop", "_x", "a b", ""])
def test_a_bad_profile_name_is_refused_before_anything_runs(
    name: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "compose.yaml").write_text("services:\n  web:\n    image: busybox:1.36\n")
    done = cli("profile", "new", name, "--from-compose", "compose.yaml", cwd=tmp_path)
    assert done.code == 2
    assert "is not a profile name" in done.err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["compose.yaml"]


def test_a_missing_compose_file_is_named(tmp_path: Path, cli: Callable[..., Result]) -> None:
    done = cli("profile", "new", "shop", "--from-compose", "nope.yaml", cwd=tmp_path)
    assert done.code == 2
    assert f"compose file not found: {tmp_path / 'nope.yaml'}" in done.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.integration
def test_keys_from_an_override_file_and_an_included_file_are_reported_where_they_were_written(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    (tmp_path / "ops").mkdir()
    (tmp_path / "ops" / "tools.yaml").write_text("services:\n  tool:\n    image: busybox:1.36\n    tty: true\n")
    (tmp_path / "compose.yaml").write_text(
        "include: [ops/tools.yaml]\nservices:\n  web:\n    image: busybox:1.36\n    hostname: a\n"
    )
    (tmp_path / "override.yaml").write_text("services:\n  web:\n    hostname: b\n    stdin_open: true\n")
    done = cli("profile", "new", "shop", "-f", "compose.yaml", "-f", "override.yaml", "-o", "out", cwd=tmp_path)
    assert done.code == 0, done.err
    report = (tmp_path / "out" / "from-compose.md").read_text()
    assert "- override.yaml:3: services.web.hostname: profiles have no 'hostname'" in report  # the override won
    assert "- override.yaml:4: services.web.stdin_open: profiles have no 'stdin_open'" in report
    assert "- ops/tools.yaml:4: services.tool.tty: profiles have no 'tty'" in report


@pytest.mark.integration
def test_values_come_from_the_project_not_from_the_leads_shell(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / ".env").write_text("API_PORT=8123\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n  db:\n    image: busybox:1.36\n    environment:\n      POSTGRES_PASSWORD: ${DB_PASSWORD:-devpw}\n"
        '    ports: ["${API_PORT}:80"]\n'
    )
    shell = {"DB_PASSWORD": "my-real-password", "API_PORT": "9999", "COMPOSE_PROFILES": "x"}
    done = cli("profile", "new", "shop", "--from-compose", "compose.yaml", cwd=tmp_path, env=shell)
    assert done.code == 0, done.err
    text = (tmp_path / "shop" / "profile.yaml").read_text()
    assert "my-real-password" not in text and "default: devpw" in text
    assert "default: 8123" in text
