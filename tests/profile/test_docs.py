"""docs/profiles.md stays the complete reference of the profile format.

Every key of the spec is documented in its section, and every example that is a whole profile lints clean.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from devenv.domain.profile import format as profile_spec
from devenv.domain.profile.render import HEALTH_DEFAULTS
from devenv.domain.profile.spec_engine import Obj, OneOf, Spec
from devenv.domain.stack.names import DEVENV_SERVICE_LABEL, HASH_LABEL, PROFILE_LABEL, WORKSPACE_LABEL
from tests.helpers.common import REPO_ROOT, Result

DOC = REPO_ROOT / "docs" / "profiles.md"
TEXT = DOC.read_text(encoding="utf-8")
FILE_HEADER = re.compile(r"# file: (?P<name>[\w.-]+\.yaml)$")


def make_build_folders(block: str, root: Path) -> None:
    """The build folders a doc profile names (lint checks they exist), next to it as in a real checkout."""
    for service in (yaml.safe_load(block).get("services") or {}).values():
        build = (service or {}).get("build")
        context = build.get("context") if isinstance(build, dict) else build
        if isinstance(context, str) and "${" not in context:
            (root / context).mkdir(parents=True, exist_ok=True)


def mapping_form(spec: Spec) -> Obj:
    """The mapping alternative of a key that also has a short form (`build: app` or `build: {...}`)."""
    assert isinstance(spec, OneOf)
    [obj] = [option for option in spec.options if isinstance(option, Obj)]
    return obj


# heading in the doc -> the spec whose keys that section must document
SECTIONS: dict[str, Obj] = {
    "## Top-level keys": profile_spec.PROFILE,
    "## Service keys": profile_spec.SERVICE,
    "### `build`": mapping_form(profile_spec.BUILD),
    "### `healthcheck`": mapping_form(profile_spec.HEALTHCHECK),
    "### Variable keys": profile_spec.VARIABLE,
    "## Seed tasks": profile_spec.SEED_TASK,
    "### Repo keys": mapping_form(profile_spec.REPO),
    "### Host access keys": profile_spec.HOST_ACCESS,
}


def prose_lines(text: str) -> list[tuple[str, bool]]:
    """Each line, and whether it is outside a fenced block (a `# comment` in YAML is not a heading)."""
    out: list[tuple[str, bool]] = []
    fenced = False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
            out.append((line, False))
        else:
            out.append((line, not fenced))
    return out


def section(heading: str) -> str:
    """The text under `heading`, up to the next heading of the same or a higher level."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = prose_lines(TEXT)
    starts = [i for i, (line, prose) in enumerate(lines) if prose and line == heading]
    assert len(starts) == 1, f"docs/profiles.md needs exactly one heading {heading!r}, found {len(starts)}"
    body: list[str] = []
    for line, prose in lines[starts[0] + 1 :]:
        if prose and re.match(rf"#{{1,{level}}} ", line):
            break
        body.append(line)
    return "\n".join(body)


def yaml_blocks() -> list[str]:
    return re.findall(r"^```yaml\n(.*?)^```$", TEXT, flags=re.MULTILINE | re.DOTALL)


def whole_profiles() -> list[str]:
    return [block for block in yaml_blocks() if block.startswith("name:")]


def profile_id(block: str) -> str:
    return block.splitlines()[0].removeprefix("name:").strip()


@pytest.mark.parametrize("heading", list(SECTIONS))
def test_every_key_is_documented_in_its_section(heading: str) -> None:
    body = section(heading)
    missing = [key for key in SECTIONS[heading].fields if f"`{key}`" not in body]
    assert not missing, f"docs/profiles.md, section {heading!r}: document {', '.join(missing)}"


@pytest.mark.parametrize("spec", [profile_spec.PROFILE, profile_spec.SERVICE], ids=["profile", "service"])
def test_top_level_and_service_keys_each_have_their_own_heading(spec: Obj) -> None:
    headings = {line for line, prose in prose_lines(TEXT) if prose and line.startswith("### ")}
    missing = [key for key in spec.fields if f"### `{key}`" not in headings]
    assert not missing, f"docs/profiles.md: add a '### `KEY`' entry for {', '.join(missing)}"


def test_variable_types_health_defaults_and_labels_are_documented() -> None:
    types = section("### Types")
    assert [t for t in profile_spec.VARIABLE_TYPES if f"| `{t}` |" not in types] == []
    health = section("### `healthcheck`")
    for key, value in HEALTH_DEFAULTS.items():
        assert f"| `{key}` |" in health and f"`{value}`" in health, key
    output = section("## The rendered output")
    for label in (WORKSPACE_LABEL, PROFILE_LABEL, DEVENV_SERVICE_LABEL, HASH_LABEL):
        assert f"`{label}`" in output, label
    assert "docs/parity.md" in section("### `parity`")


def test_every_yaml_example_is_valid_yaml() -> None:
    blocks = yaml_blocks()
    assert len(blocks) >= 30, "fewer YAML examples than expected: did the fence syntax change?"
    for block in blocks:
        yaml.safe_load(block)


def test_the_complete_example_has_five_linked_services() -> None:
    example = yaml.safe_load(whole_profiles()[0])
    assert set(example["services"]) == {"web", "worker", "db", "cache", "broker"}
    assert all(example["services"][name].get("links") for name in ("web", "worker"))


@pytest.mark.parametrize("block", whole_profiles(), ids=profile_id)
def test_each_complete_profile_in_the_doc_lints_clean(block: str, tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / f"{profile_id(block)}.yaml"
    path.write_text(block, encoding="utf-8")
    make_build_folders(block, tmp_path)
    result = cli("profile", "lint", str(path))
    assert result.code == 0, result.err
    assert result.out == f"ok: {path}\n"


def test_profiles_written_as_files_lint_clean_together(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """Blocks headed `# file: NAME.yaml` (e.g. a base and a profile extending it) are written side by side."""
    files: list[Path] = []
    for block in yaml_blocks():
        header = FILE_HEADER.match(block.splitlines()[0])
        if header:
            files.append(tmp_path / header["name"])
            files[-1].write_text(block, encoding="utf-8")
            make_build_folders(block, tmp_path)
    assert len(files) >= 2
    result = cli("profile", "lint", *map(str, files))
    assert result.code == 0, result.err
    assert result.out.splitlines() == [f"ok: {f}" for f in files]
