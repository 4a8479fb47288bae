"""The inner loop: how long from saving a file to the running service answering with the change.

    python -m benchmarks.innerloop [--edits 7] [--rebuild-edits 3] [--markdown FILE]

On the example profile, in a temp workspace made by `devenv init --profile example`: each edit changes
the text `GET /` answers in the workspace's `app/app/checks.py`, and the clock runs from the write until
an HTTP request sees the new text. Three ways the edit can reach the container:

- mount: the example as shipped: the code is bind-mounted and app.reloader restarts the process;
- watch sync: no mount; `devenv watch` (compose watch) copies the file into the container (`sync`), then
  app.reloader restarts the process, the way a macOS user avoids slow bind mounts;
- watch rebuild: no mount; `devenv watch` rebuilds the image and recreates the container (`rebuild`).

Needs a Docker engine with compose v2 and the example's images buildable. Removes what it made.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

DEVENV = [sys.executable, "-m", "devenv"]
PROBE = '"service": "web"'


def devenv(*args: str, cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run([*DEVENV, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"failed: devenv {' '.join(args)}\n{done.stdout}\n{done.stderr}")


def answer(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as response:
            return str(json.loads(response.read()).get("service"))
    except (OSError, ValueError):
        return ""


def edits(code: Path, port: int, count: int, label: str, timeout: float = 180) -> list[float]:
    checks = code / "app" / "checks.py"
    original = checks.read_text()
    assert PROBE in original, "the example's checks.py changed: update the benchmark's probe"
    times = []
    try:
        for i in range(count):
            wanted = f"web {label} {i}"
            started = time.perf_counter()
            checks.write_text(original.replace(PROBE, f'"service": "{wanted}"'))
            while answer(port) != wanted:
                if time.perf_counter() - started > timeout:
                    raise SystemExit(f"{label}: edit {i} not visible after {timeout:.0f} s")
                time.sleep(0.02)
            times.append(time.perf_counter() - started)
            time.sleep(1.0)  # let the service settle before the next edit
    finally:
        checks.write_text(original)
    return times


def variant(ws: Path, name: str, rule: dict[str, Any], **web: Any) -> str:
    """A profile extending the example: web without the bind mount, with one watch rule instead."""
    path = ws / f"{name}.yaml"
    web = {"volumes": [], "watch": [rule], **web}
    doc = {"name": f"example-{name}", "version": "1.0.0", "extends": "example", "services": {"web": web}}
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return f"./{path.name}"


def watched(ws: Path, code: Path, port: int, env: dict[str, str], count: int, label: str) -> list[float]:
    log = ws / f"watch-{label}.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*DEVENV, "watch", "--no-up", "web"], cwd=ws, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 120
        while "watching:" not in log.read_text():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"devenv watch did not start:\n{log.read_text()}")
            time.sleep(0.1)
        time.sleep(2)  # the initial sync restarts the process once
        return edits(code, port, count, label)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--edits", type=int, default=7)
    parser.add_argument("--rebuild-edits", type=int, default=3)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    from benchmarks.bench import free_port

    port = free_port()
    env = {**os.environ, "DEVENV_VAR_WEB_PORT": str(port), "NO_COLOR": "1"}
    with tempfile.TemporaryDirectory(prefix="devenv-innerloop-") as tmp:
        ws = Path(tmp) / "platform"
        ws.mkdir()
        code = ws / "app"
        try:
            devenv("init", "--profile", "example", "--yes", cwd=ws, env=env)
            rows = [("mount + app.reloader (the example as shipped)", edits(code, port, args.edits, "mount"))]
            # Docker Engine 20.10 looks a container's user up on the host when compose copies files in
            # (`getent`), which fails for the image's `app` user: the sync variant runs web as root
            sync = variant(ws, "sync", {"action": "sync", "path": "app/app", "target": "/srv/app"}, user="root")
            devenv("up", "--profile", sync, cwd=ws, env=env)
            rows.append(("`devenv watch`, sync + app.reloader", watched(ws, code, port, env, args.edits, "sync")))
            rebuild = variant(ws, "rebuild", {"action": "rebuild", "path": "app/app"})
            devenv("up", "--profile", rebuild, cwd=ws, env=env)
            rows.append(("`devenv watch`, rebuild", watched(ws, code, port, env, args.rebuild_edits, "rebuild")))
        finally:
            project = json.loads((ws / ".devenv" / "state.json").read_text())["project"]
            subprocess.run(
                ["docker", "compose", "-p", project, "down", "-v", "--rmi", "local", "-t", "1"],
                capture_output=True,
                check=False,
            )
    lines = ["| how the edit reaches web | edits | median (s) | min | max |", "|---|---|---|---|---|"]
    for what, times in rows:
        lines.append(
            f"| {what} | {len(times)} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
