"""The shape of a service: ports, dependencies, persistence, health checks, replicas, limits, command."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from devenv.domain.parity.findings import Finding
from devenv.domain.parity.mapping import Pair
from devenv.domain.parity.model import HealthCheck, MountKind, RuntimeService, Workload


def compare_shape(
    pair: Pair, dev_for: Mapping[str, Sequence[Workload]], running: RuntimeService | None = None
) -> Iterator[Finding]:
    """`dev_for` maps a prod workload name to the dev services matched to it (for dependencies);
    `running` is what the engine reports for the dev service, when it runs."""
    yield from _ports(pair)
    yield from _dependencies(pair, dev_for)
    yield from _persistence(pair)
    yield from _health(pair, running)
    yield from _replicas(pair)
    yield from _resources(pair)
    yield from _command(pair)


def _ports(pair: Pair) -> Iterator[Finding]:
    prod = {p.number for p in pair.container.ports}
    dev = {p.number for p in pair.dev.main.ports}
    if not prod or not dev:
        return  # a dev service need not publish its ports; only two declared sets are compared
    missing = sorted(prod - dev)
    if missing:
        yield Finding(
            "port-differs",
            pair.service,
            f"prod's container listens on {_list(prod)}, dev's on {_list(dev)}",
            dev=_list(dev),
            prod=_list(prod),
            keys=tuple(str(p) for p in missing),
        )


def _list(ports: set[int]) -> str:
    return ", ".join(str(p) for p in sorted(ports))


def _dependencies(pair: Pair, dev_for: Mapping[str, Sequence[Workload]]) -> Iterator[Finding]:
    for needed in pair.prod.dependencies:
        counterparts = dev_for.get(needed, ())
        if not counterparts:
            yield Finding(
                "dependency-no-dev-path",
                pair.service,
                f"prod's {pair.prod.name} needs {needed}; no dev service stands in for {needed}",
                dev="(none)",
                prod=needed,
                keys=(needed,),
            )
            continue
        if not any(_reachable(pair.dev, other) for other in counterparts):
            names = ", ".join(o.name for o in counterparts)
            yield Finding(
                "dependency-no-dev-path",
                pair.service,
                f"prod's {pair.prod.name} needs {needed}; in dev, {names} shares no network with it",
                dev=f"{pair.service} on {', '.join(pair.dev.networks)}",
                prod=needed,
                keys=(needed,),
            )


def _reachable(one: Workload, other: Workload) -> bool:
    if "mode:host" in one.networks and "mode:host" in other.networks:
        return True
    if one.networks == (f"mode:service:{other.name}",) or other.networks == (f"mode:service:{one.name}",):
        return True
    return bool(set(one.networks) & set(other.networks))


def _persistence(pair: Pair) -> Iterator[Finding]:
    prod = {m.target.rstrip("/"): m for m in pair.container.mounts if m.persistent}
    dev_all = {m.target.rstrip("/"): m for m in pair.dev.main.mounts}
    for target, mount in sorted(prod.items()):
        found = dev_all.get(target)
        if found is None or not found.persistent:
            yield Finding(
                "persistence-differs",
                pair.service,
                f"prod keeps {target} on {mount.kind} storage; in dev it is lost when the container goes",
                dev=f"{found.kind}" if found else "(not mounted)",
                prod=f"{mount.kind} {mount.source}".strip(),
                keys=(target,),
            )
    prod_all = {m.target.rstrip("/"): m for m in pair.container.mounts}
    for target, mount in sorted(dev_all.items()):
        if mount.kind is not MountKind.VOLUME:
            continue  # bind mounts in dev are source code and config, not data
        found = prod_all.get(target)
        if found is None or not found.persistent:
            yield Finding(
                "persistence-differs",
                pair.service,
                f"dev keeps {target} in volume {mount.source}; in prod it does not survive a redeploy",
                dev=f"volume {mount.source}",
                prod=f"{found.kind}" if found else "(not mounted)",
                keys=(target,),
            )


def _health(pair: Pair, running: RuntimeService | None) -> Iterator[Finding]:
    prod, dev = pair.container.health, pair.dev.main.health
    if dev is None and running is not None and running.healthcheck:
        dev = HealthCheck("exec", f"{running.healthcheck} (from the image)")
    if prod is not None and dev is None:
        yield Finding(
            "healthcheck-only-in-prod",
            pair.service,
            "prod waits for this service to be healthy; dev has no health check, so start order can race",
            dev="(none)",
            prod=str(prod),
        )
    elif dev is not None and prod is None:
        yield Finding(
            "healthcheck-only-in-dev",
            pair.service,
            "dev checks this service's health; prod does not",
            dev=str(dev),
            prod="(none)",
        )


def _replicas(pair: Pair) -> Iterator[Finding]:
    prod, dev = pair.prod, pair.dev
    if prod.per_node and not dev.per_node:
        prod_label = "one per node"
    elif prod.replicas is not None and not prod.per_node and prod.replicas != dev.replicas:
        prod_label = str(prod.replicas)
    else:
        return
    yield Finding(
        "replicas-differ",
        pair.service,
        f"prod runs {prod_label} replica(s), dev {dev.replicas}: state kept in memory is not shared in prod",
        dev=str(dev.replicas),
        prod=prod_label,
    )


def _resources(pair: Pair) -> Iterator[Finding]:
    prod, dev = pair.container.resources, pair.dev.main.resources
    if prod != dev:
        yield Finding(
            "resources-differ",
            pair.service,
            "resource limits differ: dev may hide out-of-memory kills or CPU throttling",
            dev=str(dev),
            prod=str(prod),
        )


def _command(pair: Pair) -> Iterator[Finding]:
    prod, dev = pair.container, pair.dev.main
    if (prod.entrypoint is None) != (dev.entrypoint is None):
        # one side replaces the entrypoint (Kubernetes `command:`), the other only the command (compose
        # `command:`): what each starts is its entrypoint and command together
        full_prod = (*(prod.entrypoint or ()), *(prod.command or ()))
        full_dev = (*(dev.entrypoint or ()), *(dev.command or ()))
        if full_prod and full_dev and full_prod != full_dev:
            yield Finding(
                "command-differs",
                pair.service,
                "the command differs: dev does not start the service the way prod does",
                dev=" ".join(full_dev),
                prod=" ".join(full_prod),
                keys=("command",),
            )
        return
    for what, prod_argv, dev_argv in (
        ("entrypoint", prod.entrypoint, dev.entrypoint),
        ("command", prod.command, dev.command),
    ):
        if prod_argv is not None and dev_argv is not None and prod_argv != dev_argv:
            yield Finding(
                "command-differs",
                pair.service,
                f"the {what} differs: dev does not start the service the way prod does",
                dev=" ".join(dev_argv),
                prod=" ".join(prod_argv),
                keys=(what,),
            )
