"""Golden plans: for each supported platform and starting state, the exact commands, in order.

Commands are shown as a user without root sees them (root steps start with sudo).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from devenv.domain.doctor.platform import PackageFamily, Platform
from devenv.domain.setup.compose_release import COMPOSE_RELEASE_SHA256
from devenv.domain.setup.model import Options, Plan, SetupState
from devenv.domain.setup.plans import setup_plan
from tests.helpers.platforms import (
    ARCH,
    DEBIAN_12,
    DEBIAN_13,
    FEDORA_40,
    FEDORA_41,
    MAC_ARM,
    MAC_INTEL,
    RHEL_9,
    ROCKY_9,
    UBUNTU_2404,
)

DL = "/home/dev/.cache/devenv/downloads"
OPTIONS = Options(download_dir=DL)
DOCKER_REPO = replace(OPTIONS, prefer=PackageFamily.DOCKER)

NOTHING = SetupState()
NO_COMPOSE = SetupState(cli=True, engine=True, running=True, compose=False)
STOPPED = SetupState(cli=True, engine=True, running=False, compose=True)

SHA = COMPOSE_RELEASE_SHA256["x86_64"]
BIN = f"{DL}/docker-compose-linux-x86_64-2.40.3"
COMPOSE_BINARY = [
    f"mkdir -p {DL}",
    f"curl -fsSL --proto =https --tlsv1.2 -o {BIN} "
    "https://github.com/docker/compose/releases/download/v2.40.3/docker-compose-linux-x86_64",
    f"sha256sum --check --strict - <<< '{SHA}  {BIN}'",
    f"sudo install -D -m 0755 {BIN} /usr/local/lib/docker/cli-plugins/docker-compose",
]
CE = "docker-ce docker-ce-cli containerd.io docker-buildx-plugin docker-compose-plugin"


def apt_docker_repo(distro: str, arch: str, codename: str) -> list[str]:
    return [
        "sudo apt-get update",
        "sudo apt-get install -y ca-certificates curl",
        "sudo install -m 0755 -d /etc/apt/keyrings",
        "sudo curl -fsSL --proto =https --tlsv1.2 -o /etc/apt/keyrings/docker.asc "
        f"https://download.docker.com/linux/{distro}/gpg",
        "sudo chmod a+r /etc/apt/keyrings/docker.asc",
        "sudo tee /etc/apt/sources.list.d/docker.list <<< 'deb [arch="
        f"{arch} signed-by=/etc/apt/keyrings/docker.asc] "
        f"https://download.docker.com/linux/{distro} {codename} stable'",
        "sudo apt-get update",
    ]


START = "sudo systemctl enable --now docker.service"
DNF4_REPO = [
    "sudo dnf -y install dnf-plugins-core",
    "sudo dnf config-manager --add-repo https://download.docker.com/linux/{}/docker-ce.repo",
]
DNF5_REPO = [
    "sudo dnf -y install dnf-plugins-core",
    "sudo dnf config-manager addrepo --overwrite --from-repofile=https://download.docker.com/linux/fedora/docker-ce.repo",
]


def dnf4(distro: str) -> list[str]:
    return [DNF4_REPO[0], DNF4_REPO[1].format(distro)]


MAC_COLIMA = [
    "/opt/homebrew/bin/brew install colima docker",
    "/opt/homebrew/bin/brew install docker-compose",
    "mkdir -p /Users/dev/.docker/cli-plugins",
    "ln -sfn /opt/homebrew/opt/docker-compose/bin/docker-compose /Users/dev/.docker/cli-plugins/docker-compose",
    "colima start --memory 4",
]


def pkgs(platform: Platform, *names: str) -> Platform:
    return replace(platform, packages=frozenset(names))


# (case id, platform, state, options, expected commands)
GOLDEN: list[tuple[str, Platform, SetupState, Options, list[str]]] = [
    # ---- Debian 12: no compose v2 package, so the verified release binary
    (
        "debian12-nothing",
        DEBIAN_12,
        NOTHING,
        OPTIONS,
        ["sudo apt-get update", "sudo apt-get install -y docker.io", *COMPOSE_BINARY, START],
    ),
    (
        "debian12-nothing-docker-repo",
        DEBIAN_12,
        NOTHING,
        DOCKER_REPO,
        [*apt_docker_repo("debian", "amd64", "bookworm"), f"sudo apt-get install -y {CE}", START],
    ),
    ("debian12-docker-no-compose", pkgs(DEBIAN_12, "docker.io"), NO_COMPOSE, OPTIONS, COMPOSE_BINARY),
    (
        "debian12-docker-ce-present-no-compose",
        pkgs(DEBIAN_12, "docker-ce", "docker-ce-cli"),
        NO_COMPOSE,
        OPTIONS,
        ["sudo apt-get update", "sudo apt-get install -y docker-compose-plugin"],
    ),
    (
        "debian12-docker-io-present-docker-repo-asked",
        pkgs(DEBIAN_12, "docker.io"),
        NO_COMPOSE,
        DOCKER_REPO,
        COMPOSE_BINARY,
    ),
    ("debian12-stopped", pkgs(DEBIAN_12, "docker.io"), STOPPED, OPTIONS, [START]),
    # ---- Debian 13: compose v2 is a Debian package
    (
        "debian13-nothing",
        DEBIAN_13,
        NOTHING,
        OPTIONS,
        [
            "sudo apt-get update",
            "sudo apt-get install -y docker.io",
            "sudo apt-get install -y docker-compose",
            START,
        ],
    ),
    (
        "debian13-docker-no-compose",
        pkgs(DEBIAN_13, "docker.io"),
        NO_COMPOSE,
        OPTIONS,
        ["sudo apt-get update", "sudo apt-get install -y docker-compose"],
    ),
    ("debian13-stopped", pkgs(DEBIAN_13, "docker.io"), STOPPED, OPTIONS, [START]),
    # ---- Ubuntu 24.04 (arm64)
    (
        "ubuntu2404-nothing",
        UBUNTU_2404,
        NOTHING,
        OPTIONS,
        [
            "sudo apt-get update",
            "sudo apt-get install -y docker.io",
            "sudo apt-get install -y docker-compose-v2",
            START,
        ],
    ),
    (
        "ubuntu2404-nothing-docker-repo",
        UBUNTU_2404,
        NOTHING,
        DOCKER_REPO,
        [*apt_docker_repo("ubuntu", "arm64", "noble"), f"sudo apt-get install -y {CE}", START],
    ),
    (
        "ubuntu2404-docker-no-compose",
        pkgs(UBUNTU_2404, "docker.io"),
        NO_COMPOSE,
        OPTIONS,
        ["sudo apt-get update", "sudo apt-get install -y docker-compose-v2"],
    ),
    (
        "ubuntu2404-docker-ce-present-stopped-no-compose",
        pkgs(UBUNTU_2404, "docker-ce"),
        SetupState(cli=True, engine=True),
        OPTIONS,
        ["sudo apt-get update", "sudo apt-get install -y docker-compose-plugin", START],
    ),
    ("ubuntu2404-stopped", pkgs(UBUNTU_2404, "docker.io"), STOPPED, OPTIONS, [START]),
    # ---- Fedora: Docker's repository (dnf5 syntax from Fedora 41)
    ("fedora41-nothing", FEDORA_41, NOTHING, OPTIONS, [*DNF5_REPO, f"sudo dnf -y install {CE}", START]),
    ("fedora40-nothing", FEDORA_40, NOTHING, OPTIONS, [*dnf4("fedora"), f"sudo dnf -y install {CE}", START]),
    (
        "fedora41-docker-ce-no-compose",
        pkgs(FEDORA_41, "docker-ce"),
        NO_COMPOSE,
        OPTIONS,
        ["sudo dnf -y install docker-compose-plugin"],
    ),
    (
        "fedora41-moby-present-no-compose",
        pkgs(FEDORA_41, "moby-engine"),
        NO_COMPOSE,
        OPTIONS,
        ["sudo dnf -y install docker-compose"],
    ),
    ("fedora41-stopped", pkgs(FEDORA_41, "docker-ce"), STOPPED, OPTIONS, [START]),
    # ---- RHEL and its rebuilds: Docker's rhel / centos repositories
    ("rhel9-nothing", RHEL_9, NOTHING, OPTIONS, [*dnf4("rhel"), f"sudo dnf -y install {CE}", START]),
    ("rocky9-nothing", ROCKY_9, NOTHING, OPTIONS, [*dnf4("centos"), f"sudo dnf -y install {CE}", START]),
    (
        "rhel9-docker-no-compose",
        pkgs(RHEL_9, "docker-ce"),
        NO_COMPOSE,
        OPTIONS,
        ["sudo dnf -y install docker-compose-plugin"],
    ),
    ("rhel9-stopped", pkgs(RHEL_9, "docker-ce"), STOPPED, OPTIONS, [START]),
    # ---- Arch
    (
        "arch-nothing",
        ARCH,
        NOTHING,
        OPTIONS,
        ["sudo pacman -S --needed --noconfirm docker docker-compose docker-buildx", START],
    ),
    (
        "arch-docker-no-compose",
        pkgs(ARCH, "docker"),
        NO_COMPOSE,
        OPTIONS,
        ["sudo pacman -S --needed --noconfirm docker-compose"],
    ),
    ("arch-stopped", pkgs(ARCH, "docker"), STOPPED, OPTIONS, [START]),
    # ---- macOS: colima + docker CLI + compose plugin from Homebrew by default
    ("macos-arm-nothing", MAC_ARM, NOTHING, OPTIONS, MAC_COLIMA),
    (
        "macos-intel-nothing",
        MAC_INTEL,
        NOTHING,
        OPTIONS,
        [c.replace("/opt/homebrew", "/usr/local") for c in MAC_COLIMA],
    ),
    (
        "macos-desktop-asked",
        MAC_ARM,
        NOTHING,
        replace(OPTIONS, desktop=True),
        ["/opt/homebrew/bin/brew install --cask docker-desktop", "open -a Docker"],
    ),
    ("macos-docker-no-compose", pkgs(MAC_ARM, "colima", "docker"), NO_COMPOSE, OPTIONS, MAC_COLIMA[1:4]),
    (
        "macos-desktop-present-stopped",
        replace(MAC_ARM, apps=frozenset({"Docker"})),
        SetupState(cli=True, engine=True, compose=True),
        OPTIONS,
        ["open -a Docker"],
    ),
    (
        "macos-desktop-present-not-colima",
        replace(MAC_ARM, apps=frozenset({"Docker"})),
        NOTHING,
        OPTIONS,
        ["open -a Docker"],
    ),
    (
        "macos-colima-present-desktop-asked",
        pkgs(MAC_ARM, "colima", "docker", "docker-compose"),
        STOPPED,
        replace(OPTIONS, desktop=True),
        ["colima start"],
    ),
    (
        "macos-colima-stopped",
        pkgs(MAC_ARM, "colima", "docker", "docker-compose"),
        STOPPED,
        OPTIONS,
        ["colima start"],
    ),
    (
        "macos-orbstack-stopped",
        replace(MAC_ARM, apps=frozenset({"OrbStack"})),
        STOPPED,
        OPTIONS,
        ["open -a OrbStack"],
    ),
    (
        "macos-no-homebrew-consented",
        replace(MAC_ARM, commands=frozenset()),
        NOTHING,
        replace(OPTIONS, install_homebrew=True),
        [
            f"mkdir -p {DL}",
            f"curl -fsSL --proto =https --tlsv1.2 -o {DL}/homebrew-install.sh "
            "https://raw.githubusercontent.com/Homebrew/install/HEAD/install.sh",
            f"/bin/bash {DL}/homebrew-install.sh",
            *MAC_COLIMA[:4],
            "/opt/homebrew/bin/colima start --memory 4",
        ],
    ),
]


def commands(plan: Plan) -> list[str]:
    return [step.display(as_root=False) for step in plan.steps]


@pytest.mark.parametrize(
    ("platform", "state", "options", "expected"), [c[1:] for c in GOLDEN], ids=[c[0] for c in GOLDEN]
)
def test_golden_plan(platform: Platform, state: SetupState, options: Options, expected: list[str]) -> None:
    plan = setup_plan(platform, state, options)
    assert plan.blocked is None, plan.hint
    assert commands(plan) == expected
    assert all(step.why for step in plan.steps)


def test_every_root_step_is_marked_and_user_steps_are_not() -> None:
    plan = setup_plan(DEBIAN_12, NOTHING, OPTIONS)
    roots = {step.argv[0] for step in plan.steps if step.needs_root}
    users = {step.argv[0] for step in plan.steps if not step.needs_root}
    assert roots == {"apt-get", "install", "systemctl"}
    assert users == {"mkdir", "curl", "sha256sum"}
    assert not setup_plan(MAC_ARM, NOTHING, OPTIONS).needs_root  # Homebrew refuses root


def test_steps_are_argv_never_shell_strings() -> None:
    for _, platform, state, options, _ in GOLDEN:
        for step in setup_plan(platform, state, options).steps:
            assert step.argv[0] not in {"sh", "bash"} or step.argv[1].endswith("homebrew-install.sh")
            assert not any(arg in {"|", "&&", ";", ">"} for arg in step.argv)


def test_running_as_root_drops_sudo() -> None:
    plan = setup_plan(DEBIAN_12, STOPPED, OPTIONS)
    assert [s.display(as_root=True) for s in plan.steps] == ["systemctl enable --now docker.service"]


def test_nothing_to_do_when_everything_answers() -> None:
    plan = setup_plan(DEBIAN_12, SetupState(cli=True, engine=True, running=True, compose=True), OPTIONS)
    assert plan.steps == () and plan.blocked is None
