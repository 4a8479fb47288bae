"""A thin layer over paho-mqtt that works with Debian bookworm's 1.6 and with paho 2.x."""

from __future__ import annotations

import time

import paho.mqtt.client as paho

from app.config import MqttTarget


def new_client(client_id: str, target: MqttTarget) -> paho.Client:
    """A client using the version-1 callback signatures, with credentials from ``target`` if any."""
    api = getattr(paho, "CallbackAPIVersion", None)  # paho >= 2.0 requires choosing one
    client = paho.Client(api.VERSION1, client_id=client_id) if api else paho.Client(client_id=client_id)
    if target.username is not None:
        client.username_pw_set(target.username, target.password)
    return client


def round_trip(target: MqttTarget, topic: str, payload: str, timeout: float = 3.0) -> None:
    """Connect, publish ``payload`` to ``topic`` at QoS 1 and wait for the broker's PUBACK.

    Raises OSError (network) or RuntimeError (refused, timed out). Runs the network loop in the
    calling thread, so it needs no background thread and leaves nothing behind.
    """
    client = new_client(f"web-check-{time.monotonic_ns()}", target)
    result: dict[str, int] = {}
    client.on_connect = lambda _c, _u, _flags, rc: result.__setitem__("rc", rc)
    deadline = time.monotonic() + timeout
    client.connect(target.host, target.port, keepalive=10)
    try:
        while "rc" not in result and time.monotonic() < deadline:
            client.loop(timeout=0.1)
        if "rc" not in result:
            raise RuntimeError(f"no CONNACK from {target.host}:{target.port} within {timeout:g} s")
        if result["rc"] != 0:
            raise RuntimeError(f"connection refused: {paho.connack_string(result['rc'])}")
        info = client.publish(topic, payload, qos=1)
        while not info.is_published() and time.monotonic() < deadline:
            client.loop(timeout=0.1)
        if not info.is_published():
            raise RuntimeError(f"publish to {topic!r} not acknowledged within {timeout:g} s")
    finally:
        client.disconnect()
