"""Which engine answers: Docker Desktop, colima, OrbStack, Podman, a distro engine... from what it says about itself."""

from __future__ import annotations

from enum import StrEnum

from devenv.domain.doctor.facts import EngineInfo


class Provider(StrEnum):
    DOCKER_DESKTOP = "Docker Desktop"
    COLIMA = "colima"
    ORBSTACK = "OrbStack"
    RANCHER = "Rancher Desktop"
    PODMAN = "Podman"
    ROOTLESS = "rootless Docker"
    DOCKER_CE = "Docker Engine (Docker's packages)"
    DISTRO = "distro engine"
    REMOTE = "remote engine"


VM_PROVIDERS = {Provider.DOCKER_DESKTOP, Provider.COLIMA, Provider.ORBSTACK, Provider.RANCHER}


def identify_provider(info: EngineInfo) -> Provider:
    url = info.url.lower()
    os_name = info.os_name.lower()
    name = info.name.lower()
    if any("podman" in c.lower() for c in info.components) or "podman" in url:
        return Provider.PODMAN
    if any("rootless" in s for s in info.security_options):
        return Provider.ROOTLESS
    if "docker desktop" in os_name or info.platform_name.lower().startswith("docker desktop"):
        return Provider.DOCKER_DESKTOP
    if "orbstack" in os_name or "orbstack" in url:
        return Provider.ORBSTACK
    if "rancher-desktop" in name or "/.rd/" in url:
        return Provider.RANCHER
    if name.startswith("colima") or "colima" in url:
        return Provider.COLIMA
    if url.startswith(("tcp://", "ssh://", "http://", "https://")):
        return Provider.REMOTE
    if "community" in info.platform_name.lower():
        return Provider.DOCKER_CE
    return Provider.DISTRO


def describe_engine(info: EngineInfo) -> str:
    provider = identify_provider(info)
    label = str(provider)
    if provider is Provider.DISTRO and info.os_name:
        label = f"distro engine ({info.os_name})"
    return f"{label} {info.server_version} at {info.url}"
