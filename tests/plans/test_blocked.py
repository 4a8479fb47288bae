"""Where installing cannot work, the plan runs nothing and says what to do instead."""

from __future__ import annotations

from dataclasses import replace

from devenv.domain.doctor.platform import PackageFamily, linux_platform, parse_os_release
from devenv.domain.setup import compose_release, macos, model, plans
from devenv.domain.setup.model import Options, SetupState
from devenv.domain.setup.plans import setup_plan
from tests.helpers.platforms import ARCH, DEBIAN_12, FEDORA_41, MAC_ARM, RHEL_9, UBUNTU_2404

OPTIONS = Options(download_dir="/dl")
NOTHING = SetupState()
NO_COMPOSE = SetupState(cli=True, engine=True, running=True, compose=False)
STOPPED = SetupState(cli=True, engine=True, running=False, compose=True)


def test_no_sudo_and_not_root_lists_the_commands_for_an_administrator() -> None:
    plan = setup_plan(replace(DEBIAN_12, commands=frozenset({"systemctl", "curl"})), STOPPED, OPTIONS)
    assert plan.steps == ()
    assert plan.blocked == "these steps need root, and sudo is not available to this user"
    assert plan.hint is not None and "systemctl enable --now docker.service" in plan.hint


def test_root_without_sudo_is_fine() -> None:
    plan = setup_plan(replace(DEBIAN_12, commands=frozenset(), is_root=True), STOPPED, OPTIONS)
    assert plan.blocked is None and [s.display(as_root=True) for s in plan.steps] == [
        "systemctl enable --now docker.service"
    ]


def test_unsupported_distribution_says_to_install_by_hand() -> None:
    alpine = linux_platform(parse_os_release('ID=alpine\nPRETTY_NAME="Alpine Linux v3.19"\n'), machine="x86_64")
    plan = setup_plan(alpine, NOTHING, OPTIONS)
    assert plan.steps == ()
    assert plan.blocked is not None and "Alpine Linux" in plan.blocked
    assert plan.hint is not None and "docs.docker.com/engine/install" in plan.hint


def test_podman_docker_conflict_is_explained() -> None:
    plan = setup_plan(replace(RHEL_9, packages=frozenset({"podman-docker"})), NOTHING, OPTIONS)
    assert plan.steps == ()
    assert plan.blocked is not None and "podman-docker" in plan.blocked
    assert plan.hint is not None and "sudo dnf remove podman-docker" in plan.hint and "podman.socket" in plan.hint


def test_both_families_installed_must_be_resolved_first() -> None:
    plan = setup_plan(replace(UBUNTU_2404, packages=frozenset({"docker.io", "docker-ce"})), NO_COMPOSE, OPTIONS)
    assert plan.steps == ()
    assert plan.hint is not None and "sudo apt-get remove docker.io" in plan.hint


def test_installed_family_wins_over_the_preference_with_a_note() -> None:
    debian = replace(DEBIAN_12, packages=frozenset({"docker.io"}))
    plan = setup_plan(debian, NO_COMPOSE, replace(OPTIONS, prefer=PackageFamily.DOCKER))
    assert not any("download.docker.com" in arg for s in plan.steps for arg in s.argv)
    assert any("docker.io is already installed" in n and "sudo apt-get remove docker.io" in n for n in plan.notes)


def test_docker_ce_present_never_gets_the_distro_packages() -> None:
    debian = replace(DEBIAN_12, packages=frozenset({"docker-ce"}))
    plan = setup_plan(debian, NO_COMPOSE, replace(OPTIONS, prefer=PackageFamily.DISTRO))
    argv = [a for s in plan.steps for a in s.argv]
    assert "docker-compose-plugin" in argv and "docker.io" not in argv and "curl" not in argv


def test_without_systemd_debian_uses_the_sysv_script_and_says_so() -> None:
    plan = setup_plan(replace(DEBIAN_12, has_systemd=False, is_root=True), NOTHING, OPTIONS)
    assert plan.steps[-1].argv == ("service", "docker", "start")
    assert any("does not run systemd" in n for n in plan.notes)


