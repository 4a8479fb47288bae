"""Prod configuration outside the files is "not visible", and values supplied per target fill it in
for the right containers only (issue 11 class 3)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.helpers.common import Result
from tests.helpers.parity import FIXTURES

Cli = Callable[..., Result]
EB = FIXTURES / "beanstalk" / "v2"
DEV = (
    "services:\n  php-app:\n    image: php:8.2-fpm\n    environment: {APP_ENV: production, APP_DEBUG: 'true'}\n"
    "  nginx-proxy:\n    image: nginx:1.25\n"
)


def run(cli: Cli, tmp_path: Path, *args: str) -> dict:  # type: ignore[type-arg]
    dev = tmp_path / "dev.yml"
    dev.write_text(DEV)
    result = cli("parity", "--dev", str(dev), "--no-runtime", "--json", *args)
    assert result.code in {0, 1}, result.out + result.err
    return json.loads(result.out)  # type: ignore[no-any-return]


def codes_of(report: dict, service: str) -> set[str]:  # type: ignore[type-arg]
    """The env findings of a service (the fixture's volumes and limits differ too: not the point here)."""
    return {f["code"] for f in report["findings"] if f["service"] == service and f["code"].startswith("env-")}


def test_eb_environment_properties_are_not_visible_not_absent(cli: Cli, tmp_path: Path) -> None:
    report = run(cli, tmp_path, "--against", str(EB / "Dockerrun.aws.json"))
    php = [f for f in report["findings"] if f["service"] == "php-app" and f["code"].startswith("env-")]
    assert {f["code"] for f in php} == {"env-not-visible"}  # not "env-only-in-dev: prod does not set APP_DEBUG"
    (note,) = php
    assert note["severity"] == "info" and "not visible" in note["message"]


def test_prod_env_for_one_container_applies_to_it_only(cli: Cli, tmp_path: Path) -> None:
    report = run(cli, tmp_path, "--against", str(EB / "Dockerrun.aws.json"), "--prod-env", f"php-app={EB / 'eb.env'}")
    php = {f["code"]: f for f in report["findings"] if f["service"] == "php-app" and f["code"].startswith("env-")}
    assert set(php) == {"env-value-differs", "env-wiring-missing-in-dev"}
    assert php["env-value-differs"]["keys"] == ["APP_DEBUG"]
    assert php["env-wiring-missing-in-dev"]["keys"] == ["MAIL_HOST"]
    # nginx got nothing: its properties stay unknown, and MAIL_HOST is not claimed for it
    assert codes_of(report, "nginx-proxy") == {"env-not-visible"}


def test_env_for_in_the_parity_section(cli: Cli, tmp_path: Path) -> None:
    config = tmp_path / "parity.yml"
    config.write_text(
        f"parity:\n  against:\n    - beanstalk: {EB / 'Dockerrun.aws.json'}\n"
        f"      env_for: {{php-app: {EB / 'eb.env'}}}\n"
    )
    report = run(cli, tmp_path, "--parity-config", str(config))
    assert "env-wiring-missing-in-dev" in codes_of(report, "php-app")
    assert codes_of(report, "nginx-proxy") == {"env-not-visible"}


def test_prod_env_for_kubernetes_fills_a_configmap_made_by_a_script(cli: Cli, tmp_path: Path) -> None:
    k8s = tmp_path / "api.yaml"
    k8s.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n"
        "      containers:\n      - name: api\n        image: acme/api:1\n"
        "        envFrom: [{configMapRef: {name: api-config}}]\n"
    )
    dev = tmp_path / "dev.yml"
    dev.write_text("services:\n  api:\n    image: acme/api:1\n    environment: {MODE: dev}\n")
    unknown = cli("parity", "--dev", str(dev), "--against", str(k8s), "--no-runtime")
    assert "info    env-not-visible api[prod:api.yaml]:" in unknown.out and "env-only-in-dev" not in unknown.out
    values = tmp_path / "api-config.env"
    values.write_text("MODE=prod\n")
    known = cli("parity", "--dev", str(dev), "--against", str(k8s), "--no-runtime", "--prod-env", str(values))
    assert "env-value-differs api[MODE]" in known.out and "env-not-visible" not in known.out


def test_prod_env_naming_nothing_is_refused(cli: Cli, tmp_path: Path) -> None:
    dev = tmp_path / "dev.yml"
    dev.write_text(DEV)
    result = cli(
        "parity",
        "--dev",
        str(dev),
        "--no-runtime",
        "--against",
        str(EB / "Dockerrun.aws.json"),
        "--prod-env",
        f"php={EB / 'eb.env'}",
    )
    assert result.code == 2
    assert "'php' is no container or workload" in result.err and "php-app" in result.err
