"""The one normalised model every reader produces: workloads, their containers, and what they need.

Secret values never enter this model: an `EnvVar` from a secret source carries its key and kind only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from devenv.domain.parity.images import ImageRef


class SourceKind(StrEnum):
    LITERAL = "literal"  # written in the manifest itself
    CONFIGMAP = "configmap"  # a Kubernetes ConfigMap
    # a Kubernetes Secret, ECS secrets, an env file marked secret, a dev DEVENV_SECRET_* reference
    SECRET = "secret"
    FILE = "file"  # an env file (compose env_file, Beanstalk environment properties)
    FIELD = "field"  # a Kubernetes fieldRef / resourceFieldRef, filled in by the platform
    EXTERNAL = "external"  # supplied from outside at deploy time (${VAR}, a bare compose key)
    RUNTIME = "runtime"  # dev only: seen on the running container, source unknown (image ENV, .env)


# Which source kinds can be compared with each other: a ConfigMap in prod and a literal in dev are
# both plain configuration; a Secret in prod and a literal in dev are not the same thing.
SOURCE_CLASS = {
    SourceKind.LITERAL: "plain",
    SourceKind.CONFIGMAP: "plain",
    SourceKind.FILE: "plain",
    SourceKind.SECRET: "secret",
    SourceKind.FIELD: "platform",
    SourceKind.EXTERNAL: "external",
    SourceKind.RUNTIME: "runtime",
}

_SENSITIVE = re.compile(
    r"PASS(WORD|WD)?|SECRET|TOKEN|PRIVATE|CREDENTIAL|API_?KEY|ACCESS_?KEY|_KEY$|^KEY$|AUTH|SALT|COOKIE|CERT",
    re.IGNORECASE,
)
_URL_PASSWORD = re.compile(r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@", re.IGNORECASE)


def looks_sensitive(key: str) -> bool:
    """A key whose value is never shown or compared, whatever its source (defence in depth)."""
    return bool(_SENSITIVE.search(key))


def mask_url_password(value: str) -> str:
    return _URL_PASSWORD.sub(lambda m: f"{m.group('head')}***@", value)


@dataclass(frozen=True)
class EnvVar:
    key: str
    kind: SourceKind
    value: str | None = None  # None when unknown, and always None for a secret source
    ref: str = ""  # where it comes from: "configmap app-config", "secret db/password", "file eb.env"

    def __post_init__(self) -> None:
        if self.kind is SourceKind.SECRET and self.value is not None:
            raise ValueError("a secret's value must never enter the model")

    @property
    def comparable_value(self) -> str | None:
        """The value if it may be compared and shown: known, not secret, not sensitive-looking."""
        if self.value is None or self.kind is SourceKind.SECRET or looks_sensitive(self.key):
            return None
        return self.value

    def display(self) -> str:
        """What a report may print about this variable: never a secret's value."""
        origin = f"{self.kind}" + (f" ({self.ref})" if self.ref else "")
        value = self.comparable_value
        if value is None:
            return origin
        return f"{mask_url_password(value)!r} [{origin}]"


@dataclass(frozen=True)
class Port:
    number: int
    protocol: str = "tcp"

    def __str__(self) -> str:
        return f"{self.number}" if self.protocol == "tcp" else f"{self.number}/{self.protocol}"


class MountKind(StrEnum):
    VOLUME = "volume"  # a named volume / docker volume driver: persistent
    CLAIM = "claim"  # a PersistentVolumeClaim / volumeClaimTemplate: persistent
    HOST = "host"  # a host path / bind mount: persistent on that host
    NETWORK = "network"  # EFS, NFS, other network file systems: persistent
    EPHEMERAL = "ephemeral"  # emptyDir, tmpfs, an ECS bind volume without a host path
    CONFIG = "config"  # configMap / secret / projected files: configuration, not data


PERSISTENT_MOUNTS = frozenset({MountKind.VOLUME, MountKind.CLAIM, MountKind.HOST, MountKind.NETWORK})


@dataclass(frozen=True)
class Mount:
    target: str
    kind: MountKind
    source: str = ""

    @property
    def persistent(self) -> bool:
        return self.kind in PERSISTENT_MOUNTS


