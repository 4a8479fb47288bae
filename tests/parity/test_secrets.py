"""No secret value reaches any output: Kubernetes Secrets, ECS secrets, env files marked secret.

The keys must show up (the comparison is made); the values must not, in text or JSON, in any form.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.domain.parity.model import EnvVar, SourceKind
from tests.helpers.common import Result
from tests.helpers.parity import FIXTURES

Cli = Callable[..., Result]

SECRET_VALUES = [
    "k8s-db-password-VALUE-7f3a",  # Secret data (base64 in the manifest)
    "k8s-api-token-VALUE-91bc",
    "k8s-signing-key-VALUE-c0de",  # Secret stringData
    "db-ecs-secret-VALUE-ARN",  # part of an ECS secrets valueFrom
    "eb-app-key-VALUE-5e5e",  # env file marked secret (Beanstalk)
    "eb-db-password-VALUE-a1a1",
    "compose-session-secret-VALUE-77",  # env_file marked secret (production compose)
    "dev-literal-token-VALUE-42",  # dev's value for a key prod keeps secret
    "dev-session-VALUE-43",
    "prod-literal-password-VALUE-44",  # a literal, but its key says password
]
FORMS = [*SECRET_VALUES, *(base64.b64encode(v.encode()).decode() for v in SECRET_VALUES)]
KEYS = [
    "DB_PASSWORD",
    "API_TOKEN",
    "SIGNING_KEY",
    "STRIPE_KEY",
    "APP_KEY",
    "SESSION_SECRET",
    "POSTGRES_PASSWORD",
]


@pytest.fixture
def setup(tmp_path: Path) -> tuple[Path, Path]:
    dev = tmp_path / "dev.yml"
    dev.write_text(
        "services:\n"
        "  api:\n    image: app:1\n    environment:\n"
        "      API_TOKEN: dev-literal-token-VALUE-42\n"
        "      DB_PASSWORD: ${DEVENV_SECRET_DB_PASSWORD}\n"
        "  web:\n    image: app:1\n    environment:\n"
        "      SESSION_SECRET: dev-session-VALUE-43\n      APP_KEY: ${DEVENV_SECRET_APP_KEY}\n"
        "  php-app:\n    image: php:8.2-fpm\n    environment: {DB_PASSWORD: short}\n"
        "  db:\n    image: mariadb:10.11\n"
        "  shop:\n    image: app:1\n"
    )
    stack = tmp_path / "stack.yml"
    stack.write_text(
        (FIXTURES / "compose" / "docker-stack.yml")
        .read_text()
        .replace(
            "    image: mariadb:10.11\n",
            "    image: mariadb:10.11\n    environment:\n      POSTGRES_PASSWORD: prod-literal-password-VALUE-44\n",
        )
    )
    for name in ("web.env", "web-secrets.env"):
        (tmp_path / name).write_text((FIXTURES / "compose" / name).read_text())
    config = tmp_path / "parity.yml"
    config.write_text(
        "parity:\n  against:\n"
        f"    - {{kubernetes: {FIXTURES / 'k8s'}}}\n"
        f"    - {{ecs: {FIXTURES / 'ecs' / 'task.json'}, name: ecs}}\n"
        f"    - beanstalk: {FIXTURES / 'beanstalk' / 'v2' / 'Dockerrun.aws.json'}\n"
        f"      secret_env: {FIXTURES / 'beanstalk' / 'v2' / 'eb-secrets.env'}\n"
        "    - {compose: stack.yml, secret_env: web-secrets.env}\n"
        "  services:\n    api: {workload: Deployment/api}\n    web: {workload: compose/web}\n"
        "    shop: {workload: ecs/web}\n    db: {workload: compose/db}\n"
    )
    return dev, config


@pytest.mark.parametrize("output", [[], ["--json"], ["--json", "--strict"], ["--strict"]])
def test_no_secret_value_in_any_output(cli: Cli, setup: tuple[Path, Path], output: list[str]) -> None:
    dev, config = setup
    result = cli("parity", "--dev", str(dev), "--parity-config", str(config), "--no-runtime", *output)
    assert result.code == 1, result.err
    everything = result.out + result.err
    for key in KEYS:
        assert key in everything  # compared and reported by key...
    leaked = [form for form in FORMS if form in everything]
    assert leaked == []  # ...never by value


def test_a_secret_value_cannot_enter_the_model() -> None:
    with pytest.raises(ValueError, match="never enter the model"):
        EnvVar("DB_PASSWORD", SourceKind.SECRET, "oops")


def test_url_passwords_are_masked_in_shown_values() -> None:
    shown = EnvVar("BROKER_URL", SourceKind.LITERAL, "amqp://shop:hunter2@mq:5672//").display()
    assert "hunter2" not in shown and "amqp://shop:***@mq:5672//" in shown
