"""Linux recipes: Docker's apt/dnf repository, the distributions' packages, compose, starting the engine."""

from __future__ import annotations

from devenv.domain.doctor.platform import Family, PackageFamily, Platform
from devenv.domain.setup.compose_release import compose_release_steps
from devenv.domain.setup.families import choose_family
from devenv.domain.setup.model import APT_UPDATE, CURL, INSTALL_DOCS, Options, Plan, Step, blocked_plan, root_step

DOCKER_REPO = "https://download.docker.com/linux"
DOCKER_CE_PACKAGES = (
    "docker-ce",
    "docker-ce-cli",
    "containerd.io",
    "docker-buildx-plugin",
    "docker-compose-plugin",
)


def docker_repo_steps(platform: Platform) -> list[Step] | Plan:
    repo = f"{DOCKER_REPO}/{platform.repo_distro}"
    if platform.family is Family.DEBIAN:
        if not platform.codename:
            return blocked_plan(
                "Add Docker's apt repository",
                f"cannot tell the release codename of {platform.description} (VERSION_CODENAME)",
                f"follow {INSTALL_DOCS} by hand, or install the distribution's docker.io instead",
            )
        line = (
            f"deb [arch={platform.deb_arch} signed-by=/etc/apt/keyrings/docker.asc] {repo} {platform.codename} stable\n"
        )
        return [
            APT_UPDATE,
            root_step(
                "apt-get",
                "install",
                "-y",
                "ca-certificates",
                "curl",
                why="fetch Docker's signing key over https",
            ),
            root_step("install", "-m", "0755", "-d", "/etc/apt/keyrings", why="folder for repository signing keys"),
            root_step(
                *CURL,
                "-o",
                "/etc/apt/keyrings/docker.asc",
                f"{repo}/gpg",
                why="download Docker's repository signing key (apt checks every package against it)",
            ),
            root_step("chmod", "a+r", "/etc/apt/keyrings/docker.asc", why="let apt read the key"),
            root_step(
                "tee",
                "/etc/apt/sources.list.d/docker.list",
                why="add Docker's apt repository",
                stdin=line,
            ),
            root_step("apt-get", "update", why="read the package lists of Docker's repository"),
        ]
    # Fedora / RHEL
    repo_file = f"{repo}/docker-ce.repo"
    if platform.family is Family.FEDORA and platform.version_tuple >= (41,):
        add = root_step(
            "dnf",
            "config-manager",
            "addrepo",
            "--overwrite",
            f"--from-repofile={repo_file}",
            why="add Docker's dnf repository",
        )
    else:
        add = root_step("dnf", "config-manager", "--add-repo", repo_file, why="add Docker's dnf repository")
    return [
        root_step("dnf", "-y", "install", "dnf-plugins-core", why="provides `dnf config-manager`"),
        add,
    ]


def engine_install(platform: Platform, options: Options) -> Plan:
    family, blocked, notes = choose_family(platform, options)
    title = "Install the Docker engine and CLI"
    if blocked is not None:
        return blocked
    steps: list[Step] = []
    if family is PackageFamily.DOCKER:
        repo = docker_repo_steps(platform)
        if isinstance(repo, Plan):
            return repo
        steps += repo
        why = "install Docker Engine, its CLI, buildx and the compose plugin from Docker's repository"
        if platform.family is Family.DEBIAN:
            steps.append(root_step("apt-get", "install", "-y", *DOCKER_CE_PACKAGES, why=why))
        else:
            steps.append(root_step("dnf", "-y", "install", *DOCKER_CE_PACKAGES, why=why))
        title = "Install Docker Engine from Docker's repository"
    elif platform.family is Family.DEBIAN:
        name = "Ubuntu's" if platform.repo_distro == "ubuntu" else "Debian's"
        steps += [
            APT_UPDATE,
            root_step(
                "apt-get",
                "install",
                "-y",
                "docker.io",
                why=f"install {name} Docker engine and CLI (docker.io)",
            ),
        ]
        title = f"Install {name} Docker engine (docker.io)"
    elif platform.family is Family.FEDORA:
        steps.append(
            root_step("dnf", "-y", "install", "moby-engine", why="install Fedora's Docker engine (moby-engine)")
        )
        title = "Install Fedora's Docker engine (moby-engine)"
    elif platform.family is Family.ARCH:
        steps.append(
            root_step(
                "pacman",
                "-S",
                "--needed",
                "--noconfirm",
                "docker",
                "docker-compose",
                "docker-buildx",
                why="install Docker, compose v2 and buildx from Arch's repositories",
            )
        )
        notes += ("if pacman reports a 404, your package lists are stale: run `sudo pacman -Syu` first",)
        title = "Install Docker from Arch's repositories"
    return Plan(title, tuple(steps), notes)


