"""The public plan builders doctor and init use: set up Docker, install one piece, start the engine, git.

Each picks the macOS or Linux recipe, and turns a plan with root steps into a blocked one where devenv
cannot become root.
"""

from __future__ import annotations

from devenv.domain.doctor.platform import OS, Family, Platform
from devenv.domain.setup import linux, macos
from devenv.domain.setup.model import (
    APT_UPDATE,
    ROOT_EQUIVALENCE,
    Options,
    Plan,
    SetupState,
    Step,
    blocked_plan,
    merge,
    require_root,
    root_step,
    unsupported,
    user_step,
)


def _supported(platform: Platform) -> bool:
    return platform.os is OS.MACOS or (platform.os is OS.LINUX and platform.family is not Family.UNSUPPORTED)


def _engine_install(platform: Platform, options: Options) -> Plan:
    if platform.os is OS.MACOS:
        return macos.engine_install(platform, options)
    return linux.engine_install(platform, options)


def _compose(platform: Platform, options: Options) -> Plan:
    if platform.os is OS.MACOS:
        return macos.compose(platform, options)
    return linux.compose(platform, options)


def _start(platform: Platform, options: Options, *, installing: bool) -> Plan:
    if platform.os is OS.MACOS:
        return macos.start(platform, options, installing=installing)
    return linux.start(platform, installing=installing)


def engine_install_plan(platform: Platform, options: Options | None = None) -> Plan:
    """Install the engine and the docker CLI (the package family already present, else the default)."""
    if not _supported(platform):
        return unsupported(platform, "Install the Docker engine")
    return require_root(_engine_install(platform, options or Options()), platform)


def compose_plan(platform: Platform, options: Options | None = None) -> Plan:
    """Compose v2 as a CLI plugin: the platform's package, else the sha256-verified release binary."""
    if not _supported(platform):
        return unsupported(platform, "Install compose v2")
    return require_root(_compose(platform, options or Options()), platform)


def start_plan(platform: Platform, options: Options | None = None, *, installing: bool = False) -> Plan:
    """Start an installed engine (systemctl; the SysV script without systemd; colima; the Desktop app)."""
    if not _supported(platform):
        return unsupported(platform, "Start the Docker engine")
    return require_root(_start(platform, options or Options(), installing=installing), platform)


def setup_plan(platform: Platform, state: SetupState, options: Options | None = None) -> Plan:
    """Everything needed for a working engine + compose, from what is installed and answering now."""
    options = options or Options()
    title = f"Set up Docker on {platform.description}"
    if not _supported(platform):
        return unsupported(platform, title)
    parts: list[Plan] = []
    installing = not state.cli or (not state.engine and not state.running)
    if installing:
        parts.append(_engine_install(platform, options))
    included = installing and (
        macos.uses_desktop(platform, options)
        if platform.os is OS.MACOS
        else linux.install_includes_compose(platform, options)
    )
    if not state.compose and not included:
        parts.append(_compose(platform, options))
    if not state.running:
        parts.append(_start(platform, options, installing=installing and not state.engine))
    if not parts:
        return Plan("Docker is ready: nothing to do")
    if platform.os is OS.MACOS and options.desktop and not macos.uses_desktop(platform, options):
        parts.append(
            Plan(
                title,
                notes=(
                    "colima is already installed, so devenv uses it rather than adding Docker Desktop "
                    "beside it; to switch, `brew uninstall colima` first.",
                ),
            )
        )
    return require_root(merge(title, parts), platform)


def git_plan(platform: Platform, options: Options | None = None) -> Plan:
    options = options or Options()
    title = "Install git"
    if platform.os is OS.MACOS:
        if "brew" in platform.commands:
            return Plan(title, (user_step(macos.brew_path(platform), "install", "git", why="git, from Homebrew"),))
        return Plan(
            title,
            (user_step("xcode-select", "--install", why="Apple's command line tools include git"),),
            ("a dialog opens: accept it and wait for the install to finish",),
        )
    steps: tuple[Step, ...]
    if platform.family is Family.DEBIAN:
        steps = (APT_UPDATE, root_step("apt-get", "install", "-y", "git", why="git"))
    elif platform.family in (Family.FEDORA, Family.RHEL):
        steps = (root_step("dnf", "-y", "install", "git", why="git"),)
    elif platform.family is Family.ARCH:
        steps = (root_step("pacman", "-S", "--needed", "--noconfirm", "git", why="git"),)
    else:
        return blocked_plan(title, f"devenv cannot install git on {platform.description}", "install git yourself")
    return require_root(Plan(title, steps), platform)


def docker_group_plan(platform: Platform) -> Plan | None:
    """Add the user to the docker group. Never run silently: the why says plainly what it grants."""
    if platform.os is not OS.LINUX or platform.is_root or not platform.user:
        return None
    plan = Plan(
        f"Let {platform.user} use the Docker engine without sudo (docker group)",
        (
            root_step("groupadd", "-f", "docker", why="make sure the docker group exists"),
            root_step(
                "usermod",
                "-aG",
                "docker",
                platform.user,
                why=f"add {platform.user} to the docker group. {ROOT_EQUIVALENCE}",
            ),
        ),
        (
            "log out and back in (or run `newgrp docker`) for the membership to take effect",
            "rootless Docker avoids the root-equivalent group: https://docs.docker.com/engine/security/rootless/",
        ),
    )
    return require_root(plan, platform)
