"""`--set NAME=VALUE` flags: parsed without loading any profile code (up's no-op path stays light)."""

from __future__ import annotations

from devenv.errors import UserError


def parse_sets(pairs: list[str]) -> dict[str, str]:
    """`--set name=value` flags into a dict; a malformed one is a user error naming the flag."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--set '{pair}' is not NAME=VALUE", hint="e.g. --set web_port=8080")
        out[name.strip()] = value
    return out
