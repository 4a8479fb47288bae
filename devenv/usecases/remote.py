"""A stack on a remote Docker engine: code copied to the engine's host, ports brought back to this machine.

Over ssh (DOCKER_HOST=ssh://..., or a docker context): bind mounts of the workspace (the platform
checkout, the profile's folder) are rendered as folders on the engine's host, under
~/.cache/devenv/sync/PROJECT/, and copied there with rsync before `up` starts anything (only what changed
since the last copy) and on `devenv sync`; any other host path cannot be served and is refused, named.
Published ports open on the engine's host: one `ssh -N -L` per workspace (pid in .devenv/tunnel.json)
brings each to the same port on this machine, or to a free one when that is taken; `up` starts it,
`status` shows it, `down` closes it. Over tcp (+TLS) there is no tunnel: URLs name the engine's host.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devenv.context import AppContext
from devenv.domain.stack.health import ServiceStatus
from devenv.errors import UserError

if TYPE_CHECKING:
    from devenv.adapters.ssh import Ssh
    from devenv.adapters.workspace import Workspace
    from devenv.usecases.workspace import Prepared

SYNC_ROOT = ".cache/devenv/sync"  # under the ssh user's home on the engine's host
TUNNEL_FILE = "tunnel.json"
USER_LABEL = "devenv.user"  # on a remote engine: who made the container or volume


def ssh_of(ctx: AppContext) -> Ssh | None:
    """The ssh host of the engine, when the engine is reached over ssh."""
    url = ctx.engine.endpoint.url
    if not url.startswith("ssh://"):
        return None
    from devenv.adapters.ssh import Ssh, SshTarget

    return Ssh(SshTarget.parse(url), ctx.runner)


def render_salt(env: Mapping[str, str]) -> list[str]:
    """What of the engine the rendered files depend on: a remote engine's URL (binds point at its host, the
    project name carries the user). Nothing for a local engine, so local render keys stay as they were."""
    from devenv.adapters.engine.endpoint import resolve_endpoint

    endpoint = resolve_endpoint(env)
    return [endpoint.url] if endpoint.remote else []


# --- isolation on a shared engine ---


def user_name(env: Mapping[str, str]) -> str:
    """Who owns the stacks devenv makes on a shared engine: DEVENV_USER, else the login name (a slug)."""
    import getpass
    import re

    raw = env.get("DEVENV_USER") or env.get("USER") or getpass.getuser()
    return re.sub(r"[^a-z0-9]+", "-", raw.lower()).strip("-")[:20] or "user"


def project_for(ctx: AppContext, project: str) -> str:
    """On a remote (shared) engine the compose project carries the user: `devenv-shop-1a2b3c4d-alice`, so
    two people's workspaces of the same folder never share a project. Local names stay as they were."""
    return f"{project}-{user_name(ctx.env)}" if ctx.engine.endpoint.remote else project


def label_owner(ctx: AppContext, compose: dict[str, Any]) -> None:
    """On a remote engine, every service and volume also carries USER_LABEL (who made it)."""
    if not ctx.engine.endpoint.remote:
        return
    user = user_name(ctx.env)
    for service in (compose.get("services") or {}).values():
        service.setdefault("labels", {})[USER_LABEL] = user
    for volume in (compose.get("volumes") or {}).values():
        volume.setdefault("labels", {})[USER_LABEL] = user


def check_owner(ctx: AppContext, project: str) -> None:
    """Before deleting a project's volumes on a remote engine: every resource of it is this user's."""
    if not ctx.engine.endpoint.remote:
        return
    from devenv.domain.stack.names import PROJECT_LABEL

    me = user_name(ctx.env)
    found = [*ctx.engine.volumes({PROJECT_LABEL: project}), *ctx.engine.containers({PROJECT_LABEL: project})]
    others = sorted({str((r.get("Labels") or {}).get(USER_LABEL)) for r in found} - {me})
    if others:
        raise UserError(
            f"the project '{project}' on {ctx.engine.endpoint.url} also holds resources of {', '.join(others)}: "
            "nothing removed",
            hint=f"they are not yours ({USER_LABEL}={me}); ask their owner, or remove yours by name with docker",
        )


# --- code: bind mounts ---


