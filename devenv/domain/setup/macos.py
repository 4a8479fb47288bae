"""macOS recipes: Homebrew, colima (the licence-free default) or Docker Desktop, compose, starting the VM."""

from __future__ import annotations

from devenv.domain.doctor.platform import Platform
from devenv.domain.setup.model import CURL, Options, Plan, Step, blocked_plan, user_step

HOMEBREW_INSTALLER = "https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh"


def brew_path(platform: Platform) -> str:
    return f"{platform.brew_prefix}/bin/brew"


def uses_desktop(platform: Platform, options: Options) -> bool:
    if "Docker" in platform.apps or "docker-desktop" in platform.packages:
        return True  # Docker Desktop is already here: never add colima beside it
    if "colima" in platform.packages or "colima" in platform.commands:
        return False
    return options.desktop


def homebrew_plan(options: Options) -> Plan:
    path = f"{options.download_dir}/homebrew-install.sh"
    return Plan(
        "Install Homebrew with its own installer",
        (
            user_step("mkdir", "-p", options.download_dir, why="a folder for the download"),
            user_step(*CURL, "-o", path, HOMEBREW_INSTALLER, why="download Homebrew's official installer"),
            user_step("/bin/bash", path, why="run it; it explains what it does and asks for your password itself"),
        ),
        (
            "Homebrew's installer is fetched from its official location over https; it changes with every "
            "Homebrew release, so there is no fixed checksum to verify it against.",
        ),
    )


def needbrew_path(platform: Platform, options: Options, title: str) -> Plan | None:
    """None when Homebrew is usable; else the plan that installs it (consented) or a blocked plan."""
    if "brew" in platform.commands:
        return None
    if options.install_homebrew:
        return homebrew_plan(options)
    return blocked_plan(
        title,
        "Homebrew is not installed, and devenv installs Docker on macOS with it",
        "install Homebrew from https://brew.sh, or let devenv run Homebrew's own installer "
        "(`devenv doctor --fix` asks first)",
    )


def engine_install(platform: Platform, options: Options) -> Plan:
    brew = brew_path(platform)
    if uses_desktop(platform, options):
        title = "Install Docker Desktop"
        need = needbrew_path(platform, options, title)
        if need is not None and need.blocked:
            return need
        steps = list(need.steps) if need else []
        if "Docker" not in platform.apps and "docker-desktop" not in platform.packages:
            steps.append(
                user_step(
                    brew,
                    "install",
                    "--cask",
                    "docker-desktop",
                    why="Docker Desktop: engine VM, CLI and compose",
                )
            )
        notes = (
            *(need.notes if need else ()),
            "Docker Desktop needs a paid subscription in larger companies; colima is the licence-free default.",
        )
        return Plan(title, tuple(steps), notes)
    title = "Install colima (engine VM) and the docker CLI"
    need = needbrew_path(platform, options, title)
    if need is not None and need.blocked:
        return need
    steps = list(need.steps) if need else []
    formulae = [f for f in ("colima", "docker") if f not in platform.packages]
    if formulae:
        steps.append(
            user_step(brew, "install", *formulae, why="colima runs the engine in a small VM; docker is the CLI")
        )
    return Plan(title, tuple(steps), need.notes if need else ())


def compose(platform: Platform, options: Options) -> Plan:
    title = "Install compose v2 as a docker CLI plugin"
    if uses_desktop(platform, options):
        return Plan(title, notes=("Docker Desktop ships compose v2: start Docker Desktop (or update it) to get it.",))
    need = needbrew_path(platform, options, title)
    if need is not None and need.blocked:
        return need
    steps = list(need.steps) if need else []
    if "docker-compose" not in platform.packages:
        steps.append(user_step(brew_path(platform), "install", "docker-compose", why="compose v2"))
    plugins = f"{platform.home}/.docker/cli-plugins"
    steps += [
        user_step("mkdir", "-p", plugins, why="the docker CLI's plugin folder"),
        user_step(
            "ln",
            "-sfn",
            f"{platform.brew_prefix}/opt/docker-compose/bin/docker-compose",
            f"{plugins}/docker-compose",
            why="make Homebrew's compose answer as `docker compose`",
        ),
    ]
    return Plan(title, tuple(steps), need.notes if need else ())


def start(platform: Platform, options: Options, *, installing: bool) -> Plan:
    title = "Start the Docker engine"
    if uses_desktop(platform, options):
        return Plan(
            title,
            (user_step("open", "-a", "Docker", why="start Docker Desktop"),),
            ("Docker Desktop takes a minute to start; on its first start it asks you to accept its terms.",),
        )
    colima_here = installing or "colima" in platform.packages or "colima" in platform.commands
    if not colima_here and "OrbStack" in platform.apps:
        return Plan(title, (user_step("open", "-a", "OrbStack", why="start OrbStack"),))
    if not colima_here and "Rancher Desktop" in platform.apps:
        return Plan(title, (user_step("open", "-a", "Rancher Desktop", why="start Rancher Desktop"),))
    if installing:
        memory = str(options.colima_memory_gib)
        step = user_step("colima", "start", "--memory", memory, why=f"create and start the engine VM ({memory} GiB)")
        # colima is not on PATH yet when Homebrew was installed in this same plan
        if "brew" not in platform.commands:
            step = Step((f"{platform.brew_prefix}/bin/colima", *step.argv[1:]), False, step.why)
        return Plan(title, (step,))
    return Plan(title, (user_step("colima", "start", why="start the engine VM"),))


def colima_memory_plan(gib: int) -> Plan:
    return Plan(
        f"Give colima's VM {gib} GiB of memory",
        (
            user_step("colima", "stop", why="the VM must be stopped to resize it"),
            user_step("colima", "start", "--memory", str(gib), why=f"restart it with {gib} GiB"),
        ),
        ("running containers stop while the VM restarts",),
    )
