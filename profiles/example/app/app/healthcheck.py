"""``python3 -m app.healthcheck web|worker``: container health checks needing nothing but Python.

    web     GET http://127.0.0.1:$PORT/healthz (PORT default 8000) answers 200 within 2 s (sent with an
            X-Health-Check header, which keeps it out of web's access log)
    worker  the worker wrote a heartbeat to Redis in the last 10 s (it touches a file after each one)

Exit 0 healthy, 1 unhealthy (with the reason on stdout, which Docker keeps in the health log), 2 usage.
"""

from __future__ import annotations

import os
import sys
import time
import urllib.request
from pathlib import Path

MAX_HEARTBEAT_AGE = 10.0  # seconds; the worker beats every 2 s


def check_web() -> str | None:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    # says it is the health check: web keeps these (one a second) out of its access log
    request = urllib.request.Request(url, headers={"X-Health-Check": "docker"})
    try:
        with urllib.request.urlopen(request, timeout=2) as response:
            if response.status == 200:
                return None
            return f"{url} answered {response.status}"
    except OSError as exc:
        return f"{url}: {exc}"


def check_worker() -> str | None:
    path = Path(os.environ.get("WORKER_HEARTBEAT_FILE", "/tmp/worker-heartbeat"))
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return "no heartbeat written yet"
    if age > MAX_HEARTBEAT_AGE:
        return f"last heartbeat {age:.0f} s ago (limit {MAX_HEARTBEAT_AGE:g} s)"
    return None


CHECKS = {"web": check_web, "worker": check_worker}


def main(argv: list[str]) -> int:
    if len(argv) != 1 or argv[0] not in CHECKS:
        print(f"usage: python3 -m app.healthcheck {'|'.join(CHECKS)}", file=sys.stderr)
        return 2
    problem = CHECKS[argv[0]]()
    if problem:
        print(f"unhealthy: {problem}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
