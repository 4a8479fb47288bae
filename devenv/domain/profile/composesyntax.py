"""How compose reads the values devenv writes: short-syntax volumes and `$` interpolation.

The host-access check reads the rendered compose model through these, so it sees what compose will do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMPOSE_VAR = re.compile(r"\$(\$|\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*)?")


@dataclass(frozen=True)
class Volume:
    """A short-syntax volume as compose parses it."""

    kind: str  # "bind" or "volume"
    source: str
    target: str


def parse_volume(spec: str) -> Volume | str:
    """Compose v2's short syntax `[SOURCE:]TARGET[:OPTIONS]`, read the same way; an error text if invalid."""
    if len(spec) <= 2:
        return Volume("volume", "", spec)
    fields: list[str] = []
    buf = ""
    for char in spec:
        if char == ":" and len(buf) == 1 and buf.isalpha():  # a Windows drive letter, as compose reads it
            buf += char
        elif char == ":":
            fields.append(buf)
            buf = ""
        else:
            buf += char
    fields.append(buf)
    if any(not f for f in fields):
        return "empty section between colons"
    if len(fields) > 3:
        return "too many colons"
    if len(fields) == 1:
        return Volume("volume", "", fields[0])
    source = fields[0]
    is_path = source[0] in "./~" or source.startswith("\\\\") or (len(source) > 1 and source[1] == ":")
    return Volume("bind" if is_path else "volume", source, fields[1])


def compose_literal(text: str) -> str | None:
    """What compose makes of a value: `$$` is `$`; None when compose would substitute something in."""
    out = []
    pos = 0
    for m in _COMPOSE_VAR.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        if m.group(1) in ("$", None):
            out.append("$")
        else:
            return None
    out.append(text[pos:])
    return "".join(out)
