"""What `docker compose watch` prints, as events devenv can report and act on. Pure: tested on real lines.

compose 2.x prints one line per action (`Syncing service "web" after 1 changes were detected`,
`service(s) ["web"] restarted`, ...), build output while it rebuilds, and warnings as logrus lines
(`time=... level=warning msg="Error handling changed files: ..."`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SERVICES = r"\[([^\]]*)\]"
_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("enabled", re.compile(r"^Watch enabled\b")),
    ("synced", re.compile(r'^Syncing service "?([^" ]+)"? after (\d+) changes? (?:were|was) detected')),
    ("restarted", re.compile(rf"^service\(s\) {_SERVICES} restarted")),
    ("rebuilding", re.compile(rf"^Rebuilding service\(s\) {_SERVICES} after changes were detected")),
    ("built", re.compile(rf"^service\(s\) {_SERVICES} successfully built")),
)
_LOGRUS = re.compile(r'level=(warning|error|fatal) msg="((?:[^"\\]|\\.)*)"')
_NOISE = ("configured to build using Bake",)


@dataclass(frozen=True)
class WatchEvent:
    kind: str  # enabled, synced, restarted, rebuilding, built, warning, error, output
    services: tuple[str, ...] = ()
    changes: int = 0
    text: str = ""  # the message of a warning or error; the line itself for output


def parse_line(line: str) -> WatchEvent | None:
    """The event one line of compose's output stands for; None for a blank line or known noise."""
    line = line.rstrip()
    if not line.strip() or any(n in line for n in _NOISE):
        return None
    for kind, pattern in _PATTERNS:
        m = pattern.search(line)
        if m is None:
            continue
        if kind == "enabled":
            return WatchEvent(kind)
        if kind == "synced":
            return WatchEvent(kind, (m.group(1),), changes=int(m.group(2)))
        return WatchEvent(kind, _service_list(m.group(1)))
    m = _LOGRUS.search(line)
    if m:
        kind = "warning" if m.group(1) == "warning" else "error"
        return WatchEvent(kind, text=m.group(2).replace('\\"', '"'))
    if line.startswith(("Error response from daemon", "Error ", "error ")):
        return WatchEvent("error", text=line)
    return WatchEvent("output", text=line)


def _service_list(text: str) -> tuple[str, ...]:
    """Go's %q of a string list: `"web" "worker"`."""
    return tuple(re.findall(r'"([^"]+)"', text)) or tuple(text.split())
