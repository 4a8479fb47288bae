"""Which Docker engine to talk to, decided the way the docker CLI decides.

DOCKER_HOST, else DOCKER_CONTEXT or the docker CLI's current context, else the default socket: devenv
and `docker compose` always talk to the same engine. Standard library only (it is on the hot paths).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devenv.errors import EnvironmentProblem

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # where the choice came from, for messages: "DOCKER_HOST", "docker context colima", ...
    explicit: bool = False  # chosen by the user (DOCKER_HOST, DOCKER_CONTEXT, a current context)


def _docker_config_dir(env: Mapping[str, str]) -> Path:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]).expanduser()
    return Path(env.get("HOME") or Path.home()) / ".docker"


def resolve_endpoint(env: Mapping[str, str]) -> Endpoint:
    """The endpoint the docker CLI would use with this environment."""
    host = env.get("DOCKER_HOST")
    if host:
        return Endpoint(host, "DOCKER_HOST", explicit=True)
    config = _docker_config_dir(env)
    context = env.get("DOCKER_CONTEXT")
    if not context:
        try:
            loaded = json.loads((config / "config.json").read_text(encoding="utf-8"))
            context = loaded.get("currentContext") if isinstance(loaded, dict) else None
        except (OSError, ValueError):
            context = None
    if context and context != "default":
        digest = hashlib.sha256(context.encode()).hexdigest()
        meta = config / "contexts" / "meta" / digest / "meta.json"
        try:
            url = json.loads(meta.read_text(encoding="utf-8"))["Endpoints"]["docker"]["Host"]
        except (OSError, ValueError, KeyError, TypeError):
            url = None
        if isinstance(url, str) and url:
            return Endpoint(url, f"docker context {context}", explicit=True)
        raise EnvironmentProblem(
            f"the docker context '{context}' has no endpoint devenv can read",
            hint="`docker context ls` lists the contexts; `docker context use default` goes back",
        )
    return Endpoint(DEFAULT_SOCKET, "default socket")


def docker_host(env: Mapping[str, str]) -> str:
    """Where the engine is: DOCKER_HOST, else the docker CLI's current context, else the default socket."""
    return resolve_endpoint(env).url


def usual_sockets(env: Mapping[str, str]) -> list[Endpoint]:
    """Where engines usually listen: probed when the chosen endpoint is silent, to say what would work."""
    home = Path(env.get("HOME") or Path.home())
    runtime = env.get("XDG_RUNTIME_DIR") or f"/run/user/{os.getuid()}"
    candidates = [
        ("/var/run/docker.sock", "default socket"),
        (f"{home}/.docker/run/docker.sock", "Docker Desktop socket"),
        (f"{home}/.docker/desktop/docker.sock", "Docker Desktop socket"),
        (f"{home}/.colima/default/docker.sock", "colima socket"),
        (f"{home}/.config/colima/default/docker.sock", "colima socket"),
        (f"{home}/.orbstack/run/docker.sock", "OrbStack socket"),
        (f"{home}/.rd/docker.sock", "Rancher Desktop socket"),
        (f"{runtime}/docker.sock", "rootless Docker socket"),
        (f"{runtime}/podman/podman.sock", "Podman socket"),
        ("/run/podman/podman.sock", "Podman socket"),
    ]
    return [Endpoint(f"unix://{path}", source) for path, source in candidates]


def unix_path(url: str) -> str | None:
    if url.startswith("unix://"):
        return url[len("unix://") :]
    return None
