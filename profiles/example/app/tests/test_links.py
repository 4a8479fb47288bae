"""The app against the real services it links to: the database, the cache and the broker."""

from __future__ import annotations

import os
import time
import unittest
import uuid

import psycopg2
import redis

from app import checks, mqtt
from app.config import JOBS_TOPIC, MissingSetting, parse_mqtt_url, redact, require


class Settings(unittest.TestCase):
    def test_every_link_exports_its_url(self) -> None:
        for name in ("DATABASE_URL", "REDIS_URL", "BROKER_URL"):
            self.assertTrue(os.environ.get(name), f"{name} is not set: is the service linked?")

    def test_a_missing_setting_is_named(self) -> None:
        with self.assertRaises(MissingSetting) as caught:
            require("NO_SUCH_SETTING_IN_THIS_TEST")
        self.assertIn("NO_SUCH_SETTING_IN_THIS_TEST", str(caught.exception))

    def test_passwords_never_reach_the_logs(self) -> None:
        self.assertNotIn("s3cret", redact("postgres://app:s3cret@db:5432/app"))


class Database(unittest.TestCase):
    def test_the_database_answers(self) -> None:
        report, rows = checks.check_db()
        self.assertTrue(report["ok"], report)
        self.assertEqual(report["database"], "app")
        self.assertIsNotNone(rows)

    def test_the_seed_filled_the_items_table(self) -> None:
        with psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=3) as conn, conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM items")
            self.assertGreaterEqual(cur.fetchone()[0], 5)

    def test_a_transaction_rolls_back(self) -> None:
        conn = psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=3)
        try:
            with conn.cursor() as cur:
                cur.execute("CREATE TEMP TABLE scratch (n int)")
                cur.execute("INSERT INTO scratch VALUES (1), (2)")
                cur.execute("SELECT sum(n) FROM scratch")
                self.assertEqual(cur.fetchone()[0], 3)
            conn.rollback()
        finally:
            conn.close()


class Cache(unittest.TestCase):
    def test_the_cache_answers(self) -> None:
        report, _heartbeat = checks.check_cache()
        self.assertTrue(report["ok"], report)

    def test_a_value_round_trips_and_expires(self) -> None:
        client = redis.Redis.from_url(os.environ["REDIS_URL"], socket_timeout=3)
        key = f"test:{uuid.uuid4().hex}"
        try:
            client.set(key, "value", px=500)
            self.assertEqual(client.get(key), b"value")
            time.sleep(0.7)
            self.assertIsNone(client.get(key))
        finally:
            client.delete(key)
            client.close()


class Broker(unittest.TestCase):
    def test_a_job_is_published(self) -> None:
        self.assertEqual(checks.check_broker(), {"ok": True, "published": JOBS_TOPIC})

    def test_a_message_round_trips(self) -> None:
        target = parse_mqtt_url(os.environ["BROKER_URL"])
        mqtt.round_trip(target, f"test/{uuid.uuid4().hex}", "hello", timeout=5)


if __name__ == "__main__":
    unittest.main()
