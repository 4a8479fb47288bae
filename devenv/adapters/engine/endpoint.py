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
from urllib.parse import urlparse

from devenv.errors import EnvironmentProblem

DEFAULT_SOCKET = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class Tls:
    """TLS for a tcp:// endpoint: the client's files (any may be absent) and whether the server is verified."""

    folder: str
    ca: str | None
    cert: str | None
    key: str | None
    verify: bool


@dataclass(frozen=True)
class Endpoint:
    url: str
    source: str  # where the choice came from, for messages: "DOCKER_HOST", "docker context colima", ...
    explicit: bool = False  # chosen by the user (DOCKER_HOST, DOCKER_CONTEXT, a current context)
    tls: Tls | None = None  # DOCKER_TLS_VERIFY / DOCKER_TLS, or a context's TLS material

    @property
    def remote(self) -> bool:
        """Not on this machine: bind mounts and published ports resolve on another host."""
        return self.url.startswith("ssh://") or (
            self.url.startswith(("tcp://", "http://", "https://")) and self.host not in _LOCAL_NAMES
        )

    @property
    def host(self) -> str:
        """The engine's host name (ssh and tcp endpoints), for URLs of published ports; "" for a socket."""
        return "" if self.url.startswith(("unix://", "npipe://")) else urlparse(self.url).hostname or ""


_LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", ""}


def _tls_files(folder: Path, verify: bool) -> Tls:
    def found(name: str) -> str | None:
        path = folder / name
        return str(path) if path.is_file() else None

    return Tls(str(folder), found("ca.pem"), found("cert.pem"), found("key.pem"), verify)


def _docker_config_dir(env: Mapping[str, str]) -> Path:
    if env.get("DOCKER_CONFIG"):
        return Path(env["DOCKER_CONFIG"]).expanduser()
    return Path(env.get("HOME") or Path.home()) / ".docker"


def resolve_endpoint(env: Mapping[str, str]) -> Endpoint:
    """The endpoint the docker CLI would use with this environment."""
    host = env.get("DOCKER_HOST")
    config = _docker_config_dir(env)
    if host:
        tls = None
        if env.get("DOCKER_TLS_VERIFY") or env.get("DOCKER_TLS"):  # the docker CLI: any value turns it on
            folder = Path(env["DOCKER_CERT_PATH"]).expanduser() if env.get("DOCKER_CERT_PATH") else config
            tls = _tls_files(folder, verify=bool(env.get("DOCKER_TLS_VERIFY")))
        return Endpoint(host, "DOCKER_HOST", explicit=True, tls=tls)
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
            docker = json.loads(meta.read_text(encoding="utf-8"))["Endpoints"]["docker"]
            url = docker["Host"]
            skip_verify = bool(docker.get("SkipTLSVerify"))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            url, skip_verify = None, False
        if isinstance(url, str) and url:
            folder = config / "contexts" / "tls" / digest / "docker"
            tls = _tls_files(folder, verify=not skip_verify) if folder.is_dir() or skip_verify else None
            return Endpoint(url, f"docker context {context}", explicit=True, tls=tls)
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
