"""Host access: the powers over the developer's machine a service may have, and only with a grant.

Two checks. `check_declared` runs on the profile model at load time, so lint points at the line that
asks for too much. `check_rendered` is the one that cannot be bypassed: it runs on the compose model
that is about to be written, after every variable was substituted, and parses each value the way
compose will read it. The machine's side (real paths behind symlinks, where the Docker socket is) comes
from the caller in a `HostView`: this module does no I/O.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from devenv.domain.profile.composesyntax import compose_literal, parse_volume
from devenv.domain.profile.model import HostAccess, Mount, Profile, Service
from devenv.domain.profile.variables import scan
from devenv.domain.yamldoc import Located, PathKey
from devenv.errors import Problem

DOCKER_SOCKETS = ("/var/run/docker.sock", "/run/docker.sock")
SAFE_NETWORK_MODES = ("bridge", "none", "default")


@dataclass(frozen=True)
class Grant:
    """One declared power, as shown to the user for approval."""

    service: str
    kind: str
    what: str
    reason: str


def declared_grants(profile: Profile) -> list[Grant]:
    grants = []
    for name, g in profile.host_access.items():
        flags = (
            (g.privileged, "privileged", "privileged mode (root on the host)"),
            (g.host_network, "host_network", "the host's network"),
            (g.host_pid, "host_pid", "the host's processes"),
            (g.other_containers, "other_containers", "another container's network or processes"),
            (g.docker_socket, "docker_socket", "the Docker socket (root on the host)"),
        )
        grants += [Grant(name, kind, what, g.reason) for on, kind, what in flags if on]
        grants += [Grant(name, "path", path, g.reason) for path in g.paths]
    return grants


def profile_hash(texts: Sequence[str]) -> str:
    """The content hash approvals are keyed by: the profile file and every file it extends, in order."""
    h = hashlib.sha256()
    for text in texts:
        data = text.encode()
        h.update(f"{len(data)}\0".encode() + data)
    return h.hexdigest()


# -- at load time: the profile model ----------------------------------------------------------------


def check_declared(profile: Profile, doc: Located) -> list[Problem]:
    problems = []
    for name in profile.host_access:
        if name not in profile.services:
            problems.append(
                doc.problem(
                    ("host_access", name),
                    f"host_access names unknown service '{name}'",
                    hint=f"services: {', '.join(profile.services)}",
                    code="host-access-unknown",
                )
            )
    secrets = {n for n, v in profile.variables.items() if v.secret}
    for name, service in profile.services.items():
        problems += _service_declared(profile, doc, name, service)
        for key, value in service.build.args if service.build else ():
            used = sorted({ref.name for ref in scan(value)[0]} & secrets)
            if used:
                problems.append(
                    doc.problem(
                        ("services", name, "build", "args", key),
                        f"build argument {key} uses the secret '{used[0]}': build arguments are kept in "
                        "the image (docker history shows them)",
                        hint="pass the secret at run time instead, in environment:",
                        code="secret-build-arg",
                    )
                )
    return problems


def _service_declared(profile: Profile, doc: Located, name: str, service: Service) -> list[Problem]:
    granted = profile.host_access.get(name)
    problems = []
    if service.privileged and not (granted and granted.privileged):
        problems.append(_refuse(doc, ("services", name, "privileged"), name, "privileged mode", "privileged"))
    for field in ("network_mode", "pid"):
        value = getattr(service, field)
        if value and "${" in value:
            problems.append(
                doc.problem(("services", name, field), f"'{field}' cannot come from a variable", code="host-access")
            )
        elif value:
            problems += _namespace(doc, profile, name, field, value, granted)
    sources: list[tuple[PathKey, str, str]] = [
        (("services", name, "env_file"), f, "reads the env file") for f in service.env_file
    ]
    build = service.build
    if build is not None and not _remote(build.context):
        sources.append((("services", name, "build"), build.context, "builds from"))
    if build is not None and build.dockerfile:
        path: PathKey = ("services", name, "build", "dockerfile")
        if not _remote(build.context):
            sources.append((path, posixpath.join(build.context, build.dockerfile), "builds with the Dockerfile"))
        elif build.dockerfile.startswith(("/", "~")):  # read from this machine even for a remote context
            sources.append((path, build.dockerfile, "builds with the Dockerfile"))
    sources += [(("services", name, "watch", i, "path"), w.path, "watches") for i, w in enumerate(service.watch)]
    for path, source, verb in sources:
        if "${" in source:
            problems.append(doc.problem(path, "a host path cannot come from a variable", code="host-access"))
        elif _outside(source) and not _written_grant(source, granted):
            problems.append(_outside_problem(doc, path, name, verb, source))
    for i, mount in enumerate(service.volumes):
        problems += _mount_declared(doc, name, i, mount, granted)
    return problems


def _mount_declared(doc: Located, name: str, i: int, mount: Mount, granted: HostAccess | None) -> list[Problem]:
    path: PathKey = ("services", name, "volumes", i)
    if "${" in mount.source:
        return [
            doc.problem(
                path,
                "a mount source cannot come from a variable",
                hint="write the source folder in the profile; variables may set the target",
                code="host-access",
            )
        ]
    if mount.named:
        return []
    if _socket_like(posixpath.normpath(mount.source)):
        if not (granted and granted.docker_socket):
            return [_refuse(doc, path, name, "the Docker socket (root on the host)", "docker_socket")]
        return []
    if _outside(mount.source) and not _written_grant(mount.source, granted):
        return [_outside_problem(doc, path, name, "mounts", mount.source)]
    return []


def _written_grant(source: str, granted: HostAccess | None) -> bool:
    norm = posixpath.normpath(source)
    return any(_under(norm, posixpath.normpath(p)) for p in (granted.paths if granted else ()))


def _outside(source: str) -> bool:
    if source.startswith(("/", "~")):
        return True
    norm = posixpath.normpath(source)
    return norm == ".." or norm.startswith("../")


def _remote(context: str) -> bool:
    return "://" in context or context.startswith("git@")


def _under(path: str, base: str) -> bool:
    return path == base or path.startswith(base.rstrip("/") + "/")


def _socket_like(path: str) -> bool:
    return path in DOCKER_SOCKETS or path.endswith("docker.sock")


def _refuse(doc: Located, path: PathKey, name: str, what: str, key: str) -> Problem:
    return doc.problem(
        path,
        f"service '{name}' asks for {what}, which gives it power over your machine",
        hint=f"if that is intended, declare it: host_access: {{{name}: {{{key}: true, reason: ...}}}}",
        code="host-access",
    )


def _outside_problem(doc: Located, path: PathKey, name: str, verb: str, source: str, real: str = "") -> Problem:
    shown = f"'{source}'" + (f" (really '{real}')" if real and real != source else "")
    return doc.problem(
        path,
        f"service '{name}' {verb} {shown}, outside the platform repo",
        hint=f"keep it inside the repo, or declare it: host_access: {{{name}: {{paths: ['{real or source}'], "
        "reason: ...}}",
        code="host-access",
    )


def _namespace(
    doc: Located, profile: Profile, name: str, field: str, value: str, granted: HostAccess | None
) -> list[Problem]:
    """network_mode / pid: the host's, or another container's, namespace needs a grant."""
    path: PathKey = ("services", name, field)
    if value == "host":
        key = "host_network" if field == "network_mode" else "host_pid"
        what = "the host network" if field == "network_mode" else "the host's process namespace"
        return [] if granted and getattr(granted, key) else [_refuse(doc, path, name, what, key)]
    kind, _, other = value.partition(":")
    if kind == "service" and other in profile.services and other != name:
        return []
    if field == "network_mode" and value in SAFE_NETWORK_MODES:
        return []
    if granted and granted.other_containers:
        return []
    return [_refuse(doc, path, name, f"{field} '{value}' (outside this stack)", "other_containers")]


# -- before writing: the rendered compose model -----------------------------------------------------


@dataclass(frozen=True)
class HostView:
    """What the rendered check needs to know about the machine; the caller looks it up."""

    roots: tuple[str, ...]  # real paths a service may use freely: the platform checkout, or the profile's folder
    project_dir: str  # where compose starts relative paths (the compose file's folder)
    realpath: Callable[[str], str]  # `~` expanded and every symlink resolved
    sockets: tuple[str, ...]  # the Docker socket's paths, as written and resolved


class _Rendered:
    def __init__(self, profile: Profile, compose: Mapping[str, Any], host: HostView) -> None:
        self.profile = profile
        self.compose = compose
        self.host = host
        self.doc = profile.doc or Located({}, profile.file)
        self.problems: list[Problem] = []
        self.declared_volumes = set(compose.get("volumes") or {})
        real_sockets = {host.realpath(s) for s in host.sockets}
        self.sockets = {posixpath.normpath(s) for s in host.sockets} | real_sockets

    def literal(self, path: PathKey, value: object, what: str) -> str | None:
        text = compose_literal(str(value))
        if text is None:
            self.problems.append(
                self.doc.problem(
                    path,
                    f"{what} would be filled in by compose from a secret or the environment",
                    hint="write it in the profile; secrets cannot set paths, build arguments or namespaces",
                    code="host-access",
                )
            )
        return text

    def absolute(self, path: str, base: str) -> str:
        if path.startswith("~") or posixpath.isabs(path):
            return path
        return posixpath.normpath(posixpath.join(base, path))

    def exposes_socket(self, written: str, real: str) -> bool:
        """The socket itself, or a folder above it (`/run`, `/var/run`, `/`): both hand over the socket."""
        return any(_under(sock, candidate) for sock in self.sockets for candidate in (written, real)) or _socket_like(
            real
        )

    def host_path(self, name: str, path: PathKey, source: str, verb: str, *, mount: bool = False) -> None:
        granted = self.profile.host_access.get(name)
        written = posixpath.normpath(source)
        real = self.host.realpath(source)
        if mount and self.exposes_socket(written, real):
            if not (granted and granted.docker_socket):
                what = f"the Docker socket (root on the host) through '{source}'"
                self.problems.append(_refuse(self.doc, path, name, what, "docker_socket"))
                return
            if _socket_like(real) or real in self.sockets:
                return  # the socket itself: its own grant is enough; a folder above it needs a path grant too
        if any(_under(real, root) for root in self.host.roots):
            return
        grants = granted.paths if granted else ()
        if any(_under(real, self.host.realpath(p)) for p in grants):
            return
        self.problems.append(_outside_problem(self.doc, path, name, verb, source, real))

    def service(self, name: str, spec: Mapping[str, Any]) -> None:
        base: PathKey = ("services", name)
        project_dir = self.host.project_dir
        for i, raw in enumerate(spec.get("volumes") or ()):
            path: PathKey = (*base, "volumes", i)
            text = self.literal(path, raw, "a volume")
            if text is None:
                continue
            volume = parse_volume(text)
            if isinstance(volume, str):
                self.problems.append(self.doc.problem(path, f"'{text}' is not a volume: {volume}", code="host-access"))
            elif volume.kind == "volume":
                if volume.source and volume.source not in self.declared_volumes:
                    self.problems.append(
                        self.doc.problem(
                            path,
                            f"'{text}' names volume '{volume.source}', which no mount of the profile declares",
                            hint="write named volumes in the profile as NAME:/path",
                            code="host-access",
                        )
                    )
            else:
                source = self.absolute(volume.source, project_dir)
                self.host_path(name, path, source, "mounts", mount=True)
        for i, raw in enumerate(spec.get("env_file") or ()):
            path = (*base, "env_file", i)
            text = self.literal(path, raw, "an env file")
            if text is not None:
                self.host_path(name, path, self.absolute(text, project_dir), "reads the env file")
        build = spec.get("build")
        if isinstance(build, Mapping):
            self.build(name, build)
        for i, rule in enumerate((spec.get("develop") or {}).get("watch") or ()):
            path = (*base, "watch", i, "path")
            text = self.literal(path, rule.get("path", ""), "a watched path")
            if text is not None:
                self.host_path(name, path, self.absolute(text, project_dir), "watches")
        if spec.get("privileged") is True:
            granted = self.profile.host_access.get(name)
            if not (granted and granted.privileged):
                self.problems.append(_refuse(self.doc, (*base, "privileged"), name, "privileged mode", "privileged"))
        for field in ("network_mode", "pid"):
            if spec.get(field) is None:
                continue
            value = self.literal((*base, field), spec[field], f"'{field}'")
            if value:
                granted = self.profile.host_access.get(name)
                self.problems += _namespace(self.doc, self.profile, name, field, value, granted)

    def build(self, name: str, build: Mapping[str, Any]) -> None:
        base: PathKey = ("services", name, "build")
        for key, value in (build.get("args") or {}).items():
            self.literal((*base, "args", key), value, f"build argument {key}")
        context = self.literal(base, build.get("context", "."), "the build context")
        if context is None:
            return
        remote = _remote(context)
        if not remote:
            context = self.absolute(context, self.host.project_dir)
            self.host_path(name, base, context, "builds from")
        dockerfile = build.get("dockerfile")
        if dockerfile is None:
            return
        dockerfile = self.literal((*base, "dockerfile"), dockerfile, "the Dockerfile")
        # a remote context's relative Dockerfile is inside the remote; an absolute one is read from here
        if dockerfile is not None and not (remote and not dockerfile.startswith(("/", "~"))):
            dockerfile = self.absolute(dockerfile, context)
            self.host_path(name, (*base, "dockerfile"), dockerfile, "builds with the Dockerfile")


def check_rendered(profile: Profile, compose: Mapping[str, Any], host: HostView) -> list[Problem]:
    """Every power over the machine the rendered stack would have, against the profile's grants."""
    checker = _Rendered(profile, compose, host)
    for name, spec in (compose.get("services") or {}).items():
        if isinstance(spec, Mapping):
            checker.service(str(name), spec)
    return checker.problems