def place_code(ctx: AppContext, compose: dict[str, Any], roots: tuple[str, ...], project: str) -> dict[str, str]:
    """For an ssh engine: point every bind mount of a path under `roots` at its copy on the engine's host
    (rewriting `compose` in place) and return local path -> remote path; refuse any other host path."""
    ssh = ssh_of(ctx)
    endpoint = ctx.engine.endpoint
    if ssh is None and not endpoint.remote:
        return {}
    from devenv.domain.profile.composesyntax import Volume, compose_literal, parse_volume
    from devenv.domain.profile.hostaccess import DOCKER_SOCKETS

    plan: dict[str, str] = {}
    base = ""
    for name, service in (compose.get("services") or {}).items():
        mounts = service.get("volumes") or []
        for i, spec in enumerate(mounts):
            parsed = parse_volume(spec) if isinstance(spec, str) else None
            if not isinstance(parsed, Volume) or parsed.kind != "bind":
                continue
            local = compose_literal(parsed.source) or parsed.source
            if local in DOCKER_SOCKETS:  # the engine's own socket: the far host has one too
                continue
            if ssh is None:
                raise UserError(
                    f"service '{name}' bind-mounts {local}, but the Docker engine at {endpoint.url} is on another "
                    "host, and devenv copies code to one only over ssh",
                    hint="point DOCKER_HOST (or a docker context) at ssh://user@host, or use a local engine",
                )
            real = os.path.realpath(os.path.expanduser(local))
            if not any(real == r or real.startswith(r.rstrip("/") + "/") for r in roots):
                raise UserError(
                    f"service '{name}' bind-mounts {local}, which a remote Docker engine ({ssh.target.label}) "
                    "cannot see: only folders of the workspace are copied to it",
                    hint="mount a folder of the platform checkout instead, or run this stack on a local engine",
                )
            base = base or f"{ssh.run(['pwd']).strip()}/{SYNC_ROOT}/{project}"
            digest = hashlib.sha256(real.encode()).hexdigest()[:10]
            plan[real] = f"{base}/{digest}-{os.path.basename(real) or 'root'}"
            mounts[i] = spec.replace(parsed.source, plan[real].replace("$", "$$"), 1)
    return plan


def fingerprint(path: str) -> str:
    """Paths, sizes and modification times under `path`: equal fingerprints mean nothing to copy."""
    from devenv.usecases.workspace import context_fingerprint

    if os.path.isdir(path):
        return context_fingerprint(path)
    try:
        st = os.stat(path)
    except OSError:
        return "missing"
    return f"{st.st_size}-{st.st_mtime_ns}"


def sync_code(ctx: AppContext, prep: Prepared, say: Callable[[str], None], *, force: bool = False) -> list[str]:
    """Copy the bind-mounted folders that changed since their last copy (all of them with `force`) to the
    engine's host; returns what was copied. Nothing to do (the usual no-op `up`) costs a walk of the folders."""
    state = prep.state
    if not state.remote_sync:
        return []
    now = {local: fingerprint(local) for local in state.remote_sync}
    todo = [local for local in state.remote_sync if force or now[local] != state.remote_synced.get(local)]
    ssh = ssh_of(ctx)
    if not todo or ssh is None:
        return []
    say(f"copying {len(todo)} folder(s) to {ssh.target.label}")
    parents = sorted({os.path.dirname(state.remote_sync[local]) for local in todo})
    ssh.run(["mkdir", "-p", "--", *[shlex.quote(p) for p in parents]])
    for local in todo:
        if now[local] == "missing":
            raise UserError(
                f"{local} is bind-mounted but does not exist, so it cannot be copied to {ssh.target.label}",
                hint="create it (or fix the profile's volumes), then run `devenv up` again",
            )
        ssh.rsync(local, state.remote_sync[local], directory=os.path.isdir(local))
        state.remote_synced[local] = now[local]
        prep.workspace.save(state)  # each copy recorded as it lands: an interrupted sync resumes
    return todo


# --- ports: the tunnel ---


def _tunnel_file(ws: Workspace) -> Path:
    return ws.state_dir / TUNNEL_FILE


