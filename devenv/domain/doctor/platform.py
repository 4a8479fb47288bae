"""What machine we are on: a plain value gathered by devenv.adapters.system and passed in.

Pure: parsing /etc/os-release text and classifying it happens here; reading it does not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class OS(StrEnum):
    LINUX = "linux"
    MACOS = "macos"
    OTHER = "other"


class Family(StrEnum):
    """How Docker gets installed here: which package manager and which repositories."""

    DEBIAN = "debian"  # Debian, Ubuntu and their derivatives: apt
    FEDORA = "fedora"  # dnf, Docker's fedora repository
    RHEL = "rhel"  # RHEL, CentOS Stream, Rocky, Alma: dnf, Docker's rhel/centos repository
    ARCH = "arch"  # pacman
    MACOS = "macos"  # Homebrew
    UNSUPPORTED = "unsupported"


class PackageFamily(StrEnum):
    """Where the engine packages come from. devenv never mixes the two on one machine."""

    DISTRO = "distro"  # the distribution's own packages (docker.io, moby-engine, Arch's docker)
    DOCKER = "docker"  # Docker's own repository (docker-ce, containerd.io, docker-compose-plugin)


# Package names that tell which family is installed.
DISTRO_ENGINE_PACKAGES = {
    Family.DEBIAN: ("docker.io",),
    Family.FEDORA: ("moby-engine",),
    Family.RHEL: (),
    Family.ARCH: ("docker",),
}
DOCKER_ENGINE_PACKAGES = ("docker-ce", "docker-ce-cli", "containerd.io")
PODMAN_DOCKER = "podman-docker"  # podman's `docker` emulation; its files conflict with Docker's packages

# Everything the system adapter asks the package manager about.
RELEVANT_PACKAGES = {
    Family.DEBIAN: (
        "docker.io",
        "docker-cli",
        "docker-ce",
        "docker-ce-cli",
        "containerd.io",
        "docker-compose",
        "docker-compose-v2",
        "docker-compose-plugin",
        "podman-docker",
        "git",
    ),
    Family.FEDORA: (
        "moby-engine",
        "docker-ce",
        "docker-ce-cli",
        "containerd.io",
        "docker-compose",
        "docker-compose-plugin",
        "podman-docker",
        "git",
    ),
    Family.RHEL: (
        "docker-ce",
        "docker-ce-cli",
        "containerd.io",
        "docker-compose-plugin",
        "podman-docker",
        "git",
    ),
    Family.ARCH: ("docker", "docker-compose", "docker-buildx", "podman-docker", "git"),
    Family.MACOS: ("colima", "docker", "docker-compose", "docker-desktop", "git"),
}

# Commands whose presence on PATH the system adapter records.
RELEVANT_COMMANDS = (
    "docker",
    "dockerd",
    "docker-compose",
    "colima",
    "brew",
    "sudo",
    "systemctl",
    "service",
    "git",
    "curl",
    "sha256sum",
    "podman",
)

DEBIAN_LIKE = {"debian", "ubuntu"}
FEDORA_LIKE = {"fedora"}
RHEL_LIKE = {"rhel", "centos", "rocky", "almalinux", "ol"}
ARCH_LIKE = {"arch", "archlinux", "manjaro", "endeavouros"}


@dataclass(frozen=True)
class Platform:
    os: OS
    arch: str  # normalised: "x86_64" or "arm64"; anything else is kept as uname says it
    distro: str = ""  # os-release ID (debian, ubuntu, fedora, rhel, arch, ...) or "macos"
    distro_like: tuple[str, ...] = ()  # os-release ID_LIKE
    family: Family = Family.UNSUPPORTED
    version: str = ""  # os-release VERSION_ID, or the macOS product version
    codename: str = ""  # VERSION_CODENAME (for Ubuntu derivatives: UBUNTU_CODENAME)
    pretty: str = ""
    has_systemd: bool = False  # systemd is PID 1 (not merely installed)
    has_sysv_docker: bool = False  # /etc/init.d/docker exists
    is_root: bool = False
    user: str = ""
    home: str = ""
    wsl: bool = False
    brew_prefix: str = ""  # /opt/homebrew on Apple silicon, /usr/local on Intel Macs
    commands: frozenset[str] = field(default_factory=frozenset)  # RELEVANT_COMMANDS found on PATH
    packages: frozenset[str] = field(default_factory=frozenset)  # RELEVANT_PACKAGES installed
    apps: frozenset[str] = field(default_factory=frozenset)  # macOS apps: Docker, OrbStack, Rancher Desktop

    @property
    def has_sudo(self) -> bool:
        return "sudo" in self.commands

    @property
    def can_be_root(self) -> bool:
        return self.is_root or self.has_sudo

    @property
    def version_tuple(self) -> tuple[int, ...]:
        return version_tuple(self.version)

    @property
    def repo_distro(self) -> str:
        """The path segment of Docker's repository for this distribution (download.docker.com/linux/X)."""
        if self.family is Family.DEBIAN:
            return "ubuntu" if self.distro == "ubuntu" or "ubuntu" in self.distro_like else "debian"
        if self.family is Family.RHEL:
            return "rhel" if self.distro == "rhel" else "centos"
        return self.distro

    @property
    def deb_arch(self) -> str:
        return {"x86_64": "amd64", "arm64": "arm64"}.get(self.arch, self.arch)

    @property
    def description(self) -> str:
        if self.os is OS.MACOS:
            chip = {"arm64": "Apple silicon", "x86_64": "Intel"}.get(self.arch, self.arch)
            return f"macOS {self.version} ({chip}, {self.arch})"
        name = self.pretty or " ".join(p for p in (self.distro, self.version) if p) or "unknown Linux"
        return f"{name}, {self.arch}" + (" (WSL)" if self.wsl else "")

    def installed_families(self) -> set[PackageFamily]:
        found: set[PackageFamily] = set()
        if self.family is Family.MACOS or self.family is Family.UNSUPPORTED:
            return found
        if any(p in self.packages for p in DISTRO_ENGINE_PACKAGES.get(self.family, ())):
            found.add(PackageFamily.DISTRO)
        if any(p in self.packages for p in DOCKER_ENGINE_PACKAGES):
            found.add(PackageFamily.DOCKER)
        return found


