"""``python3 -m app.worker``: the example background worker.

It subscribes to the MQTT topic ``jobs`` on BROKER_URL and logs every job it receives (counting them in
Redis key ``worker:jobs_seen``), and every 2 s writes the current Unix time into Redis key
``worker:heartbeat`` (expiring after 30 s, so a dead worker's heartbeat disappears). After each
successful heartbeat it touches a local file, which ``python3 -m app.healthcheck worker`` checks.

Environment: REDIS_URL and BROKER_URL (required: exits 2 with a clear message if one is missing),
LOG_LEVEL (default INFO). SIGTERM/SIGINT stop it within a second, exit status 0.
Lost connections are retried forever (Redis on the next beat, MQTT with 1-10 s back-off).
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import paho.mqtt.client as paho
import redis

from app import mqtt
from app.config import (
    HEARTBEAT_KEY,
    JOBS_SEEN_KEY,
    JOBS_TOPIC,
    MissingSetting,
    parse_mqtt_url,
    redact,
    require,
    setup_logging,
)

HEARTBEAT_INTERVAL = 2.0  # seconds between heartbeats
HEARTBEAT_TTL = 30  # seconds the Redis key lives without a new beat
LOG_EVERY = 30  # log one heartbeat in this many (the first one and every minute)
HEARTBEAT_FILE = Path(os.environ.get("WORKER_HEARTBEAT_FILE", "/tmp/worker-heartbeat"))

log = logging.getLogger("app.worker")


def main() -> int:
    setup_logging("worker")
    try:
        redis_url = require("REDIS_URL")
        broker_url = require("BROKER_URL")
        target = parse_mqtt_url(broker_url)
        cache = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
    except (MissingSetting, ValueError) as exc:
        log.error("cannot start: %s (the worker needs REDIS_URL and BROKER_URL)", exc)
        return 2

    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received, shutting down", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    client = mqtt.new_client(f"worker-{socket.gethostname()}-{os.getpid()}", target)

    def on_connect(c: paho.Client, _userdata: Any, _flags: Any, rc: int) -> None:
        if rc == 0:
            c.subscribe(JOBS_TOPIC, qos=1)
            log.info("connected to broker %s:%d, subscribed to %r", target.host, target.port, JOBS_TOPIC)
        else:
            log.warning("broker refused the connection: %s", paho.connack_string(rc))

    def on_disconnect(_c: paho.Client, _userdata: Any, rc: int) -> None:
        if rc != 0 and not stop.is_set():
            log.warning("lost the broker connection (rc=%d), reconnecting", rc)

    def on_message(_c: paho.Client, _userdata: Any, msg: paho.MQTTMessage) -> None:
        text = msg.payload.decode("utf-8", "replace")
        log.info("job on %r: %s", msg.topic, text[:200])
        try:
            cache.incr(JOBS_SEEN_KEY)
        except redis.RedisError as exc:
            log.warning("could not count the job in Redis: %s", exc)

    client.on_connect = on_connect
    client.on_disconnect = on_disconnect
    client.on_message = on_message
    client.reconnect_delay_set(min_delay=1, max_delay=10)
    log.info("starting: REDIS_URL=%s BROKER_URL=%s", redact(redis_url), redact(broker_url))
    client.connect_async(target.host, target.port, keepalive=30)
    client.loop_start()  # network thread: connects, retries and reconnects on its own

    beats, healthy = 0, None
    try:
        while not stop.is_set():
            try:
                cache.set(HEARTBEAT_KEY, f"{time.time():.3f}", ex=HEARTBEAT_TTL)
            except redis.RedisError as exc:
                if healthy is not False:
                    log.warning("heartbeat to Redis failed: %s (retrying every %gs)", exc, HEARTBEAT_INTERVAL)
                healthy = False
            else:
                HEARTBEAT_FILE.touch()
                if healthy is not True or beats % LOG_EVERY == 0:
                    log.info("heartbeat #%d written to Redis key %r", beats + 1, HEARTBEAT_KEY)
                healthy = True
                beats += 1
            stop.wait(HEARTBEAT_INTERVAL)
    finally:
        client.disconnect()
        client.loop_stop()
        cache.close()
        HEARTBEAT_FILE.unlink(missing_ok=True)
    log.info("stopped after %d heartbeats", beats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
