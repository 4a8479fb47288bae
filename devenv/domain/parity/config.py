"""The profile's `parity:` section: validated into typed objects, every problem reported at once.

    parity:
      against:
        - {kubernetes: deploy/k8s/}
        - {compose: deploy/docker-stack.yml, name: swarm}
        - {ecs: deploy/task.json, env: deploy/task.env}
        - {beanstalk: Dockerrun.aws.json, env: eb.env, secret_env: eb-secrets.env}
      services:
        db: {external: {engine: postgres, version: "15.10"}}
        web: {workload: api, container: api}
        mailhog: {dev_only: true}
      allow:
        - {rule: env-only-in-dev, service: web, keys: [DEBUG], reason: "dev-only switch", expires: 2027-01-01}

The profile loader calls `validate_parity_section` and attaches file locations to the problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from fnmatch import fnmatchcase

from devenv.domain.parity.findings import ALLOW_CODES, CODES
from devenv.errors import Problem, ProfileError

KINDS = ("kubernetes", "compose", "ecs", "beanstalk")
_AGAINST_KEYS = frozenset({*KINDS, "path", "name", "env", "secret_env", "env_for", "values_env"})
_SERVICE_KEYS = frozenset({"workload", "container", "external", "dev_only"})
_ALLOW_KEYS = frozenset({"rule", "service", "keys", "reason", "expires"})


@dataclass(frozen=True)
class AgainstEntry:
    path: str
    kind: str | None = None  # None: detected from the content
    name: str | None = None
    env: tuple[str, ...] = ()  # env files applied to every workload of this source (EB properties, ...)
    secret_env: tuple[str, ...] = ()  # the same, but secret: keys only, values never read
    values_env: str | None = None  # values to render Jinja2 templates with
    # env files for named containers/workloads only: (name, files), e.g. EB properties of one container
    env_for: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class External:
    engine: str
    version: str | None = None


@dataclass(frozen=True)
class ServiceRule:
    workload: str | None = None
    container: str | None = None
    external: External | None = None
    dev_only: bool = False


@dataclass(frozen=True)
class AllowEntry:
    index: int
    rule: str
    reason: str
    service: str = "*"
    keys: tuple[str, ...] = ()
    expires: dt.date | None = None

    def describe(self) -> str:
        keys = f" keys {','.join(self.keys)}" if self.keys else ""
        return f"allow[{self.index}] rule {self.rule} service {self.service}{keys}"


@dataclass(frozen=True)
class ParityConfig:
    against: tuple[AgainstEntry, ...] = ()
    services: Mapping[str, ServiceRule] = field(default_factory=dict)
    allow: tuple[AllowEntry, ...] = ()


def validate_parity_section(data: object, path: str = "parity") -> list[Problem]:
    """Every problem in a raw `parity:` section (an empty list when it is fine). No I/O."""
    problems: list[Problem] = []
    _parse(data, path, problems)
    return problems


def parse_parity_section(data: object, path: str = "parity") -> ParityConfig:
    problems: list[Problem] = []
    config = _parse(data, path, problems)
    if problems:
        raise ProfileError(problems, hint="docs/parity.md describes the parity section")
    return config


def _parse(data: object, path: str, problems: list[Problem]) -> ParityConfig:
    if data is None:
        return ParityConfig()
    if not isinstance(data, Mapping):
        problems.append(Problem("must be a mapping with against, services, allow", path=path))
        return ParityConfig()
    _unknown(data, frozenset({"against", "services", "allow"}), path, problems)
    return ParityConfig(
        against=tuple(_against(data.get("against"), f"{path}.against", problems)),
        services=_services(data.get("services"), f"{path}.services", problems),
        allow=tuple(_allow(data.get("allow"), f"{path}.allow", problems)),
    )


def _unknown(data: Mapping[object, object], known: frozenset[str], path: str, problems: list[Problem]) -> None:
    for key in data:
        if key not in known:
            problems.append(
                Problem(
                    f"unknown key {key!r}",
                    path=f"{path}.{key}",
                    hint=f"expected one of {', '.join(sorted(known))}",
                )
            )


def _strings(value: object, path: str, problems: list[Problem]) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    problems.append(Problem("must be a string or a list of strings", path=path))
    return ()


def _against(value: object, path: str, problems: list[Problem]) -> list[AgainstEntry]:
    items = [value] if isinstance(value, str | Mapping) else value
    if items is None:
        return []
    if not isinstance(items, list):
        problems.append(Problem("must be a list of manifests", path=path))
        return []
    entries = []
    for i, item in enumerate(items):
        where = f"{path}[{i}]"
        if isinstance(item, str):
            entries.append(AgainstEntry(path=item))
            continue
        if not isinstance(item, Mapping):
            problems.append(Problem("must be a path or a mapping such as {kubernetes: deploy/k8s/}", path=where))
            continue
        _unknown(item, _AGAINST_KEYS, where, problems)
        kinds = [k for k in (*KINDS, "path") if k in item]
        if len(kinds) != 1 or not isinstance(item[kinds[0]], str):
            problems.append(
                Problem(
                    "needs exactly one of kubernetes, compose, ecs, beanstalk or path (a file or folder)",
                    path=where,
                )
            )
            continue
        name = item.get("name")
        values_env = item.get("values_env")
        for key, got in (("name", name), ("values_env", values_env)):
            if got is not None and not isinstance(got, str):
                problems.append(Problem("must be a string", path=f"{where}.{key}"))
        entries.append(
            AgainstEntry(
                path=str(item[kinds[0]]),
                kind=None if kinds[0] == "path" else kinds[0],
                name=name if isinstance(name, str) else None,
                env=_strings(item.get("env"), f"{where}.env", problems),
                secret_env=_strings(item.get("secret_env"), f"{where}.secret_env", problems),
                values_env=values_env if isinstance(values_env, str) else None,
                env_for=_env_for(item.get("env_for"), f"{where}.env_for", problems),
            )
        )
    return entries


def _env_for(value: object, path: str, problems: list[Problem]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value is None:
        return ()
    if not isinstance(value, Mapping):
        problems.append(Problem("must map container or workload names to env files", path=path))
        return ()
    return tuple((str(name), _strings(files, f"{path}.{name}", problems)) for name, files in value.items())


def _services(value: object, path: str, problems: list[Problem]) -> dict[str, ServiceRule]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(Problem("must map service names to {workload|external|dev_only}", path=path))
        return {}
    rules: dict[str, ServiceRule] = {}
    for name, rule in value.items():
        where = f"{path}.{name}"
        if not isinstance(rule, Mapping):
            problems.append(
                Problem("must be a mapping: {workload: NAME}, {external: {...}} or {dev_only: true}", path=where)
            )
            continue
        _unknown(rule, _SERVICE_KEYS, where, problems)
        chosen = [k for k in ("workload", "external", "dev_only") if rule.get(k) not in (None, False)]
        if len(chosen) > 1:
            problems.append(Problem(f"{' and '.join(chosen)} exclude each other", path=where))
        for key in ("workload", "container"):
            if rule.get(key) is not None and not isinstance(rule.get(key), str):
                problems.append(Problem("must be a string", path=f"{where}.{key}"))
        if "dev_only" in rule and not isinstance(rule["dev_only"], bool):
            problems.append(Problem("must be true or false", path=f"{where}.dev_only"))
        workload, container = rule.get("workload"), rule.get("container")
        rules[str(name)] = ServiceRule(
            workload=workload if isinstance(workload, str) else None,
            container=container if isinstance(container, str) else None,
            external=_external(rule.get("external"), f"{where}.external", problems),
            dev_only=rule.get("dev_only") is True,
        )
    return rules


def _external(value: object, path: str, problems: list[Problem]) -> External | None:
    if value is None:
        return None
    if not isinstance(value, Mapping) or not isinstance(value.get("engine"), str):
        problems.append(Problem('must be {engine: NAME, version: "X.Y"}', path=path))
        return None
    _unknown(value, frozenset({"engine", "version"}), path, problems)
    version = value.get("version")
    if version is not None and not isinstance(version, str | int | float):
        problems.append(Problem('must be a version string such as "15.10"', path=f"{path}.version"))
        version = None
    if isinstance(version, float):
        problems.append(
            Problem(
                "quote the version: YAML reads 15.10 as the number 15.1",
                path=f"{path}.version",
                hint='write version: "15.10"',
            )
        )
    return External(engine=value["engine"], version=None if version is None else str(version))


def _allow(value: object, path: str, problems: list[Problem]) -> list[AllowEntry]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem("must be a list of {rule, service, keys, reason, expires}", path=path))
        return []
    entries = []
    for i, item in enumerate(value):
        where = f"{path}[{i}]"
        if not isinstance(item, Mapping):
            problems.append(Problem("must be a mapping {rule, service, keys, reason, expires}", path=where))
            continue
        _unknown(item, _ALLOW_KEYS, where, problems)
        rule, reason, service = item.get("rule"), item.get("reason"), item.get("service", "*")
        if not isinstance(rule, str) or not rule:
            problems.append(Problem("needs a rule: a finding code such as env-only-in-dev", path=f"{where}.rule"))
            continue
        allowable = [c for c in CODES if c not in ALLOW_CODES and fnmatchcase(c, rule)]
        if not allowable:
            problems.append(
                Problem(
                    f"{rule!r} matches no finding code",
                    path=f"{where}.rule",
                    hint="docs/parity.md lists them",
                )
            )
        if not isinstance(reason, str) or not reason.strip():
            problems.append(Problem("needs a reason: say why this difference is fine", path=f"{where}.reason"))
        if not isinstance(service, str):
            problems.append(Problem("must be a service name or glob", path=f"{where}.service"))
        entries.append(
            AllowEntry(
                index=i,
                rule=rule,
                reason=reason if isinstance(reason, str) else "",
                service=service if isinstance(service, str) else "*",
                keys=_strings(item.get("keys"), f"{where}.keys", problems),
                expires=_date(item.get("expires"), f"{where}.expires", problems),
            )
        )
    return entries


def _date(value: object, path: str, problems: list[Problem]) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem("must be a date YYYY-MM-DD", path=path))
    return None
