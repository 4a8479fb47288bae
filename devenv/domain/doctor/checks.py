"""Doctor checks: pure evaluation of gathered facts into ok / warn / fail, a one-line detail and a fix plan.

Facts are gathered by devenv.usecases.doctor through the system and engine adapters; nothing here
touches the machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from devenv.domain.doctor.facts import DoctorFacts
from devenv.domain.doctor.platform import OS, Family, PackageFamily, Platform, version_tuple
from devenv.domain.doctor.provider import VM_PROVIDERS, Provider, describe_engine, identify_provider
from devenv.domain.setup import macos
from devenv.domain.setup import model as plans
from devenv.domain.setup import plans as setup

GIB = 1024**3
REMOTE_SLOW_MS = 150  # a round trip to the engine above this makes status and a no-op up feel slow
DISK_FAIL_GIB = 5
DISK_WARN_GIB = 15
MEMORY_FAIL_GIB = 2
MEMORY_WARN_GIB = 4
MIN_MACOS = (13,)
SUPPORTED_ARCH = ("x86_64", "arm64")


class Status(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True)
class CheckResult:
    id: str  # stable, for --json and scripts: "engine", "compose", "port-8000"
    title: str  # what the table shows
    status: Status
    detail: str  # one line
    fix: plans.Plan | None = None
    hint: str | None = None  # what to do when there is no plan

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "status": str(self.status),
            "detail": self.detail,
            "hint": self.hint,
            "fix": self.fix.as_dict() if self.fix else None,
        }


# ------------------------------------------------------------------------------------------------ checks


def check_os(p: Platform) -> CheckResult:
    title = "OS and architecture"
    arch_ok = p.arch in SUPPORTED_ARCH
    if p.os is OS.MACOS:
        if not arch_ok:
            return CheckResult("os", title, Status.WARN, f"{p.description}: unsupported architecture")
        if version_tuple(p.version) < MIN_MACOS:
            return CheckResult(
                "os",
                title,
                Status.WARN,
                f"{p.description}: older than macOS 13, which current Docker tools expect",
                hint="update macOS, or install an engine that still supports it yourself",
            )
        return CheckResult("os", title, Status.OK, p.description)
    if p.os is OS.LINUX and p.family is not Family.UNSUPPORTED and arch_ok:
        detail = p.description
        if p.wsl:
            return CheckResult(
                "os",
                title,
                Status.WARN,
                f"{detail}: WSL works best with Docker Desktop's WSL integration",
                hint="enable Docker Desktop > Settings > Resources > WSL integration for this distribution",
            )
        return CheckResult("os", title, Status.OK, detail)
    return CheckResult(
        "os",
        title,
        Status.WARN,
        f"{p.description}: not a platform devenv can install Docker on",
        hint=f"install Docker Engine and compose v2 yourself ({plans.INSTALL_DOCS}); devenv works with them",
    )


def check_docker_cli(f: DoctorFacts) -> CheckResult:
    title = "Docker CLI"
    if f.docker_cli is None:
        return CheckResult(
            "docker-cli",
            title,
            Status.FAIL,
            "`docker` is not on PATH",
            fix=setup.engine_install_plan(f.platform, f.options),
        )
    return CheckResult("docker-cli", title, Status.OK, f"docker {f.docker_cli}")


def _engine_fix(f: DoctorFacts) -> plans.Plan:
    if f.engine_installed:
        return setup.start_plan(f.platform, f.options)
    return plans.merge(
        "Install and start the Docker engine",
        [
            setup.engine_install_plan(f.platform, f.options),
            setup.start_plan(f.platform, f.options, installing=True),
        ],
    )


def check_engine(f: DoctorFacts) -> CheckResult:
    title = "Engine reachable"
    chosen = f.chosen
    if f.engine is not None:
        return CheckResult("engine", title, Status.OK, describe_engine(f.engine))
    if chosen is None:
        return CheckResult("engine", title, Status.FAIL, "no engine endpoint to try", fix=_engine_fix(f))
    where = f"{chosen.source} ({chosen.url})" if chosen.source != chosen.url else chosen.url
    if chosen.denied:
        return CheckResult(
            "engine",
            title,
            Status.FAIL,
            f"permission denied on {where}",
            hint="see 'Engine access' below",
        )
    reason = f": {chosen.error}" if chosen.error else ""
    detail = f"no engine answers at {where}{reason}"
    other = f.answering_elsewhere
    if other is None:
        return CheckResult("engine", title, Status.FAIL, detail, fix=_engine_fix(f))
    # an engine runs, so starting or installing one is not the fix: pointing docker at it is
    if chosen.explicit:
        hint = (
            f"an engine does answer at {other.url} ({other.source}), but {chosen.source} points "
            "docker elsewhere: unset it, or `docker context use` the right context"
        )
    else:
        hint = f"an engine answers at {other.url} ({other.source}): `export DOCKER_HOST={other.url}`"
    return CheckResult("engine", title, Status.FAIL, detail, hint=hint)


def _not_checked(check_id: str, title: str) -> CheckResult:
    return CheckResult(check_id, title, Status.WARN, "not checked: no engine answered")


def check_engine_api(f: DoctorFacts) -> CheckResult:
    title = "Engine API version"
    if f.engine is None:
        return _not_checked("engine-api", title)
    api = f.engine.api_version
    if plans.min_version_ok(api, plans.MIN_ENGINE_API):
        return CheckResult("engine-api", title, Status.OK, f"API {api} (devenv needs >= {plans.MIN_ENGINE_API})")
    return CheckResult(
        "engine-api",
        title,
        Status.FAIL,
        f"API {api} is older than {plans.MIN_ENGINE_API} (Docker Engine 20.10)",
        hint="upgrade the engine: your platform's package manager, Docker Desktop's updater, or "
        "`devenv doctor --fix --docker-repo` on Linux",
    )


def check_compose(f: DoctorFacts) -> CheckResult:
    title = "Compose v2"
    fix = setup.compose_plan(f.platform, f.options)
    if f.compose_version is None:
        if f.compose_v1:
            detail = f"only compose v1 (docker-compose {f.compose_v1}); devenv needs v2, the CLI plugin"
        else:
            detail = "`docker compose` does not answer"
        return CheckResult("compose", title, Status.FAIL, detail, fix=fix)
    if not f.compose_ok:
        return CheckResult(
            "compose",
            title,
            Status.FAIL,
            f"compose {f.compose_version} is older than {plans.MIN_COMPOSE}",
            fix=fix,
        )
    return CheckResult("compose", title, Status.OK, f"compose {f.compose_version} (needs >= {plans.MIN_COMPOSE})")


def check_git(f: DoctorFacts) -> CheckResult:
    if f.git_version is None:
        return CheckResult("git", "git", Status.FAIL, "`git` is not on PATH", fix=setup.git_plan(f.platform, f.options))
    return CheckResult("git", "git", Status.OK, f"git {f.git_version}")


def check_disk(f: DoctorFacts) -> CheckResult:
    title = "Free disk for images"
    if f.disk_free is None:
        return CheckResult("disk", title, Status.WARN, f"cannot tell the free space at {f.disk_path or '?'}")
    gib = f.disk_free / GIB
    detail = f"{gib:.0f} GiB free at {f.disk_path}"
    hint = "free some space: `docker system prune` removes unused images, containers and build cache"
    if gib < DISK_FAIL_GIB:
        return CheckResult("disk", title, Status.FAIL, f"{detail} (needs >= {DISK_FAIL_GIB} GiB)", hint=hint)
    if gib < DISK_WARN_GIB:
        return CheckResult("disk", title, Status.WARN, f"{detail} (>= {DISK_WARN_GIB} GiB advised)", hint=hint)
    return CheckResult("disk", title, Status.OK, detail)


def check_memory(f: DoctorFacts) -> CheckResult:
    title = "Memory for the engine"
    if f.engine is None:
        return _not_checked("memory", title)
    gib = f.engine.mem_total / GIB
    provider = identify_provider(f.engine)
    where = "the engine's VM" if provider in VM_PROVIDERS else "the engine"
    detail = f"{gib:.1f} GiB available to {where}"
    if gib >= MEMORY_WARN_GIB:
        return CheckResult("memory", title, Status.OK, detail)
    status = Status.FAIL if gib < MEMORY_FAIL_GIB else Status.WARN
    detail += f" (>= {MEMORY_WARN_GIB} GiB advised)"
    if provider is Provider.COLIMA:
        return CheckResult("memory", title, status, detail, fix=macos.colima_memory_plan(MEMORY_WARN_GIB))
    if provider is Provider.DOCKER_DESKTOP:
        hint = f"Docker Desktop > Settings > Resources > Memory: set at least {MEMORY_WARN_GIB} GiB"
    elif provider in VM_PROVIDERS:
        hint = f"give {provider}'s VM at least {MEMORY_WARN_GIB} GiB in its settings"
    else:
        hint = "close memory-hungry programs, or run devenv on a machine with more memory"
    return CheckResult("memory", title, status, detail, hint=hint)


def check_access(f: DoctorFacts) -> CheckResult:
    title = "Engine access"
    p = f.platform
    group_note = f"via the docker group. {plans.ROOT_EQUIVALENCE}"
    if p.is_root:
        return CheckResult("access", title, Status.OK, "running as root: no group needed")
    if f.engine is not None:
        provider = identify_provider(f.engine)
        if provider is Provider.ROOTLESS:
            return CheckResult("access", title, Status.OK, "rootless engine: it runs as you, no root-equivalent group")
        if provider in VM_PROVIDERS or p.os is OS.MACOS:
            return CheckResult("access", title, Status.OK, f"{provider}'s socket belongs to you")
        if provider is Provider.REMOTE:
            return CheckResult("access", title, Status.OK, f"remote engine at {f.engine.url}")
        if f.session_in_docker_group:
            return CheckResult("access", title, Status.OK, group_note)
        return CheckResult("access", title, Status.OK, "the engine's socket lets you in")
    chosen = f.chosen
    if chosen is not None and chosen.denied:
        if f.in_docker_group and not f.session_in_docker_group:
            return CheckResult(
                "access",
                title,
                Status.FAIL,
                f"{p.user} is in the docker group, but this login session is not yet",
                hint="log out and back in, or run `newgrp docker` in this shell",
            )
        return CheckResult(
            "access",
            title,
            Status.FAIL,
            f"{p.user or 'you'} may not use {chosen.url}. The docker group would allow it. {plans.ROOT_EQUIVALENCE}",
            fix=setup.docker_group_plan(p),
            hint="or use rootless Docker: https://docs.docker.com/engine/security/rootless/",
        )
    if p.os is OS.LINUX and not f.in_docker_group:
        return CheckResult(
            "access",
            title,
            Status.WARN,
            f"not checked: no engine answered; {p.user or 'you'} is not in the docker group",
            hint="a rootful engine will need the docker group (devenv asks before adding you) or sudo",
        )
    return _not_checked("access", title)


def port_result(port: int, in_use: bool) -> CheckResult:
    title = f"Port {port}"
    if in_use:
        return CheckResult(
            f"port-{port}",
            title,
            Status.FAIL,
            f"{port} is already in use on this machine",
            hint="stop what listens there, or choose another port in your answers",
        )
    return CheckResult(f"port-{port}", title, Status.OK, f"{port} is free")


def check_remote(f: DoctorFacts) -> CheckResult:
    """The remote engine: where, how far (latency), and the host's memory and disk."""
    r = f.remote
    assert r is not None
    parts = [f"{r.url} ({r.source})"]
    if f.engine is not None:
        parts.append(f"Docker {f.engine.server_version}, {f.engine.mem_total / GIB:.1f} GiB memory")
    if r.latency_ms is not None:
        parts.append(f"{r.latency_ms:.0f} ms per request")
    parts.append(f"{r.disk_free / GIB:.0f} GiB free at {r.disk_path}" if r.disk_free is not None else "disk unknown")
    slow = r.latency_ms is not None and r.latency_ms > REMOTE_SLOW_MS
    return CheckResult(
        "remote",
        "Remote engine",
        Status.WARN if slow else Status.OK,
        "; ".join(parts),
        hint="a far engine makes every command slower; one closer to you (same region) helps" if slow else None,
    )


