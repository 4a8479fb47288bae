"""Env files as text: KEY=VALUE lines, or the parsed documents of a YAML/JSON one. For a secret file, keys only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devenv.domain.parity.model import EnvFile
from devenv.errors import UserError

STRUCTURED_SUFFIXES = (".config", ".yaml", ".yml", ".json")
BEANSTALK_ENV = "aws:elasticbeanstalk:application:environment"


def env_file(name: str, values: Mapping[str, str | None], *, secret: bool = False) -> EnvFile:
    """The model of one env file; a secret file keeps its keys and drops every value right here."""
    return EnvFile(name, dict.fromkeys(values) if secret else dict(values), secret=secret)


def parse_env_lines(text: str, name: str) -> dict[str, str | None]:
    """KEY=VALUE lines (`export`, quotes, comments, `KEY = VALUE` as `eb printenv` prints)."""
    values: dict[str, str | None] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") or (line.endswith(":") and "=" not in line):
            continue
        key, sep, value = line.removeprefix("export ").partition("=")
        if not sep or not key.strip() or " " in key.strip():
            raise UserError(f"{name}:{number}: expected KEY=VALUE", hint="an env file has one KEY=VALUE per line")
        values[key.strip()] = _unquote(value.strip())
    return values


def structured_env(docs: Sequence[Any], name: str) -> dict[str, str | None]:
    """A mapping, or the `option_settings` of an .ebextensions config, from parsed YAML/JSON documents."""
    values: dict[str, str | None] = {}
    for doc in docs:
        if not isinstance(doc, Mapping):
            raise UserError(f"{name}: expected a mapping of KEY: VALUE", hint="or use a KEY=VALUE env file")
        settings = doc.get("option_settings", doc)
        if isinstance(settings, Mapping) and isinstance(settings.get(BEANSTALK_ENV), Mapping):
            settings = settings[BEANSTALK_ENV]
        if isinstance(settings, list):
            settings = {
                s.get("option_name"): s.get("value")
                for s in settings
                if isinstance(s, Mapping) and s.get("namespace", BEANSTALK_ENV) == BEANSTALK_ENV
            }
        values.update({str(k): None if v is None else str(v) for k, v in settings.items()})
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].rstrip()
