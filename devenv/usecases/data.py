"""The stack's data: its volumes, seeding it exactly once, and deleting it only when devenv says why.

- Seeding records each task as "started" before it runs and "done" after (domain/seeding.py); a task left
  "started" (devenv was killed, or interrupted) or "failed" means the data may be half-written, so the
  next `up` deletes the stack's volumes, says so, and seeds from a clean state.
- "Seeded" is tied to the volumes: their identity (name and creation time) is recorded with the seed, and
  a volume removed or re-created behind devenv's back makes the stack unseeded again.
- A volume whose configuration on the engine differs from the compose file (driver, options) is never
  left to compose, which would ask on a terminal nobody sees: devenv explains it, and deletes it only
  with `devenv up --recreate-volumes`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devenv.adapters.compose import ComposeFiles
from devenv.context import AppContext
from devenv.domain import seeding
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.errors import StackFailure
from devenv.usecases.workspace import Prepared

VOLUME_LABEL = "com.docker.compose.volume"
LOG_LINES = 30
Say = Callable[[str], None]


def volume_identities(ctx: AppContext, project: str) -> dict[str, str]:
    """The stack's volumes that exist now, as {compose name: engine name}.

    No creation time: Docker 20.10's local driver reports a volume's CreatedAt as its data folder's
    mtime, which a database moves each time it starts (a stopped and started stack looked re-created,
    was seeded again, and its `seeded` snapshot overwritten with the developer's data). A volume
    removed behind devenv's back is found as one missing before the stack starts (see data_lost)."""
    out: dict[str, str] = {}
    for volume in ctx.engine.volumes({PROJECT_LABEL: project}):
        name = (volume.get("Labels") or {}).get(VOLUME_LABEL)
        if name:
            out[name] = str(volume.get("Name"))
    return out


def clean_start(ctx: AppContext, prep: Prepared, say: Say) -> bool:
    """Delete the stack's data first if an earlier reset or seed did not finish; True if it did."""
    state = prep.state
    reason = seeding.clean_start_reason(state.reset_pending, state.seed_status, state.seeded)
    if reason is None:
        return False
    say(reason)
    delete_data(ctx, prep)
    return True


def delete_data(ctx: AppContext, prep: Prepared) -> None:
    """`down --volumes`, recorded before (reset pending) and after (unseeded) so a kill between is finished."""
    state = prep.state
    state.reset_pending = True
    state.seeded = False
    prep.workspace.save(state)
    compose_or_fail(ctx, prep.files, ["down", "--remove-orphans", "--volumes"])
    state.reset_pending = False
    state.seed_status = {}
    state.seed_volumes = {}
    prep.workspace.save(state)


def compose_or_fail(ctx: AppContext, files: ComposeFiles, args: list[str]) -> None:
    """Run a compose command; an engine that does not answer is an environment problem (exit 3)."""
    done = ctx.compose.run(files, args)
    if not done.ok:
        ctx.engine.containers({PROJECT_LABEL: files.project})  # raises EnvironmentProblem when the engine is away
        raise StackFailure(f"docker compose {args[0]} failed: {done.stderr.strip()[-500:]}", hint="see `devenv status`")


def secret_warnings(ctx: AppContext, prep: Prepared) -> list[str]:
    """A changed secret that reaches a service owning an existing volume may not take effect (a database
    applies its password only when it initialises its data): say so, rather than report a plain success."""
    if not prep.changed_secrets:
        return []
    existing = {
        str((v.get("Labels") or {}).get(VOLUME_LABEL)): str(v.get("Name"))
        for v in ctx.engine.volumes({PROJECT_LABEL: prep.files.project})
    }
    out = []
    for volume, names in sorted(prep.changed_secrets.items()):
        if volume in existing:
            which = ", ".join(names)
            out.append(
                f"secret {which} changed, but volume '{existing[volume]}' was initialised with the old value: "
                "a service that reads it only on first start (e.g. a database password) still uses the old one. "
                "To apply it: `devenv reset` (deletes the data and seeds again)"
            )
    return out


def data_lost(ctx: AppContext, prep: Prepared, before: dict[str, str]) -> str | None:
    """After the stack started: why a seeded stack's data is gone, or None. `before` is volume_identities
    from before compose started anything: a seeded volume missing then was made again, empty."""
    state = prep.state
    if not state.seeded or not state.seed_volumes:
        return None
    lost = seeding.lost_volumes(state.seed_volumes, before)
    if not lost:
        return None
    state.seeded = False
    state.seed_status = {}
    prep.workspace.save(state)
    which = "volume " + lost[0] if len(lost) == 1 else "volumes " + ", ".join(lost)
    return f"the {which} holding the seeded data was removed or replaced since the stack was seeded: seeding again"


def check_volumes(ctx: AppContext, prep: Prepared, *, recreate: bool, say: Say) -> bool:
    """Compare the engine's volumes with the compose file; explain a difference, or delete with `recreate`.

    Returns True when volumes were deleted (their data is gone: the stack needs seeding again)."""
    import yaml

    wanted: dict[str, Any] = (yaml.safe_load(prep.files.compose_file.read_text(encoding="utf-8")) or {}).get(
        "volumes"
    ) or {}
    changed: list[tuple[str, str, str]] = []  # (compose name, engine name, what changed)
    for volume in ctx.engine.volumes({PROJECT_LABEL: prep.files.project}):
        name = (volume.get("Labels") or {}).get(VOLUME_LABEL)
        spec = wanted.get(name) if name else None
        if name is None or spec is None or (spec or {}).get("external"):
            continue
        spec = spec or {}
        what = _difference(volume, str(spec.get("driver") or "local"), dict(spec.get("driver_opts") or {}))
        if what:
            changed.append((name, str(volume.get("Name")), what))
    if not changed:
        return False
    if not recreate:
        name, _engine_name, what = changed[0]
        more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
        raise StackFailure(
            f"the {name} volume's {what}{more}; its data is kept until you choose",
            hint="`devenv up --recreate-volumes` deletes its data and creates it again (then seeds the stack)",
        )
    say("recreating volumes " + ", ".join(c[0] for c in changed) + " (their data is deleted)")
    compose_or_fail(ctx, prep.files, ["down", "--remove-orphans"])
    state = prep.state
    state.seeded = False
    state.seed_status = {}
    prep.workspace.save(state)
    for _name, engine_name, _what in changed:
        ctx.engine.remove_volume(engine_name)
    return True


def _difference(volume: dict[str, Any], driver: str, options: dict[str, Any]) -> str | None:
    have_driver = str(volume.get("Driver") or "local")
    if have_driver != driver:
        return f"driver changed ({have_driver} on the engine, {driver} in the profile)"
    have = {str(k): str(v) for k, v in (volume.get("Options") or {}).items()}
    want = {str(k): str(v) for k, v in options.items()}
    if have != want:

        def shown(options: dict[str, str]) -> str:
            return ", ".join(f"{k}={v}" for k, v in sorted(options.items())) or "none"

        return f"driver options changed (the engine has {shown(have)}; the profile has {shown(want)})"
    return None


def run_seeds(ctx: AppContext, prep: Prepared, show: Say) -> None:
    """Run every seed task exactly once: "started" is on disk before it runs, "done" after it finished."""
    from devenv.domain.profile.variables import secret_env_name

    state = prep.state
    profile = prep.profile_of(ctx)
    secret_vars = {name for name, var in profile.variables.items() if var.secret}
    secrets = prep.workspace.read_secrets()
    env = {secret_env_name(n): secrets.get(secret_env_name(n), "") for n in secret_vars}
    ctx.secrets.update(v for v in env.values() if v)
    steps = seeding.seed_steps(profile.seed, state.answers, secret_vars)
    for index, step in enumerate(steps):
        show(f"seeding: {step.label}")
        state.seed_status[step.key] = seeding.STARTED
        prep.workspace.save(state)
        args = ["exec", "-T", *(["--user", step.user] if step.user else [])]
        # every secret reaches the task by name only: compose takes the value from its own environment
        args += [arg for name in sorted(env) for arg in ("-e", name)]
        args += [step.service, *step.argv]
        try:
            done = ctx.compose.run(prep.files, args, env=env)
        except BaseException:  # Ctrl-C, SIGTERM: the exec'd process would go on inside the container
            _stop(ctx, prep, step.service)
            raise
        if not done.ok:
            state.seed_status[step.key] = seeding.FAILED
            prep.workspace.save(state)
            lines = (done.stdout + done.stderr).rstrip().splitlines()[-LOG_LINES:]
            raise StackFailure(
                f"seed task '{step.label}' in service '{step.service}' failed with exit code {done.returncode}",
                hint="fix it, then run `devenv up` again (it deletes the half-seeded data and seeds from scratch)",
                details=["its output (last lines):", *[f"  {line}" for line in lines]],
            )
        state.seed_status[step.key] = seeding.DONE
        if index == len(steps) - 1:  # in the same write as the last "done": no gap between them
            state.seeded = True
            state.seed_volumes = volume_identities(ctx, state.project)
        prep.workspace.save(state)
    if steps:
        from devenv.usecases.snapshots import after_seed

        after_seed(ctx, prep, show)  # the `seeded` snapshot: `devenv reset` becomes a restore


def _stop(ctx: AppContext, prep: Prepared, service: str) -> None:
    """Kill the service's container, and with it the seed process `compose exec` started inside it.

    The task stays recorded as started: the next `up` deletes the half-seeded data and seeds again."""
    ctx.compose.run(prep.files, ["kill", service])
