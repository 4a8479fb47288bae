"""`devenv up`: converge the stack, wait until it is healthy, seed it once, and explain any failure."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devenv.adapters.compose import ComposeFiles
from devenv.context import AppContext
from devenv.domain.stack import converge as converge_rules
from devenv.domain.stack.health import ServiceStatus, service_statuses
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.errors import StackFailure
from devenv.usecases.healthnow import HealthNow
from devenv.usecases.workspace import Prepared, context_fingerprint, prepare

if TYPE_CHECKING:
    from devenv.usecases.answers import Ask

Progress = Callable[[str, dict[str, ServiceStatus]], None]  # (phase, statuses)
POLL_SECONDS = 0.2  # one engine query per poll, a few milliseconds each
LOG_LINES = 30


@dataclass
class UpResult:
    statuses: dict[str, ServiceStatus]
    changed: bool  # False: nothing needed doing (the fast path)
    built: list[str] = field(default_factory=list)
    seeded: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)  # what may not be as the user expects
    notes: list[str] = field(default_factory=list)  # what devenv decided on its own, and why (e.g. re-seeding)


def up(
    ctx: AppContext,
    *,
    profile_ref: str | None = None,
    sets: Mapping[str, str] | None = None,
    services: list[str] | None = None,
    build: bool = False,
    seed: bool = True,
    timeout: float = 300.0,
    progress: Progress | None = None,
    repo_dir: Path | None = None,
    recreate_volumes: bool = False,
    ask: Ask | None = None,  # a variable a newer profile version added, without a default: asked on a terminal
    frozen: bool = False,
    build_log: Callable[[str], None] | None = None,  # `--verbose`: every line of the build, instead of its steps
) -> UpResult:
    from devenv.usecases.lockfile import follow, record_images
    from devenv.usecases.workspace import locate

    started = time.monotonic()
    ws = locate(ctx, create=profile_ref is not None)
    fresh = not ws.state_dir.exists()
    try:
        with ws.lock("up"):
            profile_ref = follow(ctx, ws, profile_ref, frozen=frozen)  # the lock says which profile content
            prep = prepare(ctx, profile_ref=profile_ref, sets=sets or {}, repo_dir=repo_dir, ask=ask)
            ctx.workspaces.remember(prep.workspace.root)  # for `devenv ls`
            result = converge(
                ctx,
                prep,
                services=services,
                build=build,
                seed=seed,
                timeout=timeout,
                progress=progress,
                recreate_volumes=recreate_volumes,
                build_log=build_log,
            )
            if result.changed and not frozen:  # the lock notes the image each service now runs
                record_images(ctx, prep.workspace)
    except BaseException:
        if fresh and not ws.exists():  # a rejected first `up` leaves no .devenv/ behind
            ws.discard()
        raise
    result.seconds = time.monotonic() - started
    return result


def converge(
    ctx: AppContext,
    prep: Prepared,
    *,
    services: list[str] | None = None,
    build: bool = False,
    seed: bool = True,
    timeout: float = 300.0,
    progress: Progress | None = None,
    recreate_volumes: bool = False,
    build_log: Callable[[str], None] | None = None,
) -> UpResult:
    """Bring the prepared stack to its rendered state; the caller holds the workspace lock."""
    from devenv.usecases import data, remote

    state = prep.state
    notes: list[str] = []

    def say(note: str) -> None:
        notes.append(note)
        if progress:
            progress(note, {})

    if state.parity and state.parity_key != state.render_key:
        _record_parity(ctx, prep)
    wanted = converge_rules.wanted_services(state, services)
    from devenv.usecases.snapshots import recover

    recover(ctx, prep, say)  # a snapshot restore that did not finish: finished first (usecases/snapshots.py)
    data.clean_start(ctx, prep, say)  # a reset or a seed that did not finish: its data goes first
    remote.sync_code(ctx, prep, say)  # an engine over ssh: changed code is copied to its host first
    statuses = _statuses(ctx, prep.files.project, list(state.service_hashes), HealthNow(ctx))
    fingerprints = {name: context_fingerprint(folder) for name, folder in state.contexts.items()}
    stale = converge_rules.stale_images(wanted, fingerprints, state.built, build=build)
    seeding = converge_rules.needs_seed(state, wanted, seed=seed)
    if (
        not stale
        and not seeding
        and not recreate_volumes
        and converge_rules.converged(statuses, wanted, state.service_hashes)
    ):
        statuses = remote.arrive(ctx, prep.workspace, statuses, say)
        return UpResult(statuses, changed=False, warnings=list(prep.notes), notes=notes)
    from devenv.usecases.ports import make_room, retry_on_taken_port

    prep = make_room(ctx, prep, wanted, notes.append)  # every host port free or ours, before anything starts
    state = prep.state
    warnings = [*prep.notes, *data.secret_warnings(ctx, prep)]
    data.check_volumes(ctx, prep, recreate=recreate_volumes, say=say)
    if stale:
        if progress:
            progress("building " + ", ".join(stale), statuses)
        _build(ctx, prep.files, stale, progress, build_log)
        for name in stale:
            state.built[name] = fingerprints[name]
        prep.workspace.save(state)
    before = data.volume_identities(ctx, state.project)  # a seeded volume missing now is made again, empty
    prep, statuses = retry_on_taken_port(
        ctx, prep, wanted, notes.append, lambda p: _start_and_wait(ctx, p, wanted, timeout, progress)
    )
    state = prep.state
    lost = data.data_lost(ctx, prep, before)
    if lost:
        say(lost)
    seeded = False
    if converge_rules.needs_seed(state, wanted, seed=seed):  # again: data_lost may have found the seed gone
        data.run_seeds(ctx, prep, lambda phase: progress(phase, statuses) if progress else None)
        seeded = True
    prep.workspace.save(state)
    statuses = remote.arrive(ctx, prep.workspace, statuses, say)
    return UpResult(statuses, changed=True, built=stale, seeded=seeded, warnings=warnings, notes=notes)


def _record_parity(ctx: AppContext, prep: Prepared) -> None:
    """The parity report's one line, computed once per render and kept in state for `status`."""
    from devenv.errors import DevenvError
    from devenv.usecases.parity import ParityOptions, workspace_parity

    try:
        line = workspace_parity(ctx, ParityOptions(), runtime=False, loaded=prep.profile).summary_line()
    except DevenvError as exc:
        line = f"parity: could not check ({exc.message})"
    prep.state.parity_line, prep.state.parity_key = line, prep.state.render_key
    prep.workspace.save(prep.state)


