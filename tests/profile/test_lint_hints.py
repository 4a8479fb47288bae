"""Lint's answers to the mistakes people really make: each says what to write instead, where it applies."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.helpers.common import Result

HEAD = "name: demo\nversion: 1.0.0\n"


def write(folder: Path, text: str, name: str = "demo.yaml") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_unquoted_requires_gets_the_quoted_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = write(tmp_path, HEAD + "requires: >=0.1\nservices:\n  web: {image: x}\n")
    result = cli("profile", "lint", str(path))
    assert result.code == 1
    assert f"{path}:3:" in result.err
    assert 'must be quoted: requires: ">=0.1"' in result.err


def test_restart_no_read_as_a_boolean_gets_the_fix(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = write(tmp_path, HEAD + "services:\n  web:\n    image: x\n    restart: no\n")
    result = cli("profile", "lint", str(path))
    assert result.code == 1
    assert f"{path}:6:5: services.web.restart:" in result.err
    assert 'YAML reads an unquoted no as false; write restart: "no"' in result.err


def test_missing_build_folder_is_an_error_naming_where_paths_start(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = write(tmp_path, HEAD + "services:\n  web:\n    build: app\n")
    result = cli("profile", "lint", str(path))
    assert result.code == 1
    assert f"{path}:5:5: services.web.build: build folder {tmp_path / 'app'} does not exist" in result.err
    assert f"relative build folders start from the profile's folder {tmp_path}" in result.err

    (tmp_path / "app").mkdir()
    fixed = cli("profile", "lint", str(path))
    assert fixed.code == 0, fixed.err
    assert fixed.out == f"ok: {path}\n"
    assert f"relative paths resolved against the profile's folder {tmp_path}" in fixed.err


def test_lint_and_render_take_repo_dir_alike(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """A profile with a repo: relative paths start from the checkout, here or --repo-dir, in both commands."""
    profile = write(tmp_path, HEAD + "repo: {url: https://example.com/p.git}\nservices:\n  web:\n    build: app\n")
    checkout = tmp_path / "checkout"
    (checkout / "app").mkdir(parents=True)

    here = cli("profile", "lint", str(profile))  # from tmp_path, which has no app/
    assert here.code == 1
    assert f"build folder {tmp_path / 'app'} does not exist" in here.err
    assert f"the platform checkout {tmp_path} (--repo-dir sets it" in here.err

    there = cli("profile", "lint", "--repo-dir", str(checkout), str(profile))
    assert there.code == 0, there.err
    assert f"relative paths resolved against the platform checkout {checkout}" in there.err
    as_json = json.loads(cli("profile", "lint", "--json", "--repo-dir", str(checkout), str(profile)).out)
    assert str(checkout) in as_json[0]["paths_from"]

    rendered = cli("profile", "render", "--repo-dir", str(checkout), str(profile))
    assert rendered.code == 0, rendered.err
    assert f"context: {checkout / 'app'}" in rendered.out
    assert f"note: relative paths resolved against the platform checkout {checkout}" in rendered.err
    assert "warning" not in rendered.err

    # render is a preview (the checkout may not be cloned yet): a missing folder is a warning there
    preview = cli("profile", "render", str(profile))
    assert preview.code == 0, preview.err
    assert f"warning: {profile}:6:5: services.web.build: build folder {tmp_path / 'app'} does not exist" in preview.err


def test_a_compose_file_is_recognised(tmp_path: Path, cli: Callable[..., Result]) -> None:
    compose = write(
        tmp_path,
        "services:\n  web:\n    image: x\n    depends_on: [db]\n  db: {image: y}\nvolumes:\n  data: {}\n",
        "compose.yaml",
    )
    result = cli("profile", "lint", str(compose))
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        f"{compose}:1:1: this looks like a compose file, not a devenv profile "
        f"(try `devenv profile new NAME --from-compose {compose}`)"
    )
    assert "1 problem found" in result.err


def test_a_profile_missing_its_version_is_not_taken_for_a_compose_file(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    path = write(tmp_path, "name: demo\nservices:\n  web: {image: x}\n")
    result = cli("profile", "lint", str(path))
    assert "missing required key 'version'" in result.err
    assert "compose file" not in result.err


def test_a_profile_without_relative_paths_gets_no_paths_line(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = write(tmp_path, HEAD + "services:\n  web: {image: x}\n")
    result = cli("profile", "lint", str(path))
    assert (result.code, result.out, result.err) == (0, f"ok: {path}\n", "")