@dataclass(frozen=True)
class Resources:
    cpu_millis: int | None = None  # limit, in thousandths of a CPU
    memory_mib: int | None = None  # limit, MiB

    @property
    def empty(self) -> bool:
        return self.cpu_millis is None and self.memory_mib is None

    def __str__(self) -> str:
        if self.empty:
            return "no limits"
        parts = []
        if self.cpu_millis is not None:
            parts.append(f"cpu {self.cpu_millis}m")
        if self.memory_mib is not None:
            parts.append(f"memory {self.memory_mib}Mi")
        return ", ".join(parts)


@dataclass(frozen=True)
class HealthCheck:
    kind: str  # "exec", "http", "tcp", "grpc", "probe"
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind} {self.detail}".strip()


@dataclass
class Container:
    name: str
    image: ImageRef | None = None  # None: built locally with no image name
    built: bool = False  # dev only: compose builds this image (its version is its base image's)
    base_image: ImageRef | None = None  # dev only: the Dockerfile's FROM, when the image is built
    entrypoint: tuple[str, ...] | None = None
    command: tuple[str, ...] | None = None
    env: dict[str, EnvVar] = field(default_factory=dict)
    env_unresolved: list[str] = field(default_factory=list)  # sources whose keys could not be read
    ports: tuple[Port, ...] = ()
    mounts: tuple[Mount, ...] = ()
    resources: Resources = field(default_factory=Resources)
    health: HealthCheck | None = None
    depends_on: tuple[str, ...] = ()  # links / dependsOn to sibling containers


@dataclass
class Workload:
    """One prod workload (or one dev compose service): what mapping pairs and findings compare."""

    name: str
    kind: str  # Deployment, StatefulSet, DaemonSet, Job, CronJob, ecs, beanstalk, compose
    source: str  # the manifest file it was read from
    containers: list[Container]
    replicas: int | None = 1  # None: not stated (an ECS task definition leaves it to the service)
    per_node: bool = False  # one per node: a DaemonSet, a compose `deploy: mode: global`
    labels: dict[str, str] = field(default_factory=dict)
    service_names: tuple[str, ...] = ()  # Kubernetes Services selecting it, compose aliases
    hostnames: tuple[str, ...] = ()  # ECS/EB hostname, compose hostname
    dependencies: tuple[str, ...] = ()  # names of other workloads it needs
    networks: tuple[str, ...] = ()  # compose only: the networks it joins

    @property
    def qualified_name(self) -> str:
        return f"{self.kind}/{self.name}"

    @property
    def main(self) -> Container:
        """The container compared with the dev service: the one named like the workload, else the first."""
        for container in self.containers:
            if container.name == self.name:
                return container
        return self.containers[0]


@dataclass(frozen=True)
class SourceNote:
    """Something a reader could not do, reported as a check not made (never silently passed)."""

    code: str  # a finding code: template-unrendered, env-unresolved, ...
    source: str
    message: str
    workload: str | None = None


@dataclass
class Side:
    workloads: list[Workload] = field(default_factory=list)
    notes: list[SourceNote] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def extend(self, other: Side) -> None:
        self.workloads.extend(other.workloads)
        self.notes.extend(other.notes)
        self.sources.extend(other.sources)


@dataclass(frozen=True)
class EnvFile:
    """An env file as read by the loader: for a file marked secret, keys only (every value None)."""

    path: str
    values: dict[str, str | None]
    secret: bool = False

    def env_vars(self) -> dict[str, EnvVar]:
        kind = SourceKind.SECRET if self.secret else SourceKind.FILE
        return {
            key: EnvVar(key, kind, None if self.secret else value, f"file {self.path}")
            for key, value in self.values.items()
        }


@dataclass(frozen=True)
class RuntimeService:
    """What the engine reports for one running compose service: image identity and env keys only."""

    image_id: str  # sha256:<hex>
    repo_digests: tuple[str, ...] = ()  # repo@sha256:<hex>; empty for a locally built image
    image_tags: tuple[str, ...] = ()
    env_keys: frozenset[str] = frozenset()
    healthcheck: str | None = None  # the container's own health check (compose's or the image's)

    def runs_digest(self, digest: str) -> bool:
        """Prod's pinned digest is what runs: the image id (local builds) or one of its repo digests."""
        return digest == self.image_id or any(d.partition("@")[2] == digest for d in self.repo_digests)


@dataclass(frozen=True)
class RuntimeView:
    project: str
    services: dict[str, RuntimeService] = field(default_factory=dict)
    problem: str | None = None  # why nothing could be read (no engine, ...), for the digest-unchecked note