def _statuses(
    ctx: AppContext, project: str, services: list[str], health: HealthNow | None = None
) -> dict[str, ServiceStatus]:
    """Each service's status; with `health`, a service whose first health check is still to come is
    healthy once its check, run now, passes (usecases/healthnow.py)."""
    statuses = service_statuses(ctx.engine.containers({PROJECT_LABEL: project}), services)
    return health(statuses) if health else statuses


def _build(
    ctx: AppContext,
    files: ComposeFiles,
    services: list[str],
    progress: Progress | None,
    build_log: Callable[[str], None] | None = None,
) -> None:
    """Build with each image's current step and elapsed time shown, or its whole log (usecases/building.py)."""
    from devenv.usecases.building import as_statuses, build_images

    def show(lines: dict[str, str]) -> None:
        if progress:
            progress("building " + ", ".join(services), as_statuses(lines))

    if build_log is not None:
        build_images(ctx, files, services, verbose=build_log)
        return
    build_images(ctx, files, services, progress=show)


def _start_and_wait(
    ctx: AppContext,
    prep: Prepared,
    wanted: list[str],
    timeout: float,
    progress: Progress | None,
    *,
    recreate: bool = False,
) -> dict[str, ServiceStatus]:
    files = prep.files
    argv = [*ctx.compose.base_argv(files), "up", "--detach", "--remove-orphans", "--no-build", *wanted]
    if recreate:
        argv.insert(argv.index("up") + 1, "--force-recreate")
    proc = ctx.compose.runner.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + timeout
    all_services = list(prep.state.service_hashes)
    unchecked = [n for n in wanted if n not in prep.state.healthchecked]  # up only once settled
    settling: converge_rules.Settling = {}

    def inspect(container_id: str) -> dict[str, Any]:
        return ctx.engine.inspect(container_id) or {}

    health = HealthNow(ctx)
    statuses: dict[str, ServiceStatus] = {}
    compose_done = False
    stderr = ""
    try:
        while True:
            statuses = _statuses(ctx, files.project, all_services, health)
            if progress:
                progress("starting", statuses)
            if not compose_done and proc.poll() is not None:
                compose_done = True
                _out, stderr = proc.communicate()
                if proc.returncode != 0 and not recreate and _NETWORK_GONE.search(stderr):
                    # `docker network prune` took the network of the stopped stack: its containers still
                    # name it, and compose will not start them. New containers (the volumes stay) fix it.
                    if progress:
                        progress("the stack's network was removed (docker network prune?): recreating", statuses)
                    left = max(deadline - time.monotonic(), 1.0)
                    return _start_and_wait(ctx, prep, wanted, left, progress, recreate=True)
                if proc.returncode != 0:
                    statuses = _statuses(ctx, files.project, all_services)
                    raise _diagnose(ctx, prep, statuses, wanted, stderr)
            failed = [n for n in wanted if statuses[n].failure and statuses[n].state != "missing"]
            # a restart loop never ends by itself, and compose may wait on it forever: diagnose it now
            looping = [n for n in wanted if statuses[n].state == "restarting"]
            if not looping:
                restarted = converge_rules.restarted(statuses, unchecked, settling, inspect, time.monotonic())
                statuses.update(
                    {n: replace(statuses[n], state="restarting", exit_code=c) for n, c in restarted.items()}
                )
                looping = list(restarted)
            if (failed and compose_done) or looping:
                raise _diagnose(ctx, prep, statuses, looping or wanted, stderr)
            settled = converge_rules.settled(settling, unchecked, time.monotonic())
            if compose_done and all(statuses[n].ready for n in wanted) and settled:
                return statuses
            if time.monotonic() > deadline:
                slow = [n for n in wanted if not statuses[n].ready]
                raise _diagnose(ctx, prep, statuses, slow, stderr, timed_out=True)
            time.sleep(POLL_SECONDS)
    finally:
        ctx.runner.stop(proc)


