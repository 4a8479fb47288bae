"""Host ports before `up` starts anything: who holds each one, and what to do about it. Pure.

The use case (usecases/ports.py) gathers the facts: the engine's running containers and their
published ports, and a probe of this machine's sockets (adapters/hostports.py). This module decides:
a port held by the stack's own containers is fine; one held by anyone else is a conflict; a conflict on
an `auto` port variable that the user did not pin this run moves to a free port, any other stops `up`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice, pairwise
from typing import Any

from devenv.domain.stack.names import PROJECT_LABEL

AUTO_OFFSET = 10000  # an auto port first tries its default + 10000 (8000 -> 18000): easy to recognise
AUTO_TRIES = 500  # candidates probed before giving up


@dataclass(frozen=True)
class Holder:
    """Who holds a host port: a container (with its compose project), or a process on this machine."""

    kind: str  # "container", "process", "unknown"
    name: str = ""
    project: str = ""
    pid: int = 0
    detail: str = ""  # docker-proxy: the container address it forwards to

    def describe(self) -> str:
        if self.kind == "container":
            return f"container {self.name}" + (f" of compose project {self.project}" if self.project else "")
        if self.kind == "process" and self.name == "docker-proxy":
            behind = f" forwarding to {self.detail}" if self.detail else ""
            return f"docker-proxy (pid {self.pid}){behind}, for a container of another engine, or a leftover"
        if self.kind == "process":
            return f"process {self.name} (pid {self.pid})"
        return "another program (devenv cannot see which: `sudo ss -tlnp` or `sudo lsof -i` names it)"


@dataclass(frozen=True)
class Conflict:
    service: str
    port: int
    holder: Holder
    variable: str | None = None  # the port variable whose answer this port is, if any


@dataclass
class Decision:
    moves: dict[str, int] = field(default_factory=dict)  # auto variable -> the free port it gets
    moved: list[Conflict] = field(default_factory=list)  # the conflicts those moves settle
    stuck: list[Conflict] = field(default_factory=list)  # conflicts that stop `up`


def container_ports(containers: Iterable[Mapping[str, Any]]) -> dict[int, Holder]:
    """Host port -> the running container publishing it (GET /containers/json entries)."""
    out: dict[int, Holder] = {}
    for container in containers:
        labels = container.get("Labels") or {}
        name = str((container.get("Names") or ["?"])[0]).lstrip("/")
        for published in container.get("Ports") or []:
            port = int(published.get("PublicPort") or 0)
            if port and port not in out:
                out[port] = Holder("container", name=name, project=str(labels.get(PROJECT_LABEL) or ""))
    return out


def container_addresses(containers: Iterable[Mapping[str, Any]]) -> dict[str, Holder]:
    """Container IP address -> the container, to name the container behind a docker-proxy that holds a
    port while the container is still starting (the engine lists its published ports only once it runs)."""
    out: dict[str, Holder] = {}
    for container in containers:
        labels = container.get("Labels") or {}
        name = str((container.get("Names") or ["?"])[0]).lstrip("/")
        networks = (container.get("NetworkSettings") or {}).get("Networks") or {}
        for network in networks.values():
            address = str((network or {}).get("IPAddress") or "")
            if address:
                out[address] = Holder("container", name=name, project=str(labels.get(PROJECT_LABEL) or ""))
    return out


def behind_proxy(holder: Holder, addresses: Mapping[str, Holder]) -> Holder:
    """The container a docker-proxy holder forwards to, when the engine knows it; else the holder itself."""
    if holder.kind == "process" and holder.name == "docker-proxy" and holder.detail:
        return addresses.get(holder.detail.rpartition(":")[0], holder)
    return holder


def conflicts(
    wanted: Mapping[str, Sequence[int]],
    project: str,
    published: Mapping[int, Holder],
    probe: Callable[[int], Holder | None],
) -> list[Conflict]:
    """The wanted host ports (service -> ports) that someone other than this stack holds.

    `published`: what the engine's containers publish; `probe(port)`: who holds it on this machine, or
    None when it is free (or when this machine is not where the engine publishes ports)."""
    found = []
    for service, ports in wanted.items():
        for port in ports:
            holder = published.get(port)
            if holder is not None and holder.kind == "container" and holder.project == project:
                continue  # this stack's own container: compose keeps or recreates it
            holder = holder or probe(port)
            if holder is not None:
                found.append(Conflict(service, port, holder))
    return found


_HOST_VARIABLE = re.compile(r"(?:[^:]*:)?\$\{([A-Za-z_][A-Za-z0-9_.]*)\}:[^:]+")


def port_variable(raw_ports: Sequence[str], answers: Mapping[str, str], port: int) -> str | None:
    """The variable whose answer is this host port in a service's port mappings ("${web_port}:8000")."""
    for raw in raw_ports:
        m = _HOST_VARIABLE.fullmatch(raw)
        if m and answers.get(m.group(1)) == str(port):
            return m.group(1)
    return None


@dataclass(frozen=True)
class AutoPort:
    """What decide() needs of a port variable."""

    name: str
    default: int | None
    low: int = 1
    high: int = 65535


def candidates(start: int, low: int, high: int) -> Iterator[int]:
    """Ports to try for an auto variable: `start` upward to `high`, then from `low` up to `start`."""
    start = min(max(start, low), high)
    yield from range(start, high + 1)
    yield from range(low, start)


def first_choice(var: AutoPort, busy_port: int) -> int:
    """Where the search for a free port begins: default + 10000 when that fits, else the next port up."""
    base = var.default if var.default is not None else busy_port
    shifted = base + AUTO_OFFSET
    if base < busy_port or not var.low <= shifted <= var.high:
        return busy_port + 1  # already moved once (18000 busy -> 18001), or no room above
    return shifted


def decide(
    found: Sequence[Conflict],
    autos: Mapping[str, AutoPort],
    pinned: Iterable[str],
    taken: Iterable[int],
    free: Callable[[int], bool],
) -> Decision:
    """Which conflicts move (auto variables not pinned by --set or the environment this run) and to where.

    `taken`: ports the stack itself publishes (never given to another of its variables); `free(port)`:
    nobody holds it."""
    pinned = set(pinned)
    claimed = set(taken)
    decision = Decision()
    for conflict in found:
        var = autos.get(conflict.variable or "")
        if var is None or var.name in pinned:
            decision.stuck.append(conflict)
            continue
        start = first_choice(var, conflict.port)
        tries = islice(candidates(start, max(var.low, 1), min(var.high, 65535)), AUTO_TRIES)
        port = next((p for p in tries if p not in claimed and free(p)), None)
        if port is None:
            decision.stuck.append(conflict)
            continue
        decision.moves[var.name] = port
        decision.moved.append(conflict)
        claimed.add(port)
    return decision


def listening_inodes(proc_net_tcp: str, port: int) -> set[int]:
    """Socket inodes listening on `port`, from the text of /proc/net/tcp or /proc/net/tcp6."""
    inodes = set()
    for line in proc_net_tcp.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10 or fields[3] != "0A":  # 0A: TCP_LISTEN
            continue
        _address, _, hex_port = fields[1].rpartition(":")
        try:
            if int(hex_port, 16) == port:
                inodes.add(int(fields[9]))
        except ValueError:
            continue
    return inodes


def proxy_target(cmdline: Sequence[str]) -> str:
    """docker-proxy's container address ("172.17.0.2:80") from its argv, or ""."""
    args = dict(pairwise(cmdline))
    ip, port = args.get("-container-ip"), args.get("-container-port")
    return f"{ip}:{port}" if ip and port else ""
