"""Rendering a profile and its answers into a plain compose file (and the secrets' .env).

The output is byte-stable for the same input, and `docker compose -f FILE up` runs it by hand too:
devenv never locks a team into itself.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from devenv.domain.profile.code import relocate
from devenv.domain.profile.model import Command, Mount, Profile, Service
from devenv.domain.profile.variables import interpolate, secret_env_name
from devenv.domain.profile.watch import render_watch
from devenv.domain.stack.dotenv import dotenv_text
from devenv.domain.stack.names import (
    DEVENV_SERVICE_LABEL,
    HASH_LABEL,
    IMAGE_LABEL,
    PROFILE_LABEL,
    WORKSPACE_LABEL,
    valid_project_name,
)
from devenv.domain.stack.state import keyed_digest
from devenv.domain.yamldoc import Located, PathKey
from devenv.errors import Problem, ProfileError

HEALTH_DEFAULTS = {"interval": "2s", "timeout": "5s", "retries": 30}


@dataclass(frozen=True)
class RenderTarget:
    project: str  # the compose project name
    workspace: str  # the label value naming the workspace that owns every resource
    repo_dir: str | None = None  # absolute path of the platform checkout (profiles with a repo)
    secret_key: bytes = b""  # keys the digests of secret values that enter the config hashes
    code_dir: str | None = None  # the workspace's copy of the profile's `code:`, when it has one


@dataclass(frozen=True)
class Rendered:
    compose: dict[str, Any]
    secrets: dict[str, str]
    service_hashes: dict[str, str]
    service_secrets: dict[str, list[str]] = field(default_factory=dict)  # service -> secret variables it uses
    host_ports: dict[str, list[int]] = field(default_factory=dict)

    @property
    def compose_text(self) -> str:
        import yaml

        return yaml.safe_dump(self.compose, sort_keys=False, default_flow_style=False, width=4096, allow_unicode=True)

    @property
    def env_text(self) -> str:
        return dotenv_text(self.secrets)


class _Renderer:
    def __init__(self, profile: Profile, values: Mapping[str, str], target: RenderTarget) -> None:
        self.profile = profile
        self.values = values
        self.target = target
        self.doc = profile.doc or Located({}, profile.file)
        self.problems: list[Problem] = []
        self.secret_vars = {n for n, v in profile.variables.items() if v.secret}

    # -- interpolation --
    def compose_text(self, text: str) -> str:
        def value_of(name: str) -> str:
            if name in self.secret_vars:
                return "${" + secret_env_name(name) + "}"
            return self.values.get(name, "").replace("$", "$$")

        return interpolate(text, value_of, escape_dollars=True)

    def plain_text(self, text: str) -> str:
        return interpolate(text, lambda name: self.values.get(name, ""), escape_dollars=False)

    def shown_text(self, text: str) -> str:
        """For messages: values filled in, but a secret stays `${name}` (errors are printed and shared)."""
        return interpolate(
            text, lambda n: "${" + n + "}" if n in self.secret_vars else self.values.get(n, ""), escape_dollars=False
        )

    def command(self, value: Command) -> str | list[str]:
        return self.compose_text(value) if isinstance(value, str) else [self.compose_text(v) for v in value]

    def secrets_in(self, rendered: dict[str, Any]) -> list[str]:
        """The secret variables a rendered service refers to (as ${DEVENV_SECRET_...})."""
        text = json.dumps(rendered)
        return sorted(n for n in self.secret_vars if "${" + secret_env_name(n) + "}" in text)

    def fail(self, path: PathKey, message: str, hint: str | None = None, code: str = "render") -> None:
        self.problems.append(self.doc.problem(path, message, hint=hint, code=code))

    # -- paths --
    def resolve(self, rel: str, base: str | None, path: PathKey) -> str:
        if rel.startswith("~") or posixpath.isabs(rel):
            return rel
        root = base if base is not None else self.target.repo_dir
        if root is None:
            self.fail(path, "a relative path needs the platform repo's location", hint="pass --repo-dir")
            return rel
        return relocate(posixpath.normpath(posixpath.join(root, rel)), self.profile.code, self.target.code_dir)

    # -- services --
    def service(self, name: str, service: Service, labels: dict[str, str]) -> dict[str, Any]:
        base: PathKey = ("services", name)
        out: dict[str, Any] = {}
        if service.image and not service.build:
            out["image"] = self.compose_text(service.image)
        if service.build:
            b = service.build
            context = self.compose_text(b.context)
            if "://" not in context and not context.startswith("git@"):
                context = self.resolve(context, b.base, (*base, "build"))
            build: dict[str, Any] = {"context": context}
            if b.dockerfile:
                build["dockerfile"] = self.compose_text(b.dockerfile)
            if b.args:
                build["args"] = {k: self.compose_text(v) for k, v in b.args}
            if b.target:
                build["target"] = self.compose_text(b.target)
            build["labels"] = dict(labels)  # images devenv builds carry the workspace's labels too
            out["build"] = build
        if service.entrypoint is not None:
            out["entrypoint"] = self.command(service.entrypoint)
        if service.command is not None:
            out["command"] = self.command(service.command)
        environment = self.environment(name, service)
        if environment:
            out["environment"] = environment
        if service.env_file:
            out["env_file"] = [
                self.resolve(self.compose_text(f), service.env_file_base, (*base, "env_file")) for f in service.env_file
            ]
        if service.ports:
            out["ports"] = [self.compose_text(p) for p in service.ports]
        if service.volumes:
            out["volumes"] = [self.mount(m, (*base, "volumes", i)) for i, m in enumerate(service.volumes)]
        if service.healthcheck:
            h = service.healthcheck
            test = h.test
            check: dict[str, Any] = {
                "test": ["CMD-SHELL", self.compose_text(test)]
                if isinstance(test, str)
                else ["CMD", *[self.compose_text(t) for t in test]],
                "interval": h.interval or HEALTH_DEFAULTS["interval"],
                "timeout": h.timeout or HEALTH_DEFAULTS["timeout"],
                "retries": h.retries or HEALTH_DEFAULTS["retries"],
            }
            if h.start_period:
                check["start_period"] = h.start_period
            out["healthcheck"] = check
        if service.links:
            out["depends_on"] = {
                link: {
                    "condition": "service_healthy"
                    if self.profile.services[link].healthcheck is not None
                    else "service_started",
                    **({"restart": True} if service.restart_with_links else {}),
                }
                for link in service.links
            }
        for key in ("init", "working_dir", "user", "restart", "stop_grace_period", "network_mode", "pid"):
            value = getattr(service, key)
            if value is not None:
                out[key] = self.compose_text(value) if isinstance(value, str) else value
        if service.privileged:
            out["privileged"] = True
        if service.profiles:
            out["profiles"] = list(service.profiles)
        if service.watch:
            out["develop"] = render_watch(
                service.watch, lambda p, b, i: self.resolve(p, b, (*base, "watch", i)).replace("$", "$$")
            )
        own_labels = {k: self.compose_text(v) for k, v in service.labels}
        out["labels"] = {**own_labels, **labels, DEVENV_SERVICE_LABEL: name}
        if service.image and service.build:
            # a built image is named after the workspace's project by compose, so a profile can never
            # re-tag an image it did not build; parity still compares the name the profile declares
            out["labels"][IMAGE_LABEL] = self.compose_text(service.image)
        return out

    def environment(self, name: str, service: Service) -> dict[str, str]:
        env: dict[str, str] = {}
        for link in service.links:
            for key, value in self.profile.services[link].exports:
                env[key] = self.compose_text(value)
        for key, value in service.environment:
            env[key] = self.compose_text(value)
        return env

    def mount(self, mount: Mount, path: PathKey) -> str:
        mode = ":ro" if mount.read_only else ""
        target = self.compose_text(mount.target)
        if not mount.source:
            return target
        if mount.named:
            return f"{mount.source}:{target}{mode}"
        source = mount.source
        if not source.startswith("~"):
            source = self.resolve(source, mount.base, path)
        return f"{source.replace('$', '$$')}:{target}{mode}"

    # -- ports --
    def check_ports(self) -> dict[str, list[int]]:
        taken: dict[tuple[int, str], str] = {}
        by_service: dict[str, list[int]] = {}
        for name, service in self.profile.services.items():
            for i, raw in enumerate(service.ports):
                path: PathKey = ("services", name, "ports", i)
                parsed = parse_port(self.plain_text(raw))
                if parsed is None:
                    self.fail(
                        path,
                        f"'{self.shown_text(raw)}' is not a port mapping",
                        hint='write "HOST:CONTAINER", "IP:HOST:CONTAINER" or "CONTAINER"',
                        code="port",
                    )
                    continue
                hosts, proto = parsed
                for port in hosts:
                    owner = taken.get((port, proto))
                    if owner is not None:
                        self.fail(
                            path,
                            f"host port {port}/{proto} is published twice ({owner} and {name})",
                            hint="give one of them another host port (a variable lets each developer choose)",
                            code="port-duplicate",
                        )
                    taken[(port, proto)] = name
                    by_service.setdefault(name, []).append(port)
        return by_service


def parse_port(text: str) -> tuple[list[int], str] | None:
    """Host ports published by a compose short-syntax mapping, and the protocol; None if malformed."""
    spec, _, proto = text.partition("/")
    proto = proto or "tcp"
    if proto not in {"tcp", "udp", "sctp"}:
        return None
    if spec.startswith("["):  # [::1]:8000:80
        end = spec.find("]")
        if end < 0:
            return None
        spec = spec[end + 2 :] if spec[end + 1 : end + 2] == ":" else ""
        if not spec:
            return None
    parts = spec.split(":")
    if len(parts) == 3:
        parts = parts[1:]
    if len(parts) == 1:
        return ([], proto) if _port_range(parts[0]) is not None else None
    if len(parts) != 2:
        return None
    host, container = (_port_range(p) for p in parts)
    if container is None or (parts[0] and host is None):
        return None
    return (host or [], proto)


def _port_range(text: str) -> list[int] | None:
    m = re.fullmatch(r"(\d+)(?:-(\d+))?", text)
    if not m:
        return None
    low = int(m.group(1))
    high = int(m.group(2) or low)
    if not (1 <= low <= high <= 65535) or high - low > 1000:
        return None
    return list(range(low, high + 1))


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()[:16]


def render(profile: Profile, values: Mapping[str, str], target: RenderTarget) -> Rendered:
    """The compose document for `profile` with `values` (every variable answered). Raises ProfileError."""
    r = _Renderer(profile, values, target)
    if not valid_project_name(target.project):
        raise ProfileError([Problem(f"'{target.project}' is not a valid compose project name", code="project")])
    # Labels are part of what compose compares: a volume or network whose labels changed is "diverged"
    # (compose asks to delete a volume's data), a service whose labels changed is recreated. So they name
    # only what never changes for a workspace: never the profile's version, which a team raises often.
    labels = {WORKSPACE_LABEL: target.workspace, PROFILE_LABEL: profile.name}
    resource_labels = {WORKSPACE_LABEL: target.workspace}
    services: dict[str, Any] = {}
    hashes: dict[str, str] = {}
    service_secrets: dict[str, list[str]] = {}
    for name, service in profile.services.items():
        rendered = r.service(name, service, labels)
        used = r.secrets_in(rendered)
        # a changed secret changes the hash (so the service is recreated) through a keyed digest only
        digests = {v: keyed_digest(target.secret_key, v, values.get(v, "")) for v in used}
        hashes[name] = _hash({"service": rendered, "secrets": digests} if used else rendered)
        if used:
            service_secrets[name] = used
        rendered["labels"][HASH_LABEL] = hashes[name]
        services[name] = rendered
    host_ports = r.check_ports()
    named_volumes = sorted({m.source for s in profile.services.values() for m in s.volumes if m.named and m.source})
    compose: dict[str, Any] = {"name": target.project, "services": services}
    compose["networks"] = {"default": {"labels": dict(resource_labels)}}
    if named_volumes:
        compose["volumes"] = {v: {"labels": dict(resource_labels)} for v in named_volumes}
    compose["x-devenv"] = {
        "profile": profile.name,
        "version": profile.version,
        "workspace": target.workspace,
        "seed": [
            {"service": t.service, "run": r.command(t.run), **({"user": t.user} if t.user else {})}
            for t in profile.seed
        ],
    }
    if r.problems:
        raise ProfileError(r.problems)
    secrets = {secret_env_name(n): values[n] for n in sorted(r.secret_vars) if n in values}
    return Rendered(
        compose=compose,
        secrets=secrets,
        service_hashes=hashes,
        host_ports=host_ports,
        service_secrets=service_secrets,
    )
