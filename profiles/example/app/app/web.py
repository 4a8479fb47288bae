"""``python3 -m app.web``: the example web service, a stdlib HTTP server on port 8000.

    GET /         JSON status of every link (db, cache, broker), seeded rows, worker heartbeat age
    GET /healthz  200 while the process is up; depends on nothing else, so start-up order cannot deadlock

Environment: DATABASE_URL, REDIS_URL, BROKER_URL (each optional: a missing one is reported, not fatal),
PORT (default 8000), LOG_LEVEL (default INFO). One log line per request on stdout, except the container's
own health checks (they say so with the HEALTH_CHECK_HEADER): those are logged at DEBUG only, so the access
log shows what people and services asked, not a probe every second. A failing health check is logged.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from app import checks
from app.config import redact, setup_logging

DEFAULT_PORT = 8000
HEALTH_CHECK_HEADER = "X-Health-Check"  # sent by app.healthcheck
log = logging.getLogger("app.web")


class Handler(BaseHTTPRequestHandler):
    server_version = "example-web/1.0"

    def do_GET(self) -> None:
        started = time.monotonic()
        path = urlsplit(self.path).path
        if path == "/healthz":
            status, body = 200, {"status": "ok"}
        elif path == "/":
            try:
                status, body = 200, checks.status()
            except Exception as exc:  # a bug in a check: answer 500 rather than drop the connection
                log.exception("status failed")
                status, body = 500, {"service": "web", "error": f"{type(exc).__name__}: {exc}"}
        else:
            status, body = 404, {"error": f"no such path: {path}"}
        self._send_json(status, body)
        elapsed_ms = (time.monotonic() - started) * 1000
        probe = path == "/healthz" and status == 200 and self.headers.get(HEALTH_CHECK_HEADER) is not None
        level = logging.DEBUG if probe else logging.INFO
        log.log(level, '%s "%s" %d %.0fms', self.client_address[0], self.requestline, status, elapsed_ms)

    def _send_json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode() + b"\n"
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Date", self.date_time_string())
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        # Errors only (bad request lines and the like); successful requests are logged by do_GET.
        log.warning("%s %s", self.client_address[0], format % args)


def port_from_env() -> int:
    return int(os.environ.get("PORT", DEFAULT_PORT))


def main() -> int:
    setup_logging("web")
    try:
        port = port_from_env()
    except ValueError:
        log.error("PORT must be a number, got %r", os.environ.get("PORT"))
        return 2
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("%s received, shutting down", signal.Signals(signum).name)
        threading.Thread(target=server.shutdown, daemon=True).start()  # shutdown() waits for the loop

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for name in ("DATABASE_URL", "REDIS_URL", "BROKER_URL"):
        value = os.environ.get(name)
        log.info("%s=%s", name, redact(value) if value else "(not set)")
    log.info("listening on 0.0.0.0:%d", port)
    try:
        server.serve_forever(poll_interval=0.5)
    finally:
        server.server_close()
    log.info("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
