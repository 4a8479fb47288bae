"""What the generator could not carry over, each pinned to the compose file and line that wrote it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Note:
    where: str  # "compose.yaml:12", or the file alone when the line is unknown
    what: str  # "services.web.cap_add", or "" for the whole project
    message: str
    dropped: bool = True  # False: carried over, but changed (the note says how)

    def render(self) -> str:
        what = f"{self.what}: " if self.what else ""
        return f"{self.where}: {what}{self.message}"


def report_text(name: str, files: Sequence[str], notes: Sequence[Note]) -> str:
    """The report written beside the profile: what was dropped, then what changed on the way."""
    lines = [
        f"# Profile '{name}' generated from {', '.join(files)}",
        "",
    ]
    dropped = [n for n in notes if n.dropped]
    changed = [n for n in notes if not n.dropped]
    lines.append(f"## Not carried over ({len(dropped)})")
    lines.append("")
    lines += [f"- {n.render()}" for n in dropped] or ["- nothing: every key of the compose files has a place"]
    lines += ["", f"## Carried over differently ({len(changed)})", ""]
    lines += [f"- {n.render()}" for n in changed] or ["- nothing"]
    return "\n".join(lines) + "\n"
