"""The one rule for secret values in output: replaced by `***` wherever devenv prints."""

from __future__ import annotations

from collections.abc import Iterable

MASK = "***"
MIN_LENGTH = 3  # shorter values (a "1", a "no") would blank out ordinary words: not worth hiding


def redact(text: str, secrets: Iterable[str]) -> str:
    for value in sorted({s for s in secrets if len(s) >= MIN_LENGTH}, key=len, reverse=True):
        text = text.replace(value, MASK)
    return text
