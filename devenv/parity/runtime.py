"""What actually runs: per compose service, the image's id and repo digests and the env KEYS.

The engine reports env as KEY=VALUE; values are dropped right here and never kept. `import docker`
happens inside the function (0.25 s): only `devenv parity` pays for it, never start-up.
"""

from __future__ import annotations

from typing import Any

from devenv.parity.model import RuntimeService, RuntimeView

PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"


def docker_client() -> Any:
    import docker

    return docker.from_env(timeout=10)


def read_runtime(project: str, client: Any | None = None) -> RuntimeView:
    """Never raises for an engine that is missing or refuses: the view says why instead."""
    try:
        client = client or docker_client()
        containers = client.containers.list(filters={"label": f"{PROJECT_LABEL}={project}"})
        services: dict[str, RuntimeService] = {}
        for container in sorted(containers, key=lambda c: str(c.name)):
            service = container.labels.get(SERVICE_LABEL)
            if not service or service in services:
                continue
            attrs = container.attrs
            config = attrs.get("Config") or {}
            image_id = str(attrs.get("Image") or "")
            keys = frozenset(str(e).partition("=")[0] for e in config.get("Env") or ())
            image = client.images.get(image_id).attrs if image_id else {}
            services[service] = RuntimeService(
                image_id=image_id,
                repo_digests=tuple(image.get("RepoDigests") or ()),
                image_tags=tuple(image.get("RepoTags") or ()),
                env_keys=keys,
                healthcheck=_healthcheck(config.get("Healthcheck")),
            )
    except Exception as exc:  # the SDK raises DockerException, requests' errors, OSError...
        first = (str(exc).splitlines() or [type(exc).__name__])[0][:160]
        return RuntimeView(project, problem=f"the Docker engine could not be asked: {first}")
    return RuntimeView(project, services)


def _healthcheck(value: Any) -> str | None:
    test = value.get("Test") if isinstance(value, dict) else None
    if not test or test[0] == "NONE":
        return None
    return " ".join(str(t) for t in (test[1:] if test[0] in {"CMD", "CMD-SHELL"} else test))
