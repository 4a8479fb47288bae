"""Live checks of the three linked services, as reported by ``GET /``.

Each check connects for real using only the environment, never raises, and returns a JSON-ready dict
with ``ok`` plus details, or ``{"ok": false, "error": "..."}``.
"""

from __future__ import annotations

import json
import time
from typing import Any

import psycopg2
import redis

from app import mqtt
from app.config import HEARTBEAT_KEY, JOBS_TOPIC, MissingSetting, one_line, parse_mqtt_url, require

TIMEOUT = 3  # seconds, per service

Report = dict[str, Any]


def _failure(exc: BaseException) -> Report:
    return {"ok": False, "error": one_line(exc)}


def check_db() -> tuple[Report, int | None]:
    """Connect to DATABASE_URL; return the report and the number of rows in ``items`` (None if unknown)."""
    try:
        conn = psycopg2.connect(require("DATABASE_URL"), connect_timeout=TIMEOUT)
    except (MissingSetting, psycopg2.Error) as exc:
        return _failure(exc), None
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT current_database(), current_setting('server_version')")
            database, version = cur.fetchone()
            cur.execute("SELECT to_regclass('public.items') IS NOT NULL")
            rows = 0
            if cur.fetchone()[0]:
                cur.execute("SELECT count(*) FROM items")
                rows = cur.fetchone()[0]
        return {"ok": True, "database": database, "server_version": version}, rows
    except psycopg2.Error as exc:
        return _failure(exc), None
    finally:
        conn.close()


def check_cache() -> tuple[Report, float | None]:
    """Ping REDIS_URL; return the report and the age in seconds of the worker's heartbeat (None if absent)."""
    try:
        client = redis.Redis.from_url(
            require("REDIS_URL"), socket_connect_timeout=TIMEOUT, socket_timeout=TIMEOUT
        )
    except (MissingSetting, ValueError) as exc:
        return _failure(exc), None
    try:
        client.ping()
        beat = client.get(HEARTBEAT_KEY)
        age = round(max(0.0, time.time() - float(beat)), 1) if beat is not None else None
        return {"ok": True}, age
    except (redis.RedisError, ValueError) as exc:
        return _failure(exc), None
    finally:
        client.close()


def check_broker() -> Report:
    """Connect to BROKER_URL and publish a job on ``jobs`` (the worker logs it): a real round trip."""
    try:
        target = parse_mqtt_url(require("BROKER_URL"))
        payload = json.dumps({"kind": "ping", "from": "web", "at": time.time()})
        mqtt.round_trip(target, JOBS_TOPIC, payload, timeout=TIMEOUT)
    except (MissingSetting, ValueError, OSError, RuntimeError) as exc:
        return _failure(exc)
    return {"ok": True, "published": JOBS_TOPIC}


def status() -> Report:
    """The body of ``GET /``."""
    db, rows = check_db()
    cache, heartbeat_age = check_cache()
    return {
        "service": "web",
        "db": db,
        "cache": cache,
        "broker": check_broker(),
        "seeded_rows": rows,
        "worker_heartbeat": heartbeat_age,
    }
