"""Settings from the environment, shared by every role of the example app.

Each role reads only what it needs: web and seed use ``DATABASE_URL``; web and worker use ``REDIS_URL``
and ``BROKER_URL``. Nothing is read at import time.
"""

from __future__ import annotations

import logging
import os
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

DEFAULT_MQTT_PORT = 1883
JOBS_TOPIC = "jobs"
HEARTBEAT_KEY = "worker:heartbeat"
JOBS_SEEN_KEY = "worker:jobs_seen"


class MissingSetting(Exception):
    """A required environment variable is unset or empty."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} not set")
        self.name = name


def require(name: str) -> str:
    """Return the value of environment variable ``name``, or raise MissingSetting."""
    value = os.environ.get(name, "").strip()
    if not value:
        raise MissingSetting(name)
    return value


@dataclass(frozen=True)
class MqttTarget:
    host: str
    port: int
    username: str | None
    password: str | None


def parse_mqtt_url(url: str) -> MqttTarget:
    """Parse ``mqtt://[user[:password]@]host[:port]`` (``tcp://`` is accepted too)."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"BROKER_URL must look like mqtt://host:1883, not {redact(url)!r}")
    if not parts.hostname:
        raise ValueError(f"BROKER_URL has no host: {redact(url)!r}")
    try:
        port = parts.port or DEFAULT_MQTT_PORT
    except ValueError as exc:
        raise ValueError(f"BROKER_URL has a bad port: {redact(url)!r}") from exc
    return MqttTarget(parts.hostname, port, parts.username, parts.password)


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***``, fit for logs and JSON."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc}"))


def one_line(exc: BaseException) -> str:
    """An exception's message on one line (libpq's span several), or its type name if it has none."""
    return " ".join(str(exc).split()) or type(exc).__name__


def setup_logging(role: str) -> logging.Logger:
    """One line per event on stdout: ``<time> <role> <LEVEL> <message>``."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        stream=sys.stdout,
        level=level if level in logging.getLevelNamesMapping() else "INFO",
        format=f"%(asctime)s {role} %(levelname)s %(message)s",
    )
    return logging.getLogger(f"app.{role}")
