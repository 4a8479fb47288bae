"""Image references (registry/repository:tag@digest), versions read from tags, and backing-service engines."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"
_VERSION = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?=$|[-_+.])")
_FLOATING_TAGS = frozenset({"latest", "stable", "edge", "main", "master", "dev", "nightly", "lts", "current"})

# Last repository component -> engine. Only backing services: the version checks apply to these.
_ENGINES = {
    "postgres": "postgres",
    "postgresql": "postgres",
    "postgis": "postgres",
    "mysql": "mysql",
    "mysql-server": "mysql",
    "mariadb": "mariadb",
    "percona": "percona",
    "percona-server": "percona",
    "redis": "redis",
    "redis-stack": "redis",
    "redis-stack-server": "redis",
    "valkey": "valkey",
    "keydb": "keydb",
    "dragonfly": "dragonfly",
    "mongo": "mongodb",
    "mongodb": "mongodb",
    "mongodb-community-server": "mongodb",
    "rabbitmq": "rabbitmq",
    "elasticsearch": "elasticsearch",
    "opensearch": "opensearch",
    "memcached": "memcached",
    "kafka": "kafka",
    "cp-kafka": "kafka",
    "redpanda": "redpanda",
    "zookeeper": "zookeeper",
    "cp-zookeeper": "zookeeper",
    "nats": "nats",
    "minio": "minio",
    "clickhouse-server": "clickhouse",
    "cassandra": "cassandra",
    "neo4j": "neo4j",
    "couchdb": "couchdb",
    "etcd": "etcd",
    "influxdb": "influxdb",
}

# Names a team may write in `external: {engine: ...}` for the same engine.
_ENGINE_ALIASES = {
    "postgresql": "postgres",
    "pg": "postgres",
    "aurora-postgresql": "postgres",
    "rds-postgres": "postgres",
    "aurora-mysql": "mysql",
    "rds-mysql": "mysql",
    "elasticache-redis": "redis",
    "elasticache-valkey": "valkey",
    "mongo": "mongodb",
    "amazon-mq-rabbitmq": "rabbitmq",
    "elastic": "elasticsearch",
}


def normalise_engine(name: str) -> str:
    key = name.strip().lower()
    return _ENGINE_ALIASES.get(key, key)


@dataclass(frozen=True)
class Version:
    parts: tuple[int, ...]  # 1 to 3 numbers, as precise as the tag is

    @property
    def major(self) -> int:
        return self.parts[0]

    @property
    def minor(self) -> int | None:
        return self.parts[1] if len(self.parts) > 1 else None

    def __str__(self) -> str:
        return ".".join(str(p) for p in self.parts)


def parse_version(text: str | None) -> Version | None:
    """`15.10-alpine` -> 15.10; `7` -> 7; `latest`, `alpine`, `pg16` -> None (no version to check)."""
    if not text:
        return None
    match = _VERSION.match(text.strip())
    if match is None:
        return None
    numbers = [g for g in match.groups() if g is not None]
    return Version(tuple(int(n) for n in numbers))


def variant(tag: str | None) -> frozenset[str]:
    """The words of a tag beside its version: `3.6.8-management` -> {management}, `15-alpine3.19` ->
    {alpine}; a tag without a version (`latest`) has none. Digits are releases of the variant, not it."""
    if not tag:
        return frozenset()
    match = _VERSION.match(tag.strip())
    if match is None:
        return frozenset()
    return frozenset(re.findall(r"[a-z]+", tag[match.end() :].lower()))


@dataclass(frozen=True)
class ImageRef:
    raw: str
    registry: str
    repository: str  # e.g. library/postgres, team/api
    tag: str | None
    digest: str | None  # sha256:<hex>
    templated: bool = False  # still holds a ${VAR}: nothing about it can be checked

    @property
    def name(self) -> str:
        """The last repository component: what mapping by image name and engine detection use."""
        return self.repository.rsplit("/", 1)[-1]

    @property
    def engine(self) -> str | None:
        return None if self.templated else _ENGINES.get(self.name)

    @property
    def version(self) -> Version | None:
        return None if self.templated else parse_version(self.tag)

    @property
    def floating(self) -> bool:
        """No digest and a tag that names no version (none, latest, a branch, a distro): it moves."""
        if self.templated:
            return True
        if self.digest:
            return False
        return self.tag is None or self.tag in _FLOATING_TAGS or self.version is None

    def __str__(self) -> str:
        return self.raw


def parse_image(raw: str) -> ImageRef:
    text = raw.strip()
    templated = "${" in text or "{{" in text or text.startswith("$")
    rest, _, digest = text.partition("@")
    last_slash = rest.rfind("/")
    colon = rest.rfind(":")
    tag: str | None = None
    if colon > last_slash:
        rest, tag = rest[:colon], rest[colon + 1 :]
    parts = rest.split("/")
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        registry, path = parts[0], "/".join(parts[1:])
    else:
        registry, path = DEFAULT_REGISTRY, rest
    if registry == DEFAULT_REGISTRY and "/" not in path:
        path = f"library/{path}"
    return ImageRef(
        raw=text,
        registry=registry,
        repository=path.lower(),
        tag=tag or None,
        digest=digest or None,
        templated=templated,
    )