def read_tunnel(ws: Workspace) -> dict[str, Any] | None:
    """The workspace's tunnel record, if its ssh process still runs."""
    from devenv.adapters.ssh import tunnel_alive

    try:
        data = json.loads(_tunnel_file(ws).read_text(encoding="utf-8"))
        pid = int(data["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return data if isinstance(data, dict) and tunnel_alive(pid) else None


def close_tunnel(ws: Workspace) -> bool:
    """End the workspace's tunnel, if one runs; True if one did."""
    from devenv.adapters.ssh import end_tunnel

    running = read_tunnel(ws)
    if running is not None:
        end_tunnel(int(running["pid"]))
    _tunnel_file(ws).unlink(missing_ok=True)
    return running is not None


def published(statuses: Mapping[str, ServiceStatus]) -> dict[str, tuple[str, int]]:
    """Every tcp port the stack publishes on the engine's host: "port" -> (address to reach it there, port)."""
    found: dict[str, tuple[str, int]] = {}
    for st in statuses.values():
        for ip, public, _private, proto in st.ports:
            if proto == "tcp" and public and ":" not in ip:
                found[str(public)] = ("127.0.0.1" if ip in {"0.0.0.0", ""} else ip, public)
    return found


def ensure_tunnel(ctx: AppContext, ws: Workspace, statuses: Mapping[str, ServiceStatus]) -> str | None:
    """Over ssh: a tunnel that forwards exactly the stack's published ports runs (started or replaced);
    returns a note when the ports on this machine differ from the engine's. Elsewhere: nothing."""
    ssh = ssh_of(ctx)
    if ssh is None:
        return None
    wanted = published(statuses)
    running = read_tunnel(ws)
    if (
        running is not None
        and running.get("endpoint") == ctx.engine.endpoint.url
        and set(running["ports"]) == set(wanted)
    ):
        return None
    close_tunnel(ws)
    if not wanted:
        return None
    from devenv.adapters.fs import write_atomic

    local: dict[str, int] = {}
    for key, (_host, port) in wanted.items():
        local[key] = port if _free(port, taken=local.values()) else _any_free_port(taken=local.values())
    pid = ssh.tunnel({local[k]: wanted[k] for k in wanted}, ws.state_dir / "tunnel.log")
    record = {"pid": pid, "endpoint": ctx.engine.endpoint.url, "ports": local}
    write_atomic(_tunnel_file(ws), json.dumps(record, indent=2) + "\n")
    moved = [f"{k} -> localhost:{v}" for k, v in local.items() if int(k) != v]
    return f"in use on this machine, so the tunnel brings them elsewhere: {', '.join(moved)}" if moved else None


def _free(port: int, taken: Any) -> bool:
    import socket

    if port in set(taken):
        return False
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _any_free_port(taken: Any) -> int:
    import socket

    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port: int = s.getsockname()[1]
        if port not in set(taken):
            return port


# --- what the user is shown ---


def shown(ctx: AppContext, ws: Workspace, statuses: dict[str, ServiceStatus]) -> dict[str, ServiceStatus]:
    """Statuses whose ports are where the user reaches them: through the tunnel over ssh (localhost, the
    tunnel's ports), on the engine's host over tcp; unchanged for a local engine."""
    endpoint = ctx.engine.endpoint
    if not endpoint.remote:
        return statuses
    if endpoint.url.startswith("ssh://"):
        tunnel = read_tunnel(ws)
        ports = (tunnel or {}).get("ports") or {}

        def moved(p: tuple[str, int, int, str]) -> tuple[str, int, int, str] | None:
            local = ports.get(str(p[1]))  # no tunnel for it: no URL that would answer here
            return ("127.0.0.1", int(local), p[2], p[3]) if local else None

    else:

        def moved(p: tuple[str, int, int, str]) -> tuple[str, int, int, str] | None:
            return (endpoint.host if p[0] in {"0.0.0.0", "127.0.0.1", ""} else p[0], p[1], p[2], p[3])

    return {
        name: replace(st, ports=tuple(m for m in (moved(p) for p in st.ports) if m is not None))
        for name, st in statuses.items()
    }


def arrive(
    ctx: AppContext, ws: Workspace, statuses: dict[str, ServiceStatus], say: Callable[[str], None]
) -> dict[str, ServiceStatus]:
    """After `up`: the tunnel matches the published ports (over ssh), and the statuses show the URLs the
    user can open from here."""
    note = ensure_tunnel(ctx, ws, statuses)
    if note:
        say(note)
    return shown(ctx, ws, statuses)


def tunnel_line(ctx: AppContext, ws: Workspace) -> str | None:
    """One line for `status`: the engine's host, and the tunnel (or that it is not running)."""
    endpoint = ctx.engine.endpoint
    if not endpoint.remote:
        return None
    if not endpoint.url.startswith("ssh://"):
        return f"engine: {endpoint.url} (ports open on {endpoint.host})"
    tunnel = read_tunnel(ws)
    if tunnel is None:
        return f"engine: {endpoint.url}; ports tunnel: not running (`devenv up` starts it)"
    pairs = ", ".join(f"localhost:{v} -> {k}" for k, v in sorted(tunnel["ports"].items(), key=lambda kv: kv[1]))
    return f"engine: {endpoint.url}; ports tunnel (pid {tunnel['pid']}): {pairs}"


def sync_workspace(ctx: AppContext, say: Callable[[str], None]) -> list[str] | None:
    """`devenv sync`: every bind-mounted folder copied again (None: the engine is local, nothing to copy)."""
    from devenv.usecases.workspace import locate, prepare

    if ssh_of(ctx) is None:
        return None
    ws = locate(ctx)
    with ws.lock("sync"):
        prep = prepare(ctx, profile_ref=None, sets={})  # renders for this engine if it changed
        return sync_code(ctx, prep, say, force=True)
