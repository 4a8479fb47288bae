"""One profile load per command: the profile files adapter the context hands out is wrapped and counted.

A load reads the profile's own file once (`read(ref, None)`); files it `extends` are read with the file
that names them, and are not counted.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from devenv.adapters.profile_files import ProfileFiles
from devenv.adapters.workspace import Workspace
from devenv.cli.main import run
from devenv.context import AppContext
from devenv.settings import load_settings
from devenv.usecases.workspace import prepare
from tests.helpers.common import write_yaml
from tests.helpers.stack import BUSYBOX, docker

PROFILE: dict[str, Any] = {
    "name": "loads",
    "version": "1.0.0",
    "variables": {"word": {"type": "string", "default": "hello"}},
    "services": {"app": {"image": BUSYBOX, "command": ["sleep", "3600"], "environment": {"WORD": "${word}"}}},
}


class CountingFiles(ProfileFiles):
    def __init__(self, inner: ProfileFiles) -> None:
        super().__init__(inner.sources, inner.cwd)
        self.loads = 0

    def read(self, ref: str, from_file: str | None) -> tuple[str, str]:
        if from_file is None:
            self.loads += 1
        return super().read(ref, from_file)


def counting_context(cwd: Path) -> tuple[AppContext, CountingFiles]:
    env = dict(os.environ)
    ctx = AppContext(settings=load_settings(env), cwd=cwd, env=env, interactive=False)
    files = CountingFiles(ctx.profile_files)
    ctx.profile_files = files  # the cached adapter, swapped for the counting one
    return ctx, files


def loads_of(cwd: Path, *args: str) -> int:
    ctx, files = counting_context(cwd)
    code = run(list(args), obj=ctx, raise_bugs=True)
    assert code == 0, args
    return files.loads


def test_init_dry_run_loads_the_profile_once(tmp_path: Path) -> None:
    profile = write_yaml(tmp_path / "loads.yaml", PROFILE)
    root = tmp_path / "ws"
    root.mkdir()
    assert loads_of(root, "init", "--dry-run", "--yes", "--profile", str(profile)) == 1


def test_a_render_carries_the_profile_and_later_needs_reuse_it(tmp_path: Path) -> None:
    profile = write_yaml(tmp_path / "loads.yaml", PROFILE)
    ctx, files = counting_context(tmp_path)
    prep = prepare(ctx, profile_ref=str(profile), sets={})
    assert (prep.rerendered, files.loads) == (True, 1)
    assert prep.profile_of(ctx) is prep.profile  # e.g. the port hint: no second load
    assert files.loads == 1

    ctx, files = counting_context(tmp_path)
    prep = prepare(ctx, profile_ref=None, sets={})
    assert (prep.rerendered, prep.profile, files.loads) == (False, None, 0)  # nothing changed: not loaded
    first = prep.profile_of(ctx)
    assert prep.profile_of(ctx) is first
    assert files.loads == 1  # loaded when first needed, once


@pytest.mark.integration
@pytest.mark.slow
def test_init_then_up_load_the_profile_once_each(tmp_path: Path) -> None:
    profile = write_yaml(tmp_path / "loads.yaml", PROFILE)
    root = tmp_path / "ws"
    root.mkdir()
    try:
        assert loads_of(root, "init", "--yes", "--profile", str(profile)) == 1
        assert loads_of(root, "up") == 0  # nothing changed: no load at all
        assert loads_of(root, "up", "--set", "word=bye") == 1
    finally:
        project = Workspace(root).load().project
        docker("compose", "-p", project, "down", "-v", "--remove-orphans", "-t", "1")
