"""Hostile and broken manifests (class 7 of issue 11): each one is exit 2 with one clear message.

Time and memory are measured by benchmarks/hostile.py on the same inputs, not here: a timed test on a
shared machine is a flaky test.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks.hostile import HOSTILE, write_case
from devenv.adapters import manifests
from devenv.domain.yamldoc import load_yaml
from devenv.errors import ProfileError, UserError
from tests.helpers.common import Result

Cli = Callable[..., Result]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_manifest_is_exit_2_with_one_message(cli: Cli, tmp_path: Path, name: str) -> None:
    dev, target = write_case(tmp_path, name)
    result = cli("parity", "--dev", str(dev), "--against", str(target), "--no-runtime")
    assert result.code == 2
    assert result.out == ""
    lines = result.err.strip().splitlines()
    assert len(lines) == 2 and lines[1].startswith("hint: ")  # one message, one hint, no traceback
    assert lines[0].startswith("error: ") and f"{target.name}:" in lines[0]  # file (and line) named
    assert HOSTILE[name][2] in lines[0]


def test_hostile_dev_file_is_refused_the_same_way(cli: Cli, tmp_path: Path) -> None:
    _, bomb = write_case(tmp_path, "alias bomb")
    result = cli("parity", "--dev", str(bomb), "--against", str(bomb), "--no-runtime")
    assert result.code == 2
    assert "aliases expand to more than" in result.err


def test_depth_is_bounded_below_python_recursion_for_profiles_too() -> None:
    """A profile 5,000 lists deep was `internal error: RecursionError`; now a located refusal."""
    with pytest.raises(ProfileError) as caught:
        load_yaml("a: " + "[" * 5000 + "]" * 5000 + "\n", "profile.yaml")
    problem = caught.value.problems[0]
    assert problem.message == "refused: the YAML nests deeper than 64 levels"
    assert problem.location is not None and problem.location.line == 1


def test_ordinary_nesting_and_anchors_still_read(tmp_path: Path) -> None:
    """The bounds refuse what no configuration needs, nothing real: 40 levels and a shared anchor read."""
    text = "base: &b {a: 1, b: [1, 2]}\nuse: *b\ndeep: " + "[" * 40 + "]" * 40 + "\n"
    (doc,) = manifests.parse_located(text, tmp_path / "ok.yaml")
    assert doc.value["use"] == {"a": 1, "b": [1, 2]}


def test_size_is_checked_before_the_file_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("a: 1\n" * 100)
    monkeypatch.setattr(manifests, "MAX_FILE_BYTES", 100)
    monkeypatch.setattr(Path, "read_bytes", lambda _self: pytest.fail("read a file over the size bound"))
    with pytest.raises(UserError, match="larger than the"):
        manifests.read_text(big)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        ("image: [1, 2]", "expected a string, found list"),
        ("ports: 5", "expected a list, found int"),
        ("env: {A: b}", "expected a list, found dict"),
    ],
)
def test_values_are_type_checked_with_the_line(cli: Cli, tmp_path: Path, manifest: str, message: str) -> None:
    dev, _ = write_case(tmp_path, "wrong types")
    target = tmp_path / "k8s.yaml"
    target.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        f"      containers:\n      - name: web\n        {manifest}\n"
    )
    if "image" not in manifest:
        target.write_text(target.read_text() + "        image: acme/web:1.0\n")
    result = cli("parity", "--dev", str(dev), "--against", str(target), "--no-runtime")
    assert result.code == 2
    assert f"error: k8s.yaml:9: {message}" in result.err


def test_compose_environment_values_must_be_single_values(cli: Cli, tmp_path: Path) -> None:
    dev = tmp_path / "dev.yml"
    dev.write_text("services:\n  web:\n    image: acme/web:1.0\n    environment:\n      A: {b: c}\n")
    result = cli("parity", "--dev", str(dev), "--against", str(dev), "--no-runtime")
    assert result.code == 2
    assert "expected a single value, found dict at services.web.environment.A" in result.err
