"""What actually runs: per compose service, the image's id and repo digests and the env KEYS.

The engine adapter hands over what it inspected (container and image attributes, as the Engine API
returns them); the env's values are dropped right here and never kept.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devenv.domain.parity.model import RuntimeService, RuntimeView

SERVICE_LABEL = "com.docker.compose.service"

Inspected = tuple[Mapping[str, Any], Mapping[str, Any]]  # (container attrs, its image's attrs)


def runtime_view(project: str, inspected: Sequence[Inspected]) -> RuntimeView:
    """One RuntimeService per compose service (the first container of each, by name)."""
    services: dict[str, RuntimeService] = {}
    for container, image in sorted(inspected, key=lambda pair: str(pair[0].get("Name") or "")):
        labels = (container.get("Config") or {}).get("Labels") or {}
        service = labels.get(SERVICE_LABEL)
        if not service or service in services:
            continue
        config = container.get("Config") or {}
        services[service] = RuntimeService(
            image_id=str(container.get("Image") or ""),
            repo_digests=tuple(image.get("RepoDigests") or ()),
            image_tags=tuple(image.get("RepoTags") or ()),
            env_keys=frozenset(str(e).partition("=")[0] for e in config.get("Env") or ()),
            healthcheck=_healthcheck(config.get("Healthcheck")),
        )
    return RuntimeView(project, services)


def unreachable(project: str, error: BaseException) -> RuntimeView:
    """The view when the engine could not be asked: empty, with the reason's first line."""
    first = (str(error).splitlines() or [type(error).__name__])[0][:160]
    return RuntimeView(project, problem=f"the Docker engine could not be asked: {first}")


def _healthcheck(value: Any) -> str | None:
    test = value.get("Test") if isinstance(value, Mapping) else None
    if not test or test[0] == "NONE":
        return None
    return " ".join(str(t) for t in (test[1:] if test[0] in {"CMD", "CMD-SHELL"} else test))
