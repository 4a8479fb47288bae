"""`devenv profile schema` is a valid JSON Schema that agrees with the loader on good and bad profiles."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from devenv.adapters.profile_files import shipped_profiles_dir
from tests.helpers.common import Result
from tests.helpers.profiles import PROFILE


@pytest.fixture
def schema(cli: Callable[..., Result]) -> dict[str, Any]:
    result = cli("profile", "schema")
    assert result.code == 0
    data: dict[str, Any] = json.loads(result.out)
    jsonschema.Draft202012Validator.check_schema(data)
    return data


def test_shipped_and_test_profiles_validate(schema: dict[str, Any]) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    for path in shipped_profiles_dir().glob("*.yaml"):
        validator.validate(yaml.safe_load(path.read_text()))
    validator.validate(PROFILE)


@pytest.mark.parametrize(
    "broken",
    [
        {"name": "x"},  # no version
        {"name": "x", "version": "1.0.0", "servces": {}},  # unknown key
        {"name": "x", "version": "1.0.0", "services": {"a": {"image": "x", "ports": 80}}},
        {"name": "x", "version": "1.0.0", "services": {"a": {"image": "x", "restart": "allways"}}},
        {"name": "x", "version": "1.0.0", "variables": {"v": {"type": "colour"}}},
        {"name": "x", "version": "one"},
    ],
)
def test_schema_rejects_what_the_loader_rejects(
    schema: dict[str, Any], broken: dict[str, Any], tmp_path: Path, cli: Callable[..., Result]
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(broken))
    assert cli("profile", "lint", str(path)).code == 1
