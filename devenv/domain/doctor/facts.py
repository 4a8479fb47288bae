"""What doctor gathered about the machine and its engine: plain values, filled in by devenv.usecases.doctor
through the system and engine adapters and read by the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from devenv.domain.doctor.platform import OS, Platform
from devenv.domain.setup import model as plans


@dataclass(frozen=True)
class EndpointProbe:
    url: str  # unix:///var/run/docker.sock, tcp://..., ssh://...
    source: str  # "DOCKER_HOST", "docker context colima", "default socket", "colima socket", ...
    answered: bool
    error: str = ""
    denied: bool = False  # the socket exists but this user may not open it
    explicit: bool = False  # chosen by DOCKER_HOST, DOCKER_CONTEXT or the current docker context


@dataclass(frozen=True)
class EngineInfo:
    """What the engine says about itself (`version` + `info`), reduced to what the checks need."""

    url: str
    server_version: str
    api_version: str
    os_name: str = ""  # info.OperatingSystem: "Docker Desktop", "Debian GNU/Linux 12 (bookworm)"
    name: str = ""  # info.Name: the host or VM name ("colima", "orbstack", "lima-rancher-desktop")
    platform_name: str = ""  # version.Platform.Name: "Docker Engine - Community", "Docker Desktop 4.30.0"
    mem_total: int = 0
    ncpu: int = 0
    root_dir: str = ""
    security_options: tuple[str, ...] = ()
    components: tuple[str, ...] = ()  # names of version.Components ("Engine", "Podman Engine", ...)


@dataclass(frozen=True)
class RemoteEngine:
    """An engine on another host (ssh://, or tcp:// to another machine): what doctor says about it."""

    url: str
    source: str  # "DOCKER_HOST", "docker context box"
    latency_ms: float | None  # one API round trip once connected
    disk_free: int | None  # on the engine's host, at its root dir (over ssh; unknown over tcp)
    disk_path: str


@dataclass(frozen=True)
class DoctorFacts:
    platform: Platform
    docker_cli: str | None = None  # client version when the docker CLI is on PATH
    probes: tuple[EndpointProbe, ...] = ()  # the endpoint docker would use first, then the usual sockets
    engine: EngineInfo | None = None  # from the endpoint devenv uses, when it answered
    compose_version: str | None = None  # `docker compose version --short`
    compose_v1: str | None = None  # version of a standalone docker-compose 1.x, if that is all there is
    git_version: str | None = None
    disk_free: int | None = None
    disk_path: str = ""
    docker_group_exists: bool = False
    in_docker_group: bool = False  # listed in /etc/group
    session_in_docker_group: bool = False  # effective in this login session
    options: plans.Options = field(default_factory=plans.Options)
    remote: RemoteEngine | None = None  # the engine is on another host

    @property
    def chosen(self) -> EndpointProbe | None:
        return self.probes[0] if self.probes else None

    @property
    def answering_elsewhere(self) -> EndpointProbe | None:
        """An endpoint that answers while the chosen one is silent: an engine runs, docker just looks elsewhere."""
        chosen = self.chosen
        if chosen is None or chosen.answered:
            return None
        return next((p for p in self.probes[1:] if p.answered and p.url != chosen.url), None)

    @property
    def engine_installed(self) -> bool:
        p = self.platform
        if p.os is OS.MACOS:
            return bool({"colima"} & (p.packages | p.commands)) or bool(
                {"Docker", "OrbStack", "Rancher Desktop"} & p.apps
            )
        return "dockerd" in p.commands or bool(p.installed_families())

    @property
    def compose_ok(self) -> bool:
        return self.compose_version is not None and plans.min_version_ok(self.compose_version, plans.MIN_COMPOSE)

    def setup_state(self) -> plans.SetupState:
        return plans.SetupState(
            cli=self.docker_cli is not None,
            engine=self.engine_installed,
            running=self.engine is not None or self.answering_elsewhere is not None,
            compose=self.compose_ok,
        )
