"""The workspace's .env (the secret answers compose reads): the one writer and the one reader.

Production env files that `devenv parity` reads are another dialect (`export`, comments, `eb printenv`)
and are read by domain/parity/readers/envfile.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

HEADER = "# Written by devenv: secret answers for the compose file beside it. Keep private (mode 0600)."


def dotenv_text(values: Mapping[str, str]) -> str:
    """The .env devenv writes: a header line, then KEY="escaped" lines in key order."""
    lines = [HEADER, *(f"{key}={dotenv_quote(value)}" for key, value in sorted(values.items()))]
    return "\n".join(lines) + "\n"


def dotenv_quote(value: str) -> str:
    """Quote for compose's .env parser: always double quotes, with \\ " $ and control characters escaped.

    (Single quotes are not literal there: a backslash before the closing quote escapes it.)"""
    escaped = value.translate(_DOTENV_ESCAPES)
    return f'"{escaped}"'


_DOTENV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "$": "\\$", "\r": "\\r", "\n": "\\n", "\t": "\\t"})


def parse_dotenv(text: str) -> dict[str, str]:
    """Read back the .env devenv writes: KEY="escaped" (and the older KEY='literal'); other lines are ignored.

    Lines end at \\n only: a carriage return belongs to the value it is in."""
    out: dict[str, str] = {}
    for line in text.split("\n"):
        m = re.fullmatch(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", line.strip(" \t"))
        if not m:
            continue
        key, raw = m.groups()
        if len(raw) >= 2 and raw[0] == raw[-1] == "'":
            out[key] = raw[1:-1]
        elif len(raw) >= 2 and raw[0] == raw[-1] == '"':
            out[key] = re.sub(r"\\(.)", lambda e: _UNESCAPE.get(e.group(1), e.group(1)), raw[1:-1])
        else:
            out[key] = raw
    return out


_UNESCAPE = {"r": "\r", "n": "\n", "t": "\t"}