def evaluate(f: DoctorFacts) -> list[CheckResult]:
    """Every machine-level check, in the order the table shows them (ports are added by the caller)."""
    return [
        check_os(f.platform),
        check_docker_cli(f),
        check_engine(f),
        *([check_remote(f)] if f.remote else []),
        check_engine_api(f),
        check_compose(f),
        check_git(f),
        check_disk(f),
        check_memory(f),
        check_access(f),
    ]


def fix_plan(f: DoctorFacts, results: list[CheckResult]) -> plans.Plan:
    """The one plan `doctor --fix` offers: Docker set-up from the current state, then the other fixes.

    The docker group is left out on purpose: it is offered on its own (see group_fix).
    """
    failing = {r.id for r in results if r.status is not Status.OK}
    parts: list[plans.Plan] = []
    if {"docker-cli", "engine", "compose"} & failing:
        parts.append(setup.setup_plan(f.platform, f.setup_state(), f.options))
    for r in results:
        if r.status is Status.OK or r.fix is None or r.id in {"docker-cli", "engine", "compose", "access"}:
            continue
        parts.append(r.fix)
    parts = [p for p in parts if not p.empty]
    if not parts:
        return plans.Plan("Nothing doctor can fix automatically")
    return plans.merge("Fix what doctor found", parts)


def group_fix(results: list[CheckResult]) -> plans.Plan | None:
    for r in results:
        if r.id == "access" and r.status is not Status.OK and r.fix is not None:
            return r.fix
    return None


def preferred_family(value: str | None) -> PackageFamily | None:
    return PackageFamily(value) if value else None