def test_without_systemd_and_no_init_script_says_how_to_start() -> None:
    for platform in (replace(FEDORA_41, has_systemd=False), replace(ARCH, has_systemd=False)):
        plan = setup_plan(platform, STOPPED, OPTIONS)
        assert plan.steps == ()
        assert plan.blocked is not None and "does not run systemd" in plan.blocked
        assert plan.hint is not None and "dockerd" in plan.hint


def test_compose_binary_without_a_recorded_hash_fails_closed() -> None:
    arm = replace(DEBIAN_12, arch="arm64", packages=frozenset({"docker.io"}))
    assert compose_release.COMPOSE_RELEASE_SHA256.get("arm64") is None
    plan = setup_plan(arm, NO_COMPOSE, OPTIONS)
    assert plan.steps == ()
    assert plan.blocked is not None and "never installs a download it cannot verify" in plan.blocked
    assert plan.hint is not None and "--docker-repo" in plan.hint


def test_compose_binary_is_verified_before_it_is_installed() -> None:
    plan = compose_release.compose_release_steps(DEBIAN_12, OPTIONS)
    names = [s.argv[0] for s in plan.steps]
    assert names.index("curl") < names.index("sha256sum") < names.index("install")
    check = plan.steps[names.index("sha256sum")]
    assert (
        check.stdin == f"{compose_release.COMPOSE_RELEASE_SHA256['x86_64']}  /dl/docker-compose-linux-x86_64-2.40.3\n"
    )


def test_macos_without_homebrew_asks_before_running_its_installer() -> None:
    plan = setup_plan(replace(MAC_ARM, commands=frozenset()), NOTHING, OPTIONS)
    assert plan.steps == ()
    assert plan.blocked is not None and "Homebrew is not installed" in plan.blocked
    assert plan.hint is not None and "https://brew.sh" in plan.hint


def test_docker_group_plan_states_root_equivalence() -> None:
    plan = plans.docker_group_plan(DEBIAN_12)
    assert plan is not None
    assert [s.display(as_root=False) for s in plan.steps] == [
        "sudo groupadd -f docker",
        "sudo usermod -aG docker dev",
    ]
    assert "equivalent to having root" in plan.steps[1].why
    assert any("newgrp docker" in n for n in plan.notes)
    assert plans.docker_group_plan(replace(DEBIAN_12, is_root=True)) is None
    assert plans.docker_group_plan(MAC_ARM) is None


def test_git_plans() -> None:
    def cmds(p: model.Plan) -> list[str]:
        return [s.display(as_root=False) for s in p.steps]

    assert cmds(plans.git_plan(DEBIAN_12)) == ["sudo apt-get update", "sudo apt-get install -y git"]
    assert cmds(plans.git_plan(FEDORA_41)) == ["sudo dnf -y install git"]
    assert cmds(plans.git_plan(ARCH)) == ["sudo pacman -S --needed --noconfirm git"]
    assert cmds(plans.git_plan(MAC_ARM)) == ["/opt/homebrew/bin/brew install git"]
    assert cmds(plans.git_plan(replace(MAC_ARM, commands=frozenset()))) == ["xcode-select --install"]


def test_colima_memory_plan() -> None:
    plan = macos.colima_memory_plan(4)
    assert [s.argv for s in plan.steps] == [("colima", "stop"), ("colima", "start", "--memory", "4")]


def test_merge_drops_duplicate_steps_and_keeps_order() -> None:
    a = model.Plan("a", (model.Step(("apt-get", "update"), True, "x"), model.Step(("a",), False, "a")))
    b = model.Plan("b", (model.Step(("apt-get", "update"), True, "x"), model.Step(("b",), False, "b")))
    assert [s.argv for s in model.merge("ab", [a, b]).steps] == [("apt-get", "update"), ("a",), ("b",)]
