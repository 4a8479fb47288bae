"""``python3 -m app.reloader MODULE``: run ``python3 -m MODULE`` and start it afresh when the code changes.

For development: the profile mounts (or syncs) the code into the container, and this restarts the
process within the container when a ``.py`` file under ``/srv/app`` changes, in a fraction of a second
(no container restart). The old process is killed outright: a dev server holds nothing worth a graceful
stop. SIGTERM and SIGINT are passed on, and the reloader exits with the process's status. When the
process exits by itself (a crash), the reloader waits for the next change to start it again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

ROOT = os.path.dirname(os.path.abspath(__file__))
POLL = 0.1  # seconds between looks at the code's modification times


def snapshot() -> dict[str, int]:
    seen = {}
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in files:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                try:
                    seen[path] = os.stat(path).st_mtime_ns
                except OSError:
                    pass
    return seen


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python3 -m app.reloader MODULE [ARG...]", file=sys.stderr)
        return 2
    command = [sys.executable, "-m", *argv]
    child = subprocess.Popen(command)
    stopping = False

    def stop(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        child.send_signal(signum)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    seen = snapshot()
    while True:
        try:
            code: int | None = child.wait(timeout=POLL)
        except subprocess.TimeoutExpired:
            code = None
        if stopping:
            return child.wait()
        now = snapshot()
        if now != seen:
            seen = now
            print(f"reloader: code changed, restarting {argv[0]}", file=sys.stderr, flush=True)
            child.kill()
            child.wait()
            child = subprocess.Popen(command)
        elif code is not None:
            print(f"reloader: {argv[0]} exited with status {code}; waiting for a change", file=sys.stderr, flush=True)
            while snapshot() == seen and not stopping:
                time.sleep(POLL)
            if stopping:
                return code
            seen = snapshot()
            child = subprocess.Popen(command)

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
