"""Use cases get their adapters from the context, so a test (or a future command) can swap them."""

from __future__ import annotations

import os
from pathlib import Path

from devenv.adapters.workspace import Workspace
from devenv.context import AppContext
from devenv.settings import load_settings
from devenv.usecases.hostaccess import approve
from devenv.usecases.profiles import load
from devenv.usecases.workspace import locate
from tests.helpers.common import write_yaml
from tests.helpers.stack import busybox_profile


def context(tmp_path: Path) -> AppContext:
    env = {**os.environ, "DEVENV_DATA_DIR": str(tmp_path / "data")}
    return AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=False)


class RecordingApprovals:
    def __init__(self) -> None:
        self.recorded: list[str] = []

    def approved(self, key: str) -> bool:
        return False

    def record(self, key: str, profile: str, grants: list[str]) -> None:
        self.recorded.append(profile)


def test_host_access_approvals_come_from_the_context(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    data = busybox_profile(name="granted")
    data["services"]["web"]["volumes"] = [f"{shared}:/shared:ro"]
    data["host_access"] = {"web": {"reason": "reads the shared folder", "paths": [str(shared)]}}
    ctx = context(tmp_path)
    ctx.trust_host_access = True
    store = RecordingApprovals()
    ctx.approvals = store  # type: ignore[assignment]
    approve(ctx, load(ctx, str(write_yaml(tmp_path / "granted.yaml", data))))
    assert store.recorded == ["granted"]
    assert not (tmp_path / "data").exists()  # the real store was never touched


def test_workspaces_come_from_the_context(tmp_path: Path) -> None:
    made: list[Path] = []

    class Recorded(Workspace):
        pass

    def workspace_at(root: Path) -> Workspace:
        made.append(root)
        return Recorded(root)

    ctx = context(tmp_path)
    ctx.workspace_at = workspace_at  # type: ignore[method-assign]
    ws = locate(ctx, create=True)
    assert isinstance(ws, Recorded) and made == [tmp_path.resolve()]
    (tmp_path / ".devenv").mkdir()
    (tmp_path / ".devenv" / "state.json").write_text("{}")
    inner = tmp_path / "src"
    inner.mkdir()
    ctx.cwd = inner
    assert isinstance(locate(ctx), Recorded)  # found above cwd, still handed out by the context
