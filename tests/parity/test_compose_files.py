"""Dev compose read as compose reads it: `-f a.yml -f b.yml` overrides and `include:` (issue 11 class 5)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devenv.adapters import compose_files, manifests
from tests.helpers.common import Result

Cli = Callable[..., Result]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_override_files_merge_as_compose_merges_them(tmp_path: Path) -> None:
    base = write(
        tmp_path / "compose.yml",
        "services:\n  api:\n    image: acme/api:1.0\n    environment: [MODE=dev, LOG=debug]\n    ports: ['8080:80']\n",
    )
    override = write(
        tmp_path / "compose.prod-like.yml",
        "services:\n  api:\n    image: acme/api:1.1\n    environment: {LOG: info}\n    ports: ['9090:90']\n"
        "  cache:\n    image: redis:7.2\n",
    )
    doc = compose_files.read_compose_files([base, override], "compose.yml").value
    api = doc["services"]["api"]
    assert api["image"] == "acme/api:1.1"
    assert api["environment"] == {"MODE": "dev", "LOG": "info"}
    assert api["ports"] == ["8080:80", "9090:90"]
    assert set(doc["services"]) == {"api", "cache"}


def test_include_brings_services_with_their_own_relative_paths(tmp_path: Path) -> None:
    write(tmp_path / "billing" / "billing.env", "CURRENCY=EUR\n")
    write(
        tmp_path / "billing" / "compose.yml",
        "services:\n  billing:\n    image: acme/billing:2.0\n    env_file: billing.env\n",
    )
    top = write(
        tmp_path / "compose.yml",
        "include:\n  - billing/compose.yml\n  - path: [db/compose.yml]\nservices:\n  api:\n    image: acme/api:1.0\n",
    )
    write(tmp_path / "db" / "compose.yml", "services:\n  db:\n    image: postgres:16.2\n")
    doc = compose_files.read_compose_files([top], "compose.yml")
    assert set(doc.value["services"]) == {"api", "billing", "db"}
    side = manifests.load_dev(doc, tmp_path, "compose.yml")
    billing = next(w for w in side.workloads if w.name == "billing")
    assert billing.main.env["CURRENCY"].value == "EUR"  # billing.env found beside billing/compose.yml


def test_include_only_file_and_cli_with_two_dev_files(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "app" / "compose.yml", "services:\n  api:\n    image: acme/api:1.0\n")
    top = write(tmp_path / "compose.yml", "include: [app/compose.yml]\n")
    extra = write(tmp_path / "compose.override.yml", "services:\n  api:\n    image: acme/api:1.2\n")
    prod = write(tmp_path / "prod.yml", "services:\n  api:\n    image: acme/api:1.2\n")
    only_include = cli("parity", "--dev", str(top), "--against", str(prod), "--no-runtime")
    assert only_include.code == 0 and "image-tag-differs api" in only_include.out
    both = cli("parity", "--dev", str(top), "--dev", str(extra), "--against", str(prod), "--no-runtime")
    assert both.code == 0 and "parity: clean" in both.out
    assert both.out.startswith("dev: compose.yml, compose.override.yml")


def test_include_loops_and_clashes_are_refused(cli: Cli, tmp_path: Path) -> None:
    a = write(tmp_path / "a.yml", "include: [b.yml]\nservices: {}\n")
    write(tmp_path / "b.yml", "include: [a.yml]\nservices: {}\n")
    loop = cli("parity", "--dev", str(a), "--against", str(a), "--no-runtime")
    assert loop.code == 2 and "include loop" in loop.err
    write(tmp_path / "c.yml", "services:\n  api:\n    image: x:1\n")
    clash = write(tmp_path / "d.yml", "include: [c.yml]\nservices:\n  api:\n    image: x:2\n")
    result = cli("parity", "--dev", str(clash), "--against", str(clash), "--no-runtime")
    assert result.code == 2 and "service 'api' is defined again" in result.err
