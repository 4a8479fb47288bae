"""docs/parity.md lists every finding code, with an example and how to allow-list it."""

from __future__ import annotations

from pathlib import Path

import pytest

from devenv.domain.parity.config import validate_parity_section
from devenv.domain.parity.findings import ALLOW_CODES, CODES

DOCS = Path(__file__).resolve().parents[2] / "docs" / "parity.md"


def example_bullets() -> dict[str, str]:
    """Each `- `code`: ...` bullet with its indented continuation lines, by code."""
    bullets: dict[str, str] = {}
    current = None
    for line in DOCS.read_text(encoding="utf-8").splitlines():
        if line.startswith("- `") and "`:" in line:
            current = line[3 : line.index("`:")]
            bullets[current] = line
        elif current and line.startswith("  "):
            bullets[current] += " " + line.strip()
        else:
            current = None
    return bullets


@pytest.mark.parametrize("code", sorted(CODES))
def test_every_code_is_documented_with_its_severity_example_and_allow_entry(code: str) -> None:
    assert f"| `{code}` | {CODES[code].severity.value} |" in DOCS.read_text(encoding="utf-8")
    bullet = example_bullets().get(code)
    assert bullet is not None, f"{code}: no example"
    if code not in ALLOW_CODES:
        assert f"{{rule: {code}," in bullet


def test_documented_allow_entries_are_valid() -> None:
    import yaml

    entries = [b[b.index("{rule:") : b.rindex("}") + 1] for b in example_bullets().values() if "{rule:" in b]
    assert len(entries) == len(CODES) - len(ALLOW_CODES)
    for entry in entries:
        assert validate_parity_section({"allow": [yaml.safe_load(entry)]}) == [], entry
