"""Values the user supplies for prod configuration that lives outside the files (issue 11 class 3).

Elastic Beanstalk environment properties, a ConfigMap a deploy script creates, an ECS environment file
in S3: parity reports their keys as not visible (`env-not-visible`), never as "prod does not set X".
An env file given for a target (`env_for:` in the parity section, `--prod-env [NAME=]FILE`) fills them
in: for the containers or workloads it names only, or every container of the target when it names none.
Values written in the manifest win over supplied ones; a supplied container's "not visible" note goes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from devenv.domain.parity.model import EnvVar, Side, Workload


@dataclass(frozen=True)
class Supplied:
    env: Mapping[str, EnvVar]
    target: str | None = None  # a container or workload name; None: every container
    sources: tuple[str, ...] = ()  # the manifest files it applies to (empty: all)
    origin: str = ""  # the flag or config entry, for errors


def _in_scope(workload: Workload, supplied: Supplied) -> bool:
    return not supplied.sources or any(
        workload.source == s or workload.source.startswith(s.rstrip("/") + "/") for s in supplied.sources
    )


def supply_env(side: Side, supplied: Sequence[Supplied]) -> list[Supplied]:
    """Apply each supplied env to its containers; returns those that named nothing in `side`."""
    unmatched = []
    cleared: set[str] = set()
    for entry in supplied:
        matched = False
        for workload in side.workloads:
            if not _in_scope(workload, entry):
                continue
            for container in workload.containers:
                if entry.target is not None and entry.target not in {container.name, workload.name}:
                    continue
                matched = True
                container.env = {**entry.env, **container.env}
                container.env_unresolved = []
                cleared.update({workload.name, container.name})
        if not matched:
            unmatched.append(entry)
    side.notes = [n for n in side.notes if not (n.code == "env-not-visible" and n.workload in cleared)]
    return unmatched
