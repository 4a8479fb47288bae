"""Checks that need the whole (merged) profile: links, cycles, references, versions (host access: hostaccess.py)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from typing import Any

from devenv.domain.profile.code import check_code
from devenv.domain.profile.hostaccess import check_declared
from devenv.domain.profile.model import Profile
from devenv.domain.profile.variables import AnswerError, coerce, env_var_name, scan
from devenv.domain.profile.watch import check_watch
from devenv.domain.yamldoc import Located, PathKey
from devenv.errors import Problem


def validate_profile(profile: Profile, doc: Located, *, devenv_version: str) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_requires(profile, doc, devenv_version)
    problems += _check_services(profile, doc)
    problems += _check_links(profile, doc)
    problems += _check_seed(profile, doc)
    problems += _check_variables(profile, doc)
    problems += _check_references(profile, doc)
    problems += check_declared(profile, doc)
    problems += _check_groups(profile, doc)
    problems += _check_parity(profile, doc)
    problems += check_watch(profile, doc)
    problems += check_code(profile, doc)
    return problems


def _check_parity(profile: Profile, doc: Located) -> list[Problem]:
    """The parity section's shape (devenv parity owns its meaning), with the profile's file:line."""
    if profile.parity is None:
        return []
    from devenv.domain.parity.config import validate_parity_section

    located = []
    for problem in validate_parity_section(profile.parity):
        path: list[str | int] = [
            int(index) if index else name for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", problem.path)
        ]
        located.append(doc.problem(tuple(path), problem.message, hint=problem.hint, code=problem.code))
    return located


def _check_groups(profile: Profile, doc: Located) -> list[Problem]:
    """A service may link to one in an optional group only if it is itself only active with that group."""
    problems = []
    for name, service in profile.services.items():
        for i, link in enumerate(service.links):
            target = profile.services.get(link)
            if target is None or not target.profiles:
                continue
            if not service.profiles or not set(service.profiles) <= set(target.profiles):
                problems.append(
                    doc.problem(
                        ("services", name, "links", i),
                        f"'{name}' links to '{link}', which only starts with group "
                        f"{', '.join(target.profiles)}; '{name}' would start without it",
                        hint=f"put '{name}' in the same group (profiles: [{target.profiles[0]}]) or drop the link",
                        code="link-group",
                    )
                )
    return problems


def _did_you_mean(name: str, options: list[str]) -> str | None:
    close = difflib.get_close_matches(name, options, n=1)
    if close:
        return f"did you mean '{close[0]}'?"
    return f"known services: {', '.join(options)}" if options else None


def _check_requires(profile: Profile, doc: Located, version: str) -> list[Problem]:
    if profile.requires is None or satisfies(version, profile.requires):
        return []
    return [
        doc.problem(
            ("requires",),
            f"this profile needs devenv {profile.requires.strip()}, this is devenv {version}",
            hint="upgrade devenv: re-run install.sh",
            code="requires",
        )
    ]


def _check_services(profile: Profile, doc: Located) -> list[Problem]:
    if not profile.services:
        return [doc.problem(("services",), "the profile defines no services", code="no-services")]
    problems = []
    for name, service in profile.services.items():
        if service.image is None and service.build is None:
            problems.append(
                doc.problem(
                    ("services", name),
                    f"service '{name}' has neither 'image' nor 'build'",
                    hint="add image: NAME:TAG, or build: FOLDER",
                    code="no-image",
                )
            )
    return problems


def _check_links(profile: Profile, doc: Located) -> list[Problem]:
    problems = []
    names = list(profile.services)
    for name, service in profile.services.items():
        seen: set[str] = set()
        for i, link in enumerate(service.links):
            path: PathKey = ("services", name, "links", i)
            if link == name:
                problems.append(doc.problem(path, f"service '{name}' links to itself", code="link-self"))
            elif link not in profile.services:
                problems.append(
                    doc.problem(
                        path,
                        f"link to unknown service '{link}'",
                        hint=_did_you_mean(link, names),
                        code="link-unknown",
                    )
                )
            elif link in seen:
                problems.append(doc.problem(path, f"'{link}' is linked twice", code="link-duplicate"))
            seen.add(link)
    cycle = find_cycle(
        {n: [x for x in s.links if x in profile.services and x != n] for n, s in profile.services.items()}
    )
    if cycle:
        problems.append(
            doc.problem(
                ("services", cycle[0], "links"),
                f"links form a cycle: {' -> '.join(cycle)}",
                hint="a service cannot wait for a service that waits for it; drop one link",
                code="link-cycle",
            )
        )
    return problems


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A cycle in a directed graph as [a, b, ..., a], or None. Deterministic: nodes in insertion order."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in graph:
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def _check_seed(profile: Profile, doc: Located) -> list[Problem]:
    names = list(profile.services)
    return [
        doc.problem(
            ("seed", i, "service"),
            f"seed task runs in unknown service '{task.service}'",
            hint=_did_you_mean(task.service, names),
            code="seed-unknown-service",
        )
        for i, task in enumerate(profile.seed)
        if task.service not in profile.services
    ]


_KEYS_FOR_TYPES = {
    "choices": ("choice",),
    "min": ("int", "port"),
    "max": ("int", "port"),
    "pattern": ("string", "secret"),
    "auto": ("port",),
}


def _check_variables(profile: Profile, doc: Located) -> list[Problem]:
    problems = []
    env_names: dict[str, str] = {}
    for name, var in profile.variables.items():
        path: PathKey = ("variables", name)
        key = env_var_name(name)
        if key in env_names:
            problems.append(
                doc.problem(
                    path,
                    f"variables '{env_names[key]}' and '{name}' would share the environment name {key}",
                    hint="rename one of them",
                    code="variable-clash",
                )
            )
        env_names[key] = name
        raw = doc.value.get("variables", {}).get(name) or {}
        for field, types in _KEYS_FOR_TYPES.items():
            if field in raw and var.type not in types:
                problems.append(
                    doc.problem(
                        (*path, field),
                        f"'{field}' does not apply to a {var.type} variable",
                        hint=f"'{field}' is for type {' or '.join(types)}",
                        code="variable",
                    )
                )
        if var.type == "choice" and not var.choices:
            problems.append(doc.problem(path, f"variable '{name}' is a choice but lists no choices", code="variable"))
            continue
        if var.pattern is not None:
            try:
                re.compile(var.pattern)
            except re.error as exc:
                problems.append(doc.problem((*path, "pattern"), f"invalid regular expression: {exc}", code="variable"))
                continue
        if var.default is not None:
            try:
                coerce(var, var.default)
            except AnswerError as exc:
                problems.append(doc.problem((*path, "default"), f"default does not fit: {exc}", code="variable"))
    return problems


def _strings(value: Any, path: PathKey) -> Iterator[tuple[PathKey, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _check_references(profile: Profile, doc: Located) -> list[Problem]:
    problems = []
    known = list(profile.variables)
    for section in ("services", "seed", "repo"):
        for path, text in _strings(doc.value.get(section), (section,)):
            refs, errors = scan(text)
            problems += [doc.problem(path, error, code="reference") for error in errors]
            for ref in refs:
                if ref.name not in profile.variables:
                    close = difflib.get_close_matches(ref.name, known, n=1)
                    hint = f"did you mean '{close[0]}'?" if close else "declare it under variables:"
                    problems.append(
                        doc.problem(path, f"undefined variable '{ref.name}'", hint=hint, code="undefined-variable")
                    )
    return problems


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = [int(p) for p in re.findall(r"\d+", text.split("-", maxsplit=1)[0].split("+", maxsplit=1)[0])[:3]]
    return tuple(parts + [0] * (3 - len(parts)))


def satisfies(version: str, requirement: str) -> bool:
    """`>=0.1`, `>=0.1,<2`, `==1.2`, `~=0.3` against a release version (no pre-release ordering)."""
    have = _version_tuple(version)
    for clause in requirement.split(","):
        m = re.fullmatch(r"\s*(>=|<=|==|!=|>|<|~=)?\s*(\d+(?:\.\d+){0,2})\s*", clause)
        if not m:
            return False
        op, want_text = m.group(1) or ">=", m.group(2)
        want = _version_tuple(want_text)
        if op == "~=":
            depth = max(1, len(want_text.split(".")) - 1)
            ok = have >= want and have[:depth] == want[:depth]
        else:
            ok = {
                ">=": have >= want,
                "<=": have <= want,
                "==": have == want,
                "!=": have != want,
                ">": have > want,
                "<": have < want,
            }[op]
        if not ok:
            return False
    return True