_NETWORK_GONE = re.compile(r"network \S+ not found")
_PORT_PATTERNS = (
    re.compile(r"Bind for [^\s]*:(\d+) failed: port is already allocated"),
    re.compile(r"listen (?:tcp|udp)[46]? [^\s]*:(\d+): bind: address already in use"),
    re.compile(r"ports are not available: .*?:(\d+)"),
)


def _diagnose(
    ctx: AppContext,
    prep: Prepared,
    statuses: dict[str, ServiceStatus],
    wanted: list[str],
    compose_stderr: str,
    *,
    timed_out: bool = False,
) -> StackFailure:
    for pattern in _PORT_PATTERNS:
        m = pattern.search(compose_stderr)
        if m:
            return _port_failure(ctx, prep, int(m.group(1)))
    culprit = next((statuses[n] for n in wanted if statuses.get(n) and statuses[n].failure), None)
    if culprit is None and timed_out:
        culprit = next((statuses[n] for n in wanted if n in statuses and not statuses[n].ready), None)
    if culprit is None or culprit.state == "missing":
        last = compose_stderr.strip().splitlines()[-1] if compose_stderr.strip() else "no output"
        return StackFailure(
            f"docker compose could not start the stack: {last}",
            hint="run `devenv --debug up` to see the compose commands, or `devenv logs`",
        )
    what = culprit.failure or f"is still {culprit.shown_state} after the timeout"
    details = []
    health = _last_health_output(ctx, culprit)
    if health:
        details += ["last health check output:", *[f"  {line}" for line in health.splitlines()[:10]]]
    logs = _last_logs(ctx, prep.files, culprit.service)
    details += [f"last {LOG_LINES} log lines of {culprit.service}:", *[f"  {line}" for line in logs]]
    return StackFailure(
        f"service '{culprit.service}' {what}",
        hint=f"see `devenv logs {culprit.service}`; fix it, then run `devenv up` again",
        details=details,
    )


def _last_health_output(ctx: AppContext, status: ServiceStatus) -> str:
    if not status.container_id:
        return ""
    info = ctx.engine.inspect(status.container_id) or {}
    log = ((info.get("State") or {}).get("Health") or {}).get("Log") or []
    if not log:
        return ""
    last = log[-1]
    return f"exit {last.get('ExitCode')}: {str(last.get('Output', '')).strip() or '(no output)'}"


def _last_logs(ctx: AppContext, files: ComposeFiles, service: str) -> list[str]:
    done = ctx.compose.run(files, ["logs", "--no-color", "--no-log-prefix", "--tail", str(LOG_LINES), service])
    lines = (done.stdout + done.stderr).rstrip().splitlines()
    return lines[-LOG_LINES:] or ["(no log output)"]


def _port_failure(ctx: AppContext, prep: Prepared, port: int) -> StackFailure:
    holder = _port_holder(ctx, port)
    service = next((s for s, ports in prep.state.ports.items() if port in ports), None)
    hint = "free the port, or publish the service on another one"
    variable = _port_variable(ctx, prep, service, port) if service else None
    if variable:
        hint = f"free the port, or pick another: devenv up --set {variable}=<free port>"
    who = f" (held by {holder})" if holder else ""
    where = f" for service '{service}'" if service else ""
    from devenv.usecases.ports import PortTaken

    return PortTaken(f"host port {port}{where} is already in use{who}", hint=hint)


def _port_holder(ctx: AppContext, port: int) -> str | None:
    from devenv.usecases.ports import holder_of

    holder = holder_of(ctx, port)
    return holder.describe() if holder else None


def _port_variable(ctx: AppContext, prep: Prepared, service: str, port: int) -> str | None:
    """The profile variable that sets this host port, so the hint can name the --set that moves it."""
    profile = prep.profile_of(ctx)
    for raw in profile.services[service].ports:
        m = re.match(r"(?:[^:]*:)?\$\{([^}]+)\}:", raw)
        if m and prep.state.answers.get(m.group(1)) == str(port):
            return m.group(1)
    return None
