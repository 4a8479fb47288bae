"""What `docker compose --progress plain build` is doing, read from its output line by line. Pure.

BuildKit prints `#5 [web 2/4] RUN pip install ...` when a step starts (the classic builder prints
`Step 2/4 : RUN ...`); that is enough to show, per image, the current step and how long it has been
building, instead of a silent wait.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_BUILDKIT_STEP = re.compile(r"^#(\d+) \[(?P<service>[^\s\]]+) (?P<n>\d+)/(?P<of>\d+)\] (?P<what>.*)$")
_BUILDKIT_OTHER = re.compile(r"^#(\d+) \[(?P<service>[^\s\]]+)(?: internal)?\] (?P<what>.*)$")
_CLASSIC_STEP = re.compile(r"^Step (?P<n>\d+)/(?P<of>\d+) : (?P<what>.*)$")
_DONE = re.compile(r"^#(\d+) DONE\b")
_ERROR = re.compile(r"^#\d+ ERROR|^ERROR|failed to solve|^\s*\S+\s+Error\b")
MAX_SHOWN = 60


@dataclass
class ImageBuild:
    service: str
    started: float
    step: str = "starting"
    finished: float | None = None

    def shown(self, now: float) -> str:
        seconds = (self.finished if self.finished is not None else now) - self.started
        return f"{self.step}  {seconds:.0f}s"


@dataclass
class BuildTracker:
    """Per-service progress of one `compose build`, and the whole log (for --verbose and failures)."""

    services: list[str]
    started: float
    images: dict[str, ImageBuild] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    exports: dict[str, str] = field(default_factory=dict)  # BuildKit step id -> the service it exports

    def feed(self, line: str, now: float) -> bool:
        """Take one line of output; True when a service's shown step changed."""
        line = line.rstrip("\n")
        self.log.append(line)
        m = _BUILDKIT_STEP.match(line) or _CLASSIC_STEP.match(line)
        if m:
            service = m.groupdict().get("service") or self._current()
            if service is None:
                return False
            step = f"step {m['n']}/{m['of']}: {_short(m['what'])}"
            return self._set(service, step, now)
        other = _BUILDKIT_OTHER.match(line)
        if other and other["service"] in self.services:
            exporting = other["what"].startswith("exporting")
            if not exporting and other["service"] in self.images:
                return False  # BuildKit loads the context after FROM: the image is past "preparing"
            if exporting:
                self.exports[other[1]] = other["service"]
            return self._set(other["service"], "exporting the image" if exporting else "preparing", now)
        done = _DONE.match(line)
        if done and done[1] in self.exports:
            image = self.images[self.exports.pop(done[1])]
            image.step, image.finished = "built", now
            return True
        return False

    def _set(self, service: str, step: str, now: float) -> bool:
        image = self.images.get(service)
        if image is None:
            image = self.images[service] = ImageBuild(service, now)
        if image.step == step:
            return False
        image.step = step
        return True

    def _current(self) -> str | None:
        """The classic builder names no service per line: the one that started last is the one building."""
        if self.images:
            return list(self.images)[-1]
        return self.services[0] if self.services else None

    def finish(self, now: float, *, failed: bool = False) -> None:
        for image in self.images.values():
            if image.finished is None:
                image.step, image.finished = ("failed at " + image.step if failed else "built"), now

    def lines(self, now: float) -> dict[str, str]:
        """service -> what it shows now ("waiting" before its first step)."""
        return {s: self.images[s].shown(now) if s in self.images else "waiting" for s in self.services}

    def failure_lines(self, count: int = MAX_SHOWN) -> list[str]:
        """The end of the log, from the first error line if there is one near it."""
        tail = [line for line in self.log if line.strip()][-count:]
        first = next((i for i, line in enumerate(tail) if _ERROR.search(line)), None)
        return tail[max(0, first - 20) :] if first is not None else tail


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 3] + "..."
