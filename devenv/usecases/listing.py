"""`devenv ls`: this machine's workspaces, their state and ports.

Found two ways: the list `up` and `init` keep in devenv's data folder (ctx.workspaces), and the engine's
containers labelled as devenv's (compose records the folder they were started from). Read-only, except
that a listed folder which no longer holds a workspace is dropped from the list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from devenv.adapters.workspace import DamagedState
from devenv.context import AppContext
from devenv.domain.stack.listing import WorkspaceLine, by_project, root_from_labels, workspace_line
from devenv.domain.stack.names import WORKSPACE_LABEL
from devenv.errors import DevenvError
from devenv.usecases.healthnow import HealthNow


def list_workspaces(ctx: AppContext) -> list[WorkspaceLine]:
    projects: dict[str, list[Mapping[str, Any]]] | None
    try:
        projects = by_project(ctx.engine.containers_labelled(WORKSPACE_LABEL))
    except DevenvError:
        projects = None  # no engine: the listed workspaces are still shown, their state unknown
    listed = ctx.workspaces.roots()
    roots = [(root, "registry") for root in listed]
    for grouped in (projects or {}).values():
        found = root_from_labels(grouped)
        if found is not None and Path(found) not in listed:
            roots.append((Path(found), "engine"))
    lines, gone = [], []
    for root, found_by in roots:
        ws = ctx.workspace_at(root)
        if not ws.exists():
            gone.append(root)
            continue
        try:
            state = ws.load()
        except DamagedState:
            lines.append(WorkspaceLine(str(root), "?", "?", "damaged", 0, 0, (), found_by))
            continue
        services = [n for n in state.service_hashes if n not in state.optional]
        containers = None if projects is None else projects.get(state.project, [])
        line = workspace_line(
            str(root), state.profile.ref, state.project, services, containers, state.ports, HealthNow(ctx)
        )
        lines.append(replace(line, found_by=found_by))
    if gone:
        ctx.workspaces.forget(gone)
    return lines