def parse_os_release(text: str) -> dict[str, str]:
    """Parse /etc/os-release (shell-style KEY=value lines, values optionally quoted)."""
    fields: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
            value = value[1:-1].replace('\\"', '"').replace("\\$", "$").replace("\\\\", "\\")
        fields[key.strip()] = value
    return fields


def classify_linux(fields: dict[str, str]) -> Family:
    ids = [fields.get("ID", "").lower(), *fields.get("ID_LIKE", "").lower().split()]
    for candidate in ids:
        if candidate in DEBIAN_LIKE:
            return Family.DEBIAN
        if candidate in FEDORA_LIKE and ids[0] == "fedora":
            return Family.FEDORA
        if candidate in RHEL_LIKE:
            return Family.RHEL
        if candidate in ARCH_LIKE:
            return Family.ARCH
    return Family.UNSUPPORTED


def normalise_arch(machine: str) -> str:
    m = machine.strip().lower()
    if m in {"x86_64", "amd64"}:
        return "x86_64"
    if m in {"aarch64", "arm64", "armv8l"}:
        return "arm64"
    return m


def version_tuple(text: str) -> tuple[int, ...]:
    """'2.40.3' -> (2, 40, 3); 'v2.24.6-desktop.1' -> (2, 24, 6); unparsable parts end the tuple."""
    parts: list[int] = []
    for piece in text.strip().lstrip("vV").split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if len(digits) != len(piece):
            break
    return tuple(parts)


def linux_platform(
    os_release: dict[str, str],
    *,
    machine: str,
    has_systemd: bool = False,
    has_sysv_docker: bool = False,
    is_root: bool = False,
    user: str = "",
    home: str = "",
    wsl: bool = False,
    commands: frozenset[str] = frozenset(),
    packages: frozenset[str] = frozenset(),
) -> Platform:
    like = tuple(os_release.get("ID_LIKE", "").lower().split())
    codename = os_release.get("UBUNTU_CODENAME") or os_release.get("VERSION_CODENAME", "")
    return Platform(
        os=OS.LINUX,
        arch=normalise_arch(machine),
        distro=os_release.get("ID", "").lower(),
        distro_like=like,
        family=classify_linux(os_release),
        version=os_release.get("VERSION_ID", ""),
        codename=codename,
        pretty=os_release.get("PRETTY_NAME", ""),
        has_systemd=has_systemd,
        has_sysv_docker=has_sysv_docker,
        is_root=is_root,
        user=user,
        home=home,
        wsl=wsl,
        commands=commands,
        packages=packages,
    )


def macos_platform(
    *,
    version: str,
    arm64: bool,
    user: str = "",
    home: str = "",
    commands: frozenset[str] = frozenset(),
    packages: frozenset[str] = frozenset(),
    apps: frozenset[str] = frozenset(),
    brew_prefix: str | None = None,
) -> Platform:
    arch = "arm64" if arm64 else "x86_64"
    return Platform(
        os=OS.MACOS,
        arch=arch,
        distro="macos",
        family=Family.MACOS,
        version=version,
        pretty=f"macOS {version}",
        user=user,
        home=home,
        commands=commands,
        packages=packages,
        apps=apps,
        brew_prefix=brew_prefix or ("/opt/homebrew" if arm64 else "/usr/local"),
    )
