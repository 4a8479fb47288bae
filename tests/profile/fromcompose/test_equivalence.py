"""`profile new --from-compose` on compose projects written for it: each generated profile lints clean
and renders back to what `docker compose config` makes of the original (tests/helpers/composeequiv.py)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.common import Result
from tests.helpers.composeequiv import equivalence

PROJECTS = Path(__file__).parent / "projects"

# project -> (compose files in -f order, the differences the report announces)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "multifile": (["compose.yaml", "compose.override.yaml"], []),
    "include": (["compose.yaml"], []),
    "extends": (["compose.yaml"], []),
    "envfile": (["compose.yaml"], []),
    "profiles": (["compose.yaml"], []),
    "depends": (
        ["compose.yaml"],
        [
            "web.depends_on: {'cache': 'service_started', 'db': 'service_healthy', 'migrate': "
            "'service_completed_successfully'} != {'cache': 'service_started', 'db': 'service_healthy', "
            "'migrate': 'service_started'}"
        ],
    ),
    "buildargs": (["compose.yaml"], []),
    # a short depends_on waits for "started"; a link to a service with a health check waits for "healthy"
    "wiring": (
        ["compose.yaml"],
        [
            "worker.depends_on: {'cache': 'service_started', 'db': 'service_started'} != "
            "{'cache': 'service_healthy', 'db': 'service_healthy'}"
        ],
    ),
}


def project(tmp_path: Path, name: str) -> Path:
    """A copy outside any git checkout: the compose files' folder is then the platform checkout."""
    dest = tmp_path / name
    shutil.copytree(PROJECTS / name, dest)
    return dest


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(CASES))
def test_the_generated_profile_lints_and_renders_back_to_the_compose_project(
    name: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    files, expected = CASES[name]
    root = project(tmp_path, name)
    args = [a for f in files for a in ("--from-compose", f)]
    done = cli("profile", "new", name, *args, "-o", str(tmp_path / "out"), cwd=root)
    assert done.code == 0, done.err
    profile = tmp_path / "out" / "profile.yaml"
    assert cli("profile", "lint", str(profile), cwd=root).code == 0
    assert equivalence([root / f for f in files], profile, root, tmp_path / "rendered") == expected
