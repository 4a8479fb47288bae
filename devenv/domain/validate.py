"""Checks that need the whole (merged) profile: links, cycles, references, host access, versions."""

from __future__ import annotations

import difflib
import posixpath
import re
from collections.abc import Iterator
from typing import Any

from devenv.domain.profile import Mount, Profile, Service
from devenv.domain.variables import AnswerError, coerce, env_var_name, scan
from devenv.domain.yamldoc import Located, PathKey
from devenv.errors import Problem

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")


def validate_profile(profile: Profile, doc: Located, *, devenv_version: str) -> list[Problem]:
    problems: list[Problem] = []
    problems += _check_requires(profile, doc, devenv_version)
    problems += _check_services(profile, doc)
    problems += _check_links(profile, doc)
    problems += _check_seed(profile, doc)
    problems += _check_variables(profile, doc)
    problems += _check_references(profile, doc)
    problems += _check_host_access(profile, doc)
    problems += _check_groups(profile, doc)
    problems += _check_parity(profile, doc)
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


def _check_host_access(profile: Profile, doc: Located) -> list[Problem]:
    problems = []
    for name in profile.host_access:
        if name not in profile.services:
            problems.append(
                doc.problem(
                    ("host_access", name),
                    f"host_access names unknown service '{name}'",
                    hint=_did_you_mean(name, list(profile.services)),
                    code="host-access-unknown",
                )
            )
    for name, service in profile.services.items():
        problems += _service_host_access(profile, doc, name, service)
    return problems


def _service_host_access(profile: Profile, doc: Located, name: str, service: Service) -> list[Problem]:
    granted = profile.host_access.get(name)
    problems = []

    def refuse(path: PathKey, what: str, key: str) -> None:
        problems.append(
            doc.problem(
                path,
                f"service '{name}' asks for {what}, which gives it power over your machine",
                hint=f"if that is intended, declare it: host_access: {{{name}: {{{key}: true, reason: ...}}}}",
                code="host-access",
            )
        )

    if service.privileged and not (granted and granted.privileged):
        refuse(("services", name, "privileged"), "privileged mode", "privileged")
    if service.network_mode == "host" and not (granted and granted.host_network):
        refuse(("services", name, "network_mode"), "the host network", "host_network")
    if service.pid == "host" and not (granted and granted.host_pid):
        refuse(("services", name, "pid"), "the host's process namespace", "host_pid")
    for field, value in (("network_mode", service.network_mode), ("pid", service.pid)):
        if value and "${" in value:
            problems.append(
                doc.problem(("services", name, field), f"'{field}' cannot come from a variable", code="host-access")
            )
    host_paths: list[tuple[PathKey, str, str]] = [
        (("services", name, "env_file"), f, "reads the env file") for f in service.env_file
    ]
    if (
        service.build is not None
        and "://" not in service.build.context
        and not service.build.context.startswith("git@")
    ):
        host_paths.append((("services", name, "build"), service.build.context, "builds from"))
    for path_key, source, verb in host_paths:
        if "${" in source:
            problems.append(doc.problem(path_key, "a host path cannot come from a variable", code="host-access"))
        elif _outside(source) and not _path_granted(source, granted.paths if granted else ()):
            problems.append(
                doc.problem(
                    path_key,
                    f"service '{name}' {verb} '{source}', outside the platform repo",
                    hint=f"keep it inside the repo, or declare it: host_access: {{{name}: "
                    f"{{paths: ['{source}'], reason: ...}}}}",
                    code="host-access",
                )
            )
    for i, mount in enumerate(service.volumes):
        path: PathKey = ("services", name, "volumes", i)
        if "${" in mount.source:
            problems.append(
                doc.problem(
                    path,
                    "a mount source cannot come from a variable",
                    hint="write the source folder in the profile; variables may set the target",
                    code="host-access",
                )
            )
            continue
        if mount.named:
            continue
        if _is_docker_socket(mount):
            if not (granted and granted.docker_socket):
                refuse(path, "the Docker socket (root on the host)", "docker_socket")
            continue
        if _outside_workspace(mount) and not _path_granted(mount.source, granted.paths if granted else ()):
            problems.append(
                doc.problem(
                    path,
                    f"service '{name}' mounts '{mount.source}', outside the platform repo",
                    hint=f"mount a folder inside the repo, or declare it: host_access: {{{name}: "
                    f"{{paths: ['{mount.source}'], reason: ...}}}}",
                    code="host-access",
                )
            )
    return problems


def _is_docker_socket(mount: Mount) -> bool:
    return posixpath.normpath(mount.source) in DOCKER_SOCKETS or mount.source.endswith("docker.sock")


def _outside_workspace(mount: Mount) -> bool:
    return _outside(mount.source)


def _outside(source: str) -> bool:
    if source.startswith(("/", "~")):
        return True
    norm = posixpath.normpath(source)
    return norm == ".." or norm.startswith("../")


def _path_granted(source: str, granted: tuple[str, ...]) -> bool:
    norm = posixpath.normpath(source)
    for allowed in granted:
        base = posixpath.normpath(allowed)
        if norm == base or norm.startswith(base.rstrip("/") + "/"):
            return True
    return False


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