def install_includes_compose(platform: Platform, options: Options) -> bool:
    family, blocked, _ = choose_family(platform, options)
    return blocked is None and (family is PackageFamily.DOCKER or platform.family is Family.ARCH)


def compose(platform: Platform, options: Options) -> Plan:
    family, blocked, notes = choose_family(platform, options)
    title = "Install compose v2 as a docker CLI plugin"
    if blocked is not None:
        return blocked
    if platform.family is Family.ARCH:
        return Plan(
            title,
            (
                root_step(
                    "pacman",
                    "-S",
                    "--needed",
                    "--noconfirm",
                    "docker-compose",
                    why="install Arch's compose v2",
                ),
            ),
        )
    if platform.family is Family.DEBIAN:
        if family is PackageFamily.DOCKER:
            steps: list[Step] = []
            if "docker-ce" not in platform.packages:
                repo = docker_repo_steps(platform)
                if isinstance(repo, Plan):
                    return repo
                steps += repo
            else:
                steps.append(APT_UPDATE)
            why = "install compose v2 from Docker's repository"
            steps.append(root_step("apt-get", "install", "-y", "docker-compose-plugin", why=why))
            return Plan(title, tuple(steps), notes)
        package = debian_compose_package(platform)
        if package is None:
            plan = compose_release_steps(platform, options)
            return Plan(plan.title, plan.steps, (*notes, *plan.notes), plan.blocked, plan.hint)
        return Plan(
            title,
            (APT_UPDATE, root_step("apt-get", "install", "-y", package, why=f"install compose v2 ({package})")),
            notes,
        )
    # Fedora / RHEL
    if family is PackageFamily.DISTRO:
        return Plan(
            title,
            (
                root_step(
                    "dnf",
                    "-y",
                    "install",
                    "docker-compose",
                    why="install Fedora's compose v2 (docker-compose)",
                ),
            ),
            notes,
        )
    steps = []
    if "docker-ce" not in platform.packages:
        repo = docker_repo_steps(platform)
        if isinstance(repo, Plan):
            return repo
        steps += repo
    steps.append(
        root_step("dnf", "-y", "install", "docker-compose-plugin", why="install compose v2 from Docker's repo")
    )
    return Plan(title, tuple(steps), notes)


def debian_compose_package(platform: Platform) -> str | None:
    """The distribution's compose v2 package, if it has one (Debian >= 13, Ubuntu >= 22.04)."""
    version = platform.version_tuple
    if platform.distro == "ubuntu":
        return "docker-compose-v2" if version >= (22, 4) else None
    if platform.distro == "debian":
        # testing and unstable carry no VERSION_ID; they have compose v2 like trixie does
        return "docker-compose" if not version or version >= (13,) else None
    return None


def start(platform: Platform, *, installing: bool) -> Plan:
    title = "Start the Docker engine"
    if platform.has_systemd:
        return Plan(
            title,
            (
                root_step(
                    "systemctl",
                    "enable",
                    "--now",
                    "docker.service",
                    why="start the engine now and at every boot",
                ),
            ),
        )
    sysv = platform.has_sysv_docker or (installing and platform.family is Family.DEBIAN)
    if sysv and "service" in platform.commands:
        return Plan(
            title,
            (root_step("service", "docker", "start", why="start the engine with its SysV init script"),),
            (
                "this Linux does not run systemd, so the engine will not start by itself at boot: "
                "run `sudo service docker start` after a reboot",
            ),
        )
    return blocked_plan(
        title,
        "this Linux does not run systemd, and devenv knows no other way to start the engine here",
        "start it yourself in the background, e.g. `sudo sh -c 'dockerd >/var/log/dockerd.log 2>&1 &'`, "
        "or with your init system; then run devenv again",
    )
