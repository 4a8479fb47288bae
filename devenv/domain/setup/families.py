"""Which Docker package family a Linux machine uses: the distribution's packages or Docker's repository.

What is installed wins (never mix the two); otherwise the user's preference, else the distro's default.
"""

from __future__ import annotations

from devenv.domain.doctor.platform import PODMAN_DOCKER, Family, PackageFamily, Platform
from devenv.domain.setup.model import Options, Plan, blocked_plan


def default_family(platform: Platform) -> PackageFamily:
    if platform.family in (Family.FEDORA, Family.RHEL):
        return PackageFamily.DOCKER
    return PackageFamily.DISTRO


def distro_engine_name(platform: Platform) -> str:
    return {
        Family.DEBIAN: "docker.io",
        Family.FEDORA: "moby-engine",
        Family.ARCH: "docker",
    }.get(platform.family, "")


def remove_command(platform: Platform, packages: str) -> str:
    return {
        Family.DEBIAN: f"sudo apt-get remove {packages}",
        Family.FEDORA: f"sudo dnf remove {packages}",
        Family.RHEL: f"sudo dnf remove {packages}",
        Family.ARCH: f"sudo pacman -R {packages}",
    }.get(platform.family, f"remove {packages}")


def choose_family(platform: Platform, options: Options) -> tuple[PackageFamily, Plan | None, tuple[str, ...]]:
    """Which package family to use: what is installed wins (never mix); else the preference or default.

    Returns the family, a blocked plan when no family can be used, and notes to show.
    """
    title = "Install Docker"
    installed = platform.installed_families()
    distro_pkg = distro_engine_name(platform)
    if PODMAN_DOCKER in platform.packages:
        return (
            PackageFamily.DISTRO,
            blocked_plan(
                title,
                "podman-docker is installed: its `docker` command conflicts with Docker's packages",
                f"either remove it ({remove_command(platform, PODMAN_DOCKER)}) and run devenv again, or use "
                "Podman as the engine: `systemctl --user enable --now podman.socket` and "
                "`export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock`",
            ),
            (),
        )
    if len(installed) == 2:
        return (
            PackageFamily.DISTRO,
            blocked_plan(
                title,
                f"both the distribution's {distro_pkg} and Docker's docker-ce packages are installed",
                f"keep one family: {remove_command(platform, distro_pkg)}, or "
                f"{remove_command(platform, 'docker-ce docker-ce-cli')}; then run devenv again",
            ),
            (),
        )
    if platform.family is Family.ARCH:
        return PackageFamily.DISTRO, None, ()
    if platform.family is Family.RHEL:
        return PackageFamily.DOCKER, None, ()
    if installed:
        (family,) = installed
        notes: tuple[str, ...] = ()
        if options.prefer is not None and options.prefer is not family:
            current = distro_pkg if family is PackageFamily.DISTRO else "docker-ce"
            notes = (
                f"{current} is already installed, so devenv stays with that package family; mixing the "
                "distribution's packages with Docker's repository breaks upgrades. To switch, remove it "
                f"first ({remove_command(platform, current)}).",
            )
        return family, None, notes
    return options.prefer or default_family(platform), None, ()
