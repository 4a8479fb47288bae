"""Building a stack's images with progress: per image, the current step and how long it has been building.

`docker compose --progress plain build` streams BuildKit's log; domain/stack/buildlog.py reads it. The full
log goes to the caller line by line with `verbose`, and is kept in `.devenv/build.log` when a build fails.
"""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from collections.abc import Callable, Sequence

from devenv.adapters.compose import ComposeFiles
from devenv.context import AppContext
from devenv.domain.stack.buildlog import BuildTracker
from devenv.domain.stack.health import ServiceStatus
from devenv.errors import StackFailure

BuildProgress = Callable[[dict[str, str]], None]  # service -> "step 2/4: RUN pip install ...  12s"
LogLine = Callable[[str], None]


def build_images(
    ctx: AppContext,
    files: ComposeFiles,
    services: Sequence[str],
    *,
    progress: BuildProgress | None = None,
    verbose: LogLine | None = None,
) -> None:
    """Build `services`' images; raises StackFailure with the failing step's output (and where the log is)."""
    base = ctx.compose.base_argv(files)
    argv = [*base[:2], "--progress", "plain", *base[2:], "build", *services]
    tracker = BuildTracker(list(services), time.monotonic())
    # a terminal gets a ticking clock; a log (CI) a line per step, and one every 10 s during a long step
    tick = 1.0 if ctx.interactive else 10.0
    proc = ctx.compose.runner.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read, args=(proc, lines), daemon=True)
    reader.start()
    try:
        shown_at = 0.0
        while True:
            try:
                line = lines.get(timeout=tick)
            except queue.Empty:
                line = ""
            now = time.monotonic()
            if line is None:
                break
            changed = bool(line) and tracker.feed(line, now)
            if line and verbose:
                verbose(line.rstrip("\n"))
            if progress and (changed or now - shown_at >= tick):
                progress(tracker.lines(now))
                shown_at = now
        proc.wait()
    finally:
        ctx.runner.stop(proc)
    tracker.finish(time.monotonic(), failed=proc.returncode != 0)
    if progress:
        progress(tracker.lines(time.monotonic()))
    if proc.returncode != 0:
        log_file = files.compose_file.parent / "build.log"
        from devenv.adapters.fs import write_atomic

        write_atomic(log_file, "\n".join(tracker.log) + "\n")
        raise StackFailure(
            f"building {', '.join(services)} failed",
            hint=f"fix the Dockerfile or build context, then run the command again (the full log: {log_file})",
            details=["build output (last lines):", *tracker.failure_lines()],
        )


def as_statuses(lines: dict[str, str]) -> dict[str, ServiceStatus]:
    """Build progress in the shape up's progress display takes: each image's step as its state."""
    return {name: ServiceStatus(name, state=text) for name, text in lines.items()}


def _read(proc: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.put(line)
    lines.put(None)
