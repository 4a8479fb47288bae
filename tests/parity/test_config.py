"""The parity section: validation for the profile loader, and --parity-config files located by line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from devenv.domain.parity.config import External, parse_parity_section, validate_parity_section
from devenv.errors import ProfileError
from devenv.usecases.parity import load_parity_config

GOOD = {
    "against": [
        {"kubernetes": "deploy/k8s/"},
        "deploy/docker-stack.yml",
        {"beanstalk": "Dockerrun.aws.json", "env": "eb.env", "secret_env": ["s.env"], "name": "eb"},
    ],
    "services": {
        "db": {"external": {"engine": "postgres", "version": "15.10"}},
        "web": {"workload": "api", "container": "api"},
        "mailhog": {"dev_only": True},
    },
    "allow": [
        {
            "rule": "env-only-in-dev",
            "service": "web",
            "keys": ["DEBUG"],
            "reason": "switch",
            "expires": dt.date(2027, 1, 1),
        }
    ],
}


def test_a_good_section_parses_into_typed_objects() -> None:
    assert validate_parity_section(GOOD) == []
    config = parse_parity_section(GOOD)
    assert [(e.kind, e.path, e.name) for e in config.against] == [
        ("kubernetes", "deploy/k8s/", None),
        (None, "deploy/docker-stack.yml", None),
        ("beanstalk", "Dockerrun.aws.json", "eb"),
    ]
    assert config.against[2].env == ("eb.env",) and config.against[2].secret_env == ("s.env",)
    assert config.services["db"].external == External("postgres", "15.10")
    assert config.allow[0].expires == dt.date(2027, 1, 1)
    assert parse_parity_section(None).against == ()


@pytest.mark.parametrize(
    ("section", "path", "words"),
    [
        ("nope", "parity", "must be a mapping"),
        ({"againts": []}, "parity.againts", "unknown key"),
        ({"against": [{"kubernetes": "a", "ecs": "b"}]}, "parity.against[0]", "exactly one of"),
        ({"against": [{"kubernetes": "a", "env": 3}]}, "parity.against[0].env", "list of strings"),
        (
            {"services": {"db": {"workload": "x", "dev_only": True}}},
            "parity.services.db",
            "exclude each other",
        ),
        ({"services": {"db": {"external": {"version": "1"}}}}, "parity.services.db.external", "engine"),
        (
            {"services": {"db": {"external": {"engine": "pg", "version": 15.10}}}},
            "parity.services.db.external.version",
            "quote",
        ),
        ({"allow": [{"rule": "env-only-in-dev"}]}, "parity.allow[0].reason", "needs a reason"),
        (
            {"allow": [{"rule": "no-such-rule", "reason": "r"}]},
            "parity.allow[0].rule",
            "matches no finding code",
        ),
        (
            {"allow": [{"rule": "allow-unused", "reason": "r"}]},
            "parity.allow[0].rule",
            "matches no finding code",
        ),
        (
            {"allow": [{"rule": "port-differs", "reason": "r", "expires": "soon"}]},
            "parity.allow[0].expires",
            "date",
        ),
    ],
)
def test_problems_name_their_path(section: object, path: str, words: str) -> None:
    problems = validate_parity_section(section)
    assert any(p.path == path and words in p.render() for p in problems), [p.render() for p in problems]


def test_parity_config_file_problems_carry_file_and_line(tmp_path: Path) -> None:
    config = tmp_path / "parity.yml"
    config.write_text(
        "parity:\n  services:\n    db: {dev_only: yes please}\n  allow:\n    - rule: port-differs\n      service: web\n"
    )
    with pytest.raises(ProfileError) as caught:
        load_parity_config(config)
    rendered = caught.value.details
    assert f"{config}:3:20: parity.services.db.dev_only: must be true or false" in rendered
    assert any(line.startswith(f"{config}:5:7: parity.allow[0].reason") for line in rendered)


def test_parity_config_file_may_hold_the_bare_section(tmp_path: Path) -> None:
    config = tmp_path / "parity.yml"
    config.write_text("services:\n  mailhog: {dev_only: true}\n")
    assert load_parity_config(config) == {"services": {"mailhog": {"dev_only": True}}}
