"""Before `up` starts anything, every host port the stack publishes must be free or the stack's own.

`make_room` is called once by `converge`, after its no-op check (a converged stack holds its own ports,
so a no-op `up` never gets here: one engine query and no probe) and before volumes, builds or
containers. A port held by someone else moves when its variable is `auto` and was not pinned this run
(`--set`, DEVENV_VAR_*): the new answer is rendered and remembered. Any other busy port stops `up`
naming the holder and the `--set` that moves it. The rules are in domain/stack/ports.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, TypeVar

from devenv.context import AppContext
from devenv.domain.profile.variables import env_var_name
from devenv.domain.stack.ports import (
    AutoPort,
    Conflict,
    Holder,
    behind_proxy,
    conflicts,
    container_addresses,
    container_ports,
    decide,
    port_variable,
)
from devenv.errors import StackFailure
from devenv.usecases.workspace import Prepared, prepare

if TYPE_CHECKING:
    from devenv.domain.profile.model import Profile

T = TypeVar("T")
PROXY_TRIES = 10
_LOCAL_HOSTS = ("unix://", "npipe://", "tcp://127.0.0.1:", "tcp://localhost:", "tcp://[::1]:")


def make_room(ctx: AppContext, prep: Prepared, services: list[str], say: Callable[[str], None]) -> Prepared:
    """The prepared stack with every busy `auto` port moved to a free one (re-rendered), or a
    PortTaken (exit 4) naming who holds a port that cannot move. Nothing is changed when it fails."""
    state = prep.state
    wanted = {name: state.ports[name] for name in services if state.ports.get(name)}
    if not wanted:
        return prep
    published = container_ports(ctx.engine.all_containers())
    probe = _probe(ctx)
    found = conflicts(wanted, state.project, published, probe)
    if not found:
        return prep
    profile = prep.profile_of(ctx)
    found = _name_proxies(ctx, found)
    found = [
        replace(c, variable=port_variable(profile.services[c.service].ports, state.answers, c.port)) for c in found
    ]
    from_env = {n for n in profile.variables if env_var_name(n) in ctx.env}
    pinned = set(prep.pinned) | from_env
    taken = {port for ports in state.ports.values() for port in ports}

    local = _local(ctx)

    def free(port: int) -> bool:  # a bind test only: naming a holder reads /proc, which a candidate needs not
        return port not in published and not (local and ctx.host_ports.busy(port))

    decision = decide(found, _port_variables(profile, auto_only=True), pinned, taken, free)
    if decision.stuck:
        moves = decide(decision.stuck, _port_variables(profile, auto_only=False), (), taken, free).moves
        raise _busy(decision.stuck, moves, profile, from_env)
    moved = prepare(ctx, profile_ref=None, sets={n: str(p) for n, p in decision.moves.items()}, loaded=profile)
    for conflict in decision.moved:
        assert conflict.variable is not None
        port = decision.moves[conflict.variable]
        say(
            f"port {conflict.port} is held by {conflict.holder.describe()}; {conflict.service} uses {port} "
            f"({conflict.variable}={port}, remembered)"
        )
    for volume, names in prep.changed_secrets.items():
        moved.changed_secrets[volume] = sorted({*moved.changed_secrets.get(volume, []), *names})
    moved.notes[:0] = prep.notes
    moved.pinned = prep.pinned
    return moved


class PortTaken(StackFailure):
    """A host port of the stack is held by someone else (before the start, or found by compose)."""


def retry_on_taken_port(
    ctx: AppContext, prep: Prepared, services: list[str], say: Callable[[str], None], start: Callable[[Prepared], T]
) -> tuple[Prepared, T]:
    """`start(prep)`; when compose finds a port taken after the check (another `up` took it while this
    stack's links were starting), the auto ports move and it starts once more. Otherwise the error stands."""
    try:
        return prep, start(prep)
    except PortTaken:
        moved = make_room(ctx, prep, services, say)
        if moved is prep:
            raise
        return moved, start(moved)


def _name_proxies(ctx: AppContext, found: list[Conflict]) -> list[Conflict]:
    """A docker-proxy holding a port is, as a rule, a container of this engine that is starting right now
    (another `up`): the engine lists it, with its address, a moment later. Ask for up to a second."""
    for attempt in range(PROXY_TRIES):
        if not any(c.holder.name == "docker-proxy" for c in found):
            break
        if attempt:
            time.sleep(0.1)
        containers = ctx.engine.get("/containers/json", {"all": "1"}) or []
        addresses, published = container_addresses(containers), container_ports(containers)
        found = [replace(c, holder=published.get(c.port) or behind_proxy(c.holder, addresses)) for c in found]
    return found


def holder_of(ctx: AppContext, port: int) -> Holder | None:
    """Who holds a host port: a container of the engine (with its project), else a process here."""
    return container_ports(ctx.engine.all_containers()).get(port) or _probe(ctx)(port)


def _probe(ctx: AppContext) -> Callable[[int], Holder | None]:
    """Who holds a port on this machine; only when the engine publishes its ports here (a remote engine
    publishes them on its own host, where the engine's container list is all devenv can see)."""
    if _local(ctx):
        return ctx.host_ports.holder
    return lambda _port: None


def _local(ctx: AppContext) -> bool:
    return ctx.engine.base_url.startswith(_LOCAL_HOSTS)


def _port_variables(profile: Profile, *, auto_only: bool) -> dict[str, AutoPort]:
    out = {}
    for name, var in profile.variables.items():
        if var.type == "port" and (var.auto or not auto_only):
            default = int(str(var.default)) if str(var.default).isdigit() else None
            out[name] = AutoPort(name, default, var.min or 1, var.max or 65535)
    return out


def _busy(stuck: list[Conflict], moves: dict[str, int], profile: Profile, from_env: set[str]) -> PortTaken:
    first = stuck[0]

    def line(c: Conflict) -> str:
        return f"host port {c.port} for service '{c.service}' is already in use (held by {c.holder.describe()})"

    sets = " ".join(f"--set {c.variable}={moves[c.variable]}" for c in stuck if c.variable in moves)
    if sets:
        hint = f"free the port, or pick another (free now): devenv up {sets}"
        auto = next((c.variable for c in stuck if c.variable and profile.variables[c.variable].auto), None)
        if auto in from_env:
            hint += f"; or unset {env_var_name(auto)}: {auto} is auto, devenv then picks a free port itself"
        elif auto:
            hint += f"; or leave out --set {auto}: it is auto, devenv then picks a free port itself"
    else:
        hint = "free the port, or publish the service on another one (a port variable with `auto: true` moves itself)"
    return PortTaken(line(first), hint=hint, details=[line(c) for c in stuck[1:]])
