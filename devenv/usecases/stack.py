"""The daily commands besides `up`: status, down, reset, logs, exec, run."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devenv.context import AppContext
from devenv.domain.stack.health import ServiceStatus, service_statuses
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.domain.stack.state import parity_status_line
from devenv.errors import UserError
from devenv.usecases import remote
from devenv.usecases.healthnow import HealthNow
from devenv.usecases.workspace import files_of, open_existing, prepare, up_to_date

if TYPE_CHECKING:  # status (the hot path) needs neither up's nor the data use cases' code
    from devenv.usecases.up import Progress, UpResult


@dataclass
class StatusReport:
    workspace: str
    project: str
    profile: str
    statuses: dict[str, ServiceStatus]
    drifted: list[str]  # services whose running container no longer matches the profile
    profile_changed: bool  # the profile or answers changed since the last render
    now: float
    parity: str | None = None  # one line, when the profile names production manifests
    remote: str | None = None  # the engine's host and the ports tunnel, when the engine is remote

    optional: tuple[str, ...] = ()

    @property
    def missing(self) -> list[str]:
        """Services outside the optional groups that have no container: `up` would create them."""
        return [n for n, st in self.statuses.items() if st.state == "missing" and n not in self.optional]

    @property
    def stopped(self) -> list[str]:
        """Services outside the optional groups whose container exists but does not run: `up` starts them."""
        from devenv.domain.stack.not_up import STOPPED_STATES

        return [n for n, st in self.statuses.items() if st.state in STOPPED_STATES and n not in self.optional]

    @property
    def needs_up(self) -> bool:
        return self.profile_changed or bool(self.drifted) or bool(self.missing) or bool(self.stopped)

    @property
    def healthy(self) -> bool:
        """Every service outside the optional groups runs and is healthy (or has no health check)."""
        return all(st.ready for name, st in self.statuses.items() if name not in self.optional)


def status(ctx: AppContext) -> StatusReport:
    """One engine query; no rendering, no YAML."""
    ws, state = open_existing(ctx)
    containers = ctx.engine.containers({PROJECT_LABEL: state.project})
    statuses = HealthNow(ctx)(service_statuses(containers, list(state.service_hashes)))  # a check not run yet: now
    statuses = remote.shown(ctx, ws, statuses)
    changed = not up_to_date(ws, state, ctx.env)
    drifted = [
        name
        for name, st in statuses.items()
        if st.state != "missing" and st.config_hash != state.service_hashes.get(name)
    ]
    return StatusReport(
        workspace=str(ws.root),
        project=state.project,
        profile=state.profile.ref,
        statuses=statuses,
        drifted=drifted,
        profile_changed=changed,
        now=time.time(),
        parity=parity_status_line(state, changed) if state.parity else None,
        optional=tuple(state.optional),
        remote=remote.tunnel_line(ctx, ws),
    )


def down(ctx: AppContext, *, volumes: bool, confirm: Callable[[str], bool], images: bool = False) -> None:
    from devenv.usecases.data import compose_or_fail

    ws, state = open_existing(ctx)
    if volumes and not confirm(f"Remove the stack '{state.project}' and its volumes (all its data)?"):
        raise UserError("nothing removed", hint="pass --yes to skip the question")
    with ws.lock("down"):
        files = files_of(ws, state)
        if not state.files_digest or ws.files_digest() != state.files_digest:
            prep = prepare(ctx, profile_ref=None, sets={})  # a damaged compose file is written again
            files, state = prep.files, prep.state
        if volumes:  # recorded first: a `down -v` killed half-way must not leave a stack that claims its seed
            remote.check_owner(ctx, state.project)  # on a shared engine: never another user's volumes
            state.seeded = False
            state.seed_status = {}
            ws.save(state)
        args = ["down", "--remove-orphans", *(["--volumes"] if volumes else [])]
        # --images: the images compose built for this project (named after it); pulled and re-tagged ones stay
        compose_or_fail(ctx, files, [*args, *(["--rmi", "local"] if images else [])])
        remote.close_tunnel(ws)
        if images:  # the next `up` builds them again
            state.built = {}
            ws.save(state)


def reset(
    ctx: AppContext,
    *,
    confirm: Callable[[str], bool],
    progress: Progress | None,
    timeout: float = 300.0,
    reseed: bool = False,
) -> UpResult:
    """Back to freshly seeded data: restore the `seeded` snapshot when it fits (usecases/snapshots.py),
    else down with this workspace's volumes, up, seed again."""
    from devenv.usecases.data import delete_data
    from devenv.usecases.snapshots import reset_from_snapshot
    from devenv.usecases.up import converge

    started = time.monotonic()
    ws, state = open_existing(ctx)
    if not confirm(f"Reset '{state.project}': delete its data and seed it again?"):
        raise UserError("nothing reset", hint="pass --yes to skip the question")
    with ws.lock("reset"):
        prep = prepare(ctx, profile_ref=None, sets={})
        remote.check_owner(ctx, prep.state.project)  # on a shared engine: never another user's volumes
        restored, why = reset_from_snapshot(ctx, prep, reseed=reseed, progress=progress, timeout=timeout)
        if restored is not None:
            restored.seconds = time.monotonic() - started
            return restored
        if progress:
            progress(why, {})
            progress("removing containers and volumes", {})
        delete_data(ctx, prep)  # "reset in progress" is on disk before anything is deleted
        result = converge(ctx, prep, timeout=timeout, progress=progress)
        result.notes.insert(0, why)
    result.seconds = time.monotonic() - started
    return result


def passthrough(ctx: AppContext, args: list[str]) -> int:
    """Run a compose subcommand attached to the user's terminal; its exit code is ours."""
    ws, state = open_existing(ctx)
    done = ctx.compose.run(files_of(ws, state), args, capture=False)
    return done.returncode


def logs(ctx: AppContext, services: list[str], *, follow: bool, tail: int | None) -> int:
    for service in services:
        _check_service(ctx, service)
    args = ["logs", *(["--follow"] if follow else []), *(["--tail", str(tail)] if tail is not None else [])]
    return passthrough(ctx, [*args, *services])


def exec_in(ctx: AppContext, service: str, command: list[str], *, tty: bool) -> int:
    from devenv.usecases.running import require_running

    _check_service(ctx, service)
    require_running(ctx, open_existing(ctx)[1].project, service)
    return passthrough(ctx, ["exec", *([] if tty else ["-T"]), service, *command])


def run_once(ctx: AppContext, service: str, command: list[str], *, tty: bool) -> int:
    """A one-off container of `service` (its links started first), removed afterwards."""
    import uuid

    _check_service(ctx, service)
    _ws, state = open_existing(ctx)
    # a known name: if devenv is stopped (Ctrl-C, SIGTERM) while compose runs it, compose is killed before
    # its `--rm` happens, and the container would go on running; devenv removes it by this name
    name = f"{state.project}-run-{service}-{uuid.uuid4().hex[:8]}"
    try:
        return passthrough(ctx, ["run", "--rm", "--name", name, *([] if tty else ["-T"]), service, *command])
    except BaseException:
        ctx.engine.remove_container(name)
        raise


def _check_service(ctx: AppContext, service: str) -> None:
    _ws, state = open_existing(ctx)
    if service not in state.service_hashes:
        import difflib

        close = difflib.get_close_matches(service, list(state.service_hashes), n=1)
        raise UserError(
            f"no service '{service}' in this stack",
            hint=f"did you mean '{close[0]}'?" if close else f"services: {', '.join(state.service_hashes)}",
        )
