"""``python3 -m app.seed``: idempotent seed of the example database.

Creates table ``items(id serial primary key, name text unique)`` if missing and inserts the fixture
rows that are not there yet, then prints how many rows exist. Safe to run any number of times, also
concurrently (an advisory lock serialises runs).

Environment: DATABASE_URL (required), SEED_TIMEOUT (seconds to keep retrying the connection, default 20).
Exit status: 0 seeded, 1 database unreachable or SQL failed, 2 DATABASE_URL missing or invalid.
"""

from __future__ import annotations

import os
import sys
import time

import psycopg2
from psycopg2.extensions import connection as Connection

from app.config import MissingSetting, one_line, require

FIXTURES = ("anvil", "bellows", "chisel", "drill", "easel")
RETRY_DELAY = 1.0

SCHEMA = "CREATE TABLE IF NOT EXISTS items (id serial PRIMARY KEY, name text UNIQUE)"
INSERT = "INSERT INTO items (name) SELECT unnest(%s::text[]) ON CONFLICT (name) DO NOTHING"
LOCK = "SELECT pg_advisory_xact_lock(hashtext('app.seed'))"


def say(message: str, *, error: bool = False) -> None:
    print(f"seed: {message}", file=sys.stderr if error else sys.stdout, flush=True)


def connect(url: str, timeout: float) -> Connection:
    """Connect, retrying while the server is unreachable or starting; raise the last error at the deadline."""
    deadline = time.monotonic() + timeout
    attempt = 0
    while True:
        attempt += 1
        try:
            return psycopg2.connect(url, connect_timeout=3)
        except psycopg2.OperationalError as exc:
            if time.monotonic() + RETRY_DELAY >= deadline:
                raise
            if attempt == 1:
                say(f"database not reachable yet ({one_line(exc)}); retrying for {timeout:g} s")
            time.sleep(RETRY_DELAY)


def main() -> int:
    try:
        url = require("DATABASE_URL")
        timeout = float(os.environ.get("SEED_TIMEOUT", "20"))
    except (MissingSetting, ValueError) as exc:
        say(f"cannot seed: {exc}", error=True)
        return 2
    try:
        conn = connect(url, timeout)
    except psycopg2.OperationalError as exc:
        say(f"could not connect to the database within {timeout:g} s: {one_line(exc)}", error=True)
        return 1
    except psycopg2.Error as exc:  # e.g. a malformed DATABASE_URL
        say(f"cannot seed: {one_line(exc)}", error=True)
        return 2
    try:
        with conn, conn.cursor() as cur:  # one transaction: all or nothing
            cur.execute(LOCK)
            cur.execute(SCHEMA)
            cur.execute(INSERT, (list(FIXTURES),))
            inserted = cur.rowcount
            cur.execute("SELECT count(*) FROM items")
            total = cur.fetchone()[0]
    except psycopg2.Error as exc:
        say(f"failed: {one_line(exc)}", error=True)
        return 1
    finally:
        conn.close()
    say(f"items has {total} rows ({inserted} inserted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
