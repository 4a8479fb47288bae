"""Check evaluation from facts: pure, no engine needed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from devenv.domain.doctor import checks
from devenv.domain.doctor.checks import Status
from devenv.domain.doctor.facts import DoctorFacts, EndpointProbe, EngineInfo
from devenv.domain.doctor.provider import Provider, identify_provider
from devenv.domain.setup.model import ROOT_EQUIVALENCE
from tests.helpers.platforms import DEBIAN_12, MAC_ARM

GIB = 1024**3
SOCK = "unix:///var/run/docker.sock"
ENGINE = EngineInfo(
    url=SOCK,
    server_version="20.10.24+dfsg1",
    api_version="1.41",
    os_name="Debian GNU/Linux 12 (bookworm)",
    name="host",
    mem_total=24 * GIB,
    root_dir="/var/lib/docker",
)
HEALTHY = DoctorFacts(
    platform=replace(DEBIAN_12, packages=frozenset({"docker.io"}), commands=DEBIAN_12.commands | {"dockerd"}),
    docker_cli="28.2.2",
    probes=(EndpointProbe(SOCK, "default socket", True),),
    engine=ENGINE,
    compose_version="2.40.3",
    git_version="2.39.5",
    disk_free=80 * GIB,
    disk_path="/var/lib/docker",
    docker_group_exists=True,
    in_docker_group=True,
    session_in_docker_group=True,
)
DEAD = (EndpointProbe(SOCK, "default socket", False, "connection refused"),)


def by_id(facts: DoctorFacts) -> dict[str, checks.CheckResult]:
    return {r.id: r for r in checks.evaluate(facts)}


def test_all_green() -> None:
    results = by_id(HEALTHY)
    assert {k: r.status for k, r in results.items()} == dict.fromkeys(
        ["os", "docker-cli", "engine", "engine-api", "compose", "git", "disk", "memory", "access"], Status.OK
    )
    assert results["engine"].detail == (
        "distro engine (Debian GNU/Linux 12 (bookworm)) 20.10.24+dfsg1 at unix:///var/run/docker.sock"
    )
    assert "equivalent to having root" in results["access"].detail  # stated plainly, even when it works
    assert checks.fix_plan(HEALTHY, list(results.values())).steps == ()


def test_stopped_engine_fails_with_the_start_fix() -> None:
    facts = replace(HEALTHY, probes=DEAD, engine=None)
    results = by_id(facts)
    engine = results["engine"]
    assert engine.status is Status.FAIL
    assert engine.detail == "no engine answers at default socket (unix:///var/run/docker.sock): connection refused"
    assert engine.fix is not None
    assert [s.argv for s in engine.fix.steps] == [("systemctl", "enable", "--now", "docker.service")]
    assert results["engine-api"].status is Status.WARN and results["memory"].status is Status.WARN


def test_missing_engine_fails_with_the_install_fix() -> None:
    fresh = replace(HEALTHY, platform=replace(DEBIAN_12, is_root=True, has_systemd=False), probes=DEAD,
                    engine=None, compose_version=None)  # fmt: skip
    results = by_id(fresh)
    fix = results["engine"].fix
    assert fix is not None
    assert [s.display(as_root=True) for s in fix.steps] == [
        "apt-get update",
        "apt-get install -y docker.io",
        "service docker start",
    ]
    plan = checks.fix_plan(fresh, list(results.values()))
    names = [s.argv[0] for s in plan.steps]
    assert names == ["apt-get", "apt-get", "mkdir", "curl", "sha256sum", "install", "service"]


def test_explicit_endpoint_that_is_dead_points_at_the_one_that_answers() -> None:
    probes = (
        EndpointProbe("unix:///tmp/nope.sock", "DOCKER_HOST", False, "no such socket", explicit=True),
        EndpointProbe(SOCK, "default socket", True),
    )
    facts = replace(HEALTHY, probes=probes, engine=None)
    results = by_id(facts)
    engine = results["engine"]
    # the engine runs: starting or installing one would be wrong, pointing docker at it is the fix
    assert engine.status is Status.FAIL and engine.fix is None
    assert engine.hint is not None and "an engine does answer at unix:///var/run/docker.sock" in engine.hint
    assert "unset it" in engine.hint
    assert checks.fix_plan(facts, list(results.values())).steps == ()


def test_default_socket_dead_but_colima_answers() -> None:
    colima = "unix:///home/dev/.colima/default/docker.sock"
    probes = (DEAD[0], EndpointProbe(colima, "colima socket", True))
    engine = by_id(replace(HEALTHY, probes=probes, engine=None))["engine"]
    assert engine.hint == f"an engine answers at {colima} (colima socket): `export DOCKER_HOST={colima}`"
    assert engine.fix is None


def test_a_silent_socket_beside_the_dead_endpoint_still_gets_the_start_fix() -> None:
    probes = (DEAD[0], EndpointProbe("unix:///run/user/1000/docker.sock", "rootless Docker socket", False, "refused"))
    engine = by_id(replace(HEALTHY, probes=probes, engine=None))["engine"]
    assert engine.fix is not None and engine.hint is None


def test_old_api_and_old_compose_fail() -> None:
    facts = replace(HEALTHY, engine=replace(ENGINE, api_version="1.40"), compose_version="2.12.2")
    results = by_id(facts)
    assert results["engine-api"].status is Status.FAIL
    assert results["compose"].status is Status.FAIL and results["compose"].fix is not None


def test_compose_v1_only_is_named() -> None:
    results = by_id(replace(HEALTHY, compose_version=None, compose_v1="1.29.2"))
    assert results["compose"].detail == "only compose v1 (docker-compose 1.29.2); devenv needs v2, the CLI plugin"


def test_git_missing_has_a_fix() -> None:
    git = by_id(replace(HEALTHY, git_version=None))["git"]
    assert git.status is Status.FAIL and git.fix is not None
    assert git.fix.steps[-1].argv == ("apt-get", "install", "-y", "git")


@pytest.mark.parametrize(("free", "status"), [(80, Status.OK), (10, Status.WARN), (2, Status.FAIL)])
def test_disk(free: int, status: Status) -> None:
    assert by_id(replace(HEALTHY, disk_free=free * GIB))["disk"].status is status


def test_low_memory_in_colima_offers_to_resize_the_vm() -> None:
    colima = replace(ENGINE, name="colima", os_name="Ubuntu 24.04 LTS", mem_total=2 * GIB - 1)
    memory = by_id(replace(HEALTHY, platform=MAC_ARM, engine=colima))["memory"]
    assert memory.status is Status.FAIL
    assert memory.fix is not None and memory.fix.steps[-1].argv == ("colima", "start", "--memory", "4")


def test_low_memory_in_docker_desktop_says_where_to_change_it() -> None:
    desktop = replace(ENGINE, os_name="Docker Desktop", mem_total=3 * GIB)
    memory = by_id(replace(HEALTHY, platform=MAC_ARM, engine=desktop))["memory"]
    assert memory.status is Status.WARN and memory.hint is not None and "Settings > Resources" in memory.hint


def test_permission_denied_offers_the_group_with_its_root_equivalence() -> None:
    denied = (EndpointProbe(SOCK, "default socket", False, "permission denied", denied=True),)
    facts = replace(HEALTHY, probes=denied, engine=None, in_docker_group=False, session_in_docker_group=False)
    results = by_id(facts)
    access = results["access"]
    assert access.status is Status.FAIL
    assert ROOT_EQUIVALENCE in access.detail
    assert access.fix is not None and access.fix.steps[-1].argv == ("usermod", "-aG", "docker", "dev")
    assert results["engine"].detail == "permission denied on default socket (unix:///var/run/docker.sock)"
    # the group change is never part of the plan --fix runs with --yes: it is offered on its own
    plan = checks.fix_plan(facts, list(results.values()))
    assert not any(s.argv[0] == "usermod" for s in plan.steps)
    assert checks.group_fix(list(results.values())) is access.fix


def test_in_group_but_not_in_this_session() -> None:
    denied = (EndpointProbe(SOCK, "default socket", False, "permission denied", denied=True),)
    access = by_id(replace(HEALTHY, probes=denied, engine=None, session_in_docker_group=False))["access"]
    assert access.status is Status.FAIL and access.hint is not None and "newgrp docker" in access.hint


def test_rootless_and_root_need_no_group() -> None:
    rootless = replace(ENGINE, security_options=("name=seccomp,profile=default", "name=rootless"))
    access = by_id(replace(HEALTHY, engine=rootless, in_docker_group=False, session_in_docker_group=False))["access"]
    assert access.status is Status.OK and "rootless" in access.detail
    root = by_id(replace(HEALTHY, platform=replace(HEALTHY.platform, is_root=True)))["access"]
    assert root.detail == "running as root: no group needed"


@pytest.mark.parametrize(
    ("info", "provider"),
    [
        (ENGINE, Provider.DISTRO),
        (
            replace(ENGINE, platform_name="Docker Engine - Community", server_version="27.3.1"),
            Provider.DOCKER_CE,
        ),
        (
            replace(ENGINE, os_name="Docker Desktop", platform_name="Docker Desktop 4.34.0"),
            Provider.DOCKER_DESKTOP,
        ),
        (replace(ENGINE, name="colima", url="unix:///Users/d/.colima/default/docker.sock"), Provider.COLIMA),
        (
            replace(ENGINE, os_name="OrbStack", url="unix:///Users/d/.orbstack/run/docker.sock"),
            Provider.ORBSTACK,
        ),
        (
            replace(ENGINE, name="lima-rancher-desktop", url="unix:///Users/d/.rd/docker.sock"),
            Provider.RANCHER,
        ),
        (replace(ENGINE, components=("Podman Engine", "Conmon")), Provider.PODMAN),
        (replace(ENGINE, security_options=("name=rootless",)), Provider.ROOTLESS),
        (replace(ENGINE, url="tcp://build-box:2376"), Provider.REMOTE),
    ],
)
def test_identify_provider(info: EngineInfo, provider: Provider) -> None:
    assert identify_provider(info) is provider


def test_unsupported_os_warns_but_does_not_fail() -> None:
    from devenv.domain.doctor.platform import linux_platform, parse_os_release

    alpine = linux_platform(parse_os_release('ID=alpine\nPRETTY_NAME="Alpine Linux"'), machine="riscv64")
    result = checks.check_os(alpine)
    assert result.status is Status.WARN and result.hint is not None


def test_macos_description() -> None:
    assert checks.check_os(MAC_ARM).detail == "macOS 14.5 (Apple silicon, arm64)"
