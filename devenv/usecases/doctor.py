"""`devenv doctor`: gather facts through the adapters, evaluate the checks, and apply fixes with consent.

Also the entry point `devenv init` uses to get a working engine: ensure_engine().
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.domain.doctor import checks
from devenv.domain.doctor.checks import CheckResult, Status
from devenv.domain.doctor.facts import DoctorFacts, EndpointProbe, EngineInfo
from devenv.domain.doctor.platform import OS, PackageFamily
from devenv.domain.doctor.provider import VM_PROVIDERS, identify_provider
from devenv.domain.setup import model as plans
from devenv.errors import EnvironmentProblem, UserError
from devenv.usecases.plans import PlanRun, render_plan, run_plan
from devenv.usecases.remote_doctor import remote_facts

if TYPE_CHECKING:
    from devenv.adapters.engine import Engine
    from devenv.adapters.system import System
    from devenv.context import AppContext

# Checks without which devenv cannot bring a stack up (init stops on these; disk, memory, ports only warn).
ESSENTIAL = ("docker-cli", "engine", "engine-api", "compose", "git", "access")
ENGINE_WAIT_SECONDS = 90.0


@dataclass(frozen=True)
class DoctorReport:
    facts: DoctorFacts
    results: tuple[CheckResult, ...]

    @property
    def ok(self) -> bool:
        return all(r.status is not Status.FAIL for r in self.results)

    def failing(self, ids: Sequence[str] | None = None) -> list[CheckResult]:
        return [r for r in self.results if r.status is Status.FAIL and (ids is None or r.id in ids)]

    def fix_plan(self) -> plans.Plan:
        return checks.fix_plan(self.facts, list(self.results))

    def group_plan(self) -> plans.Plan | None:
        return checks.group_fix(list(self.results))

    def as_dict(self) -> dict[str, object]:
        return {
            "ok": self.ok,
            "platform": self.facts.platform.description,
            "checks": [r.as_dict() for r in self.results],
            "fix": self.fix_plan().as_dict(),
        }


def default_options(ctx: AppContext, *, docker_repo: bool = False, desktop: bool = False) -> plans.Options:
    """`docker_repo`: on Linux, install from Docker's repository rather than the distribution's packages."""
    return plans.Options(
        prefer=PackageFamily.DOCKER if docker_repo else None,
        desktop=desktop,
        download_dir=str(ctx.settings.paths.cache_dir / "downloads"),
    )


def gather_facts(system: System, engine: Engine, options: plans.Options) -> DoctorFacts:
    platform = system.platform
    try:
        probes = tuple(engine.probe_all())
    except EnvironmentProblem as exc:  # e.g. a current docker context whose metadata cannot be read
        probes = (EndpointProbe("(unknown)", "docker context", False, exc.message, explicit=True),)
    info = None
    if probes and probes[0].answered:
        try:
            info = engine.describe(probes[0].url)
        except EnvironmentProblem:
            info = None
    docker_cli = system.docker_cli_version()
    compose = system.compose_version() if docker_cli else None
    group = system.docker_group() if platform.os is OS.LINUX else None
    disk_path, disk_free = system.disk_free(_disk_path(platform.os, platform.home, info))
    remote = remote_facts(engine, system.runner, info)
    if remote is not None:  # images land on the engine's host, not here
        disk_path, disk_free = remote.disk_path, remote.disk_free
    return DoctorFacts(
        platform=platform,
        docker_cli=docker_cli,
        probes=probes,
        engine=info,
        compose_version=compose,
        compose_v1=system.compose_v1_version() if compose is None else None,
        git_version=system.git_version(),
        disk_free=disk_free,
        disk_path=disk_path,
        docker_group_exists=bool(group and group.exists),
        in_docker_group=bool(group and group.member),
        session_in_docker_group=bool(group and group.in_session),
        options=options,
        remote=remote,
    )


def _disk_path(os_kind: OS, home: str, info: EngineInfo | None) -> str:
    """Where images land: the engine's root dir when it is on this machine, else the home folder."""
    local = info is not None and info.url.startswith("unix://")
    if info is not None and local and info.root_dir and Path(info.root_dir).exists():
        return info.root_dir
    if os_kind is OS.MACOS or (info is not None and identify_provider(info) in VM_PROVIDERS):
        return home or "/"
    return "/var/lib/docker"


def check_ports(ports: list[int]) -> list[CheckResult]:
    """One result per host port: ok when free, fail when something already listens there."""
    from devenv.adapters.system import port_in_use

    for port in ports:
        if not 0 < port < 65536:
            raise UserError(f"port {port} is not a valid TCP port", hint="use a number from 1 to 65535")
    return [checks.port_result(port, port_in_use(port)) for port in ports]


def workspace_ports(ctx: AppContext) -> list[int]:
    """The host ports the current workspace's profile publishes, less those its own running stack holds."""
    from devenv.domain.stack.names import PROJECT_LABEL

    override = ctx.workspace_override
    ws = ctx.workspace_at(override.resolve()) if override is not None else ctx.find_workspace(ctx.cwd)
    if ws is None or not ws.exists():
        return []
    state = ws.load()
    wanted = sorted({port for ports in state.ports.values() for port in ports})
    if not wanted:
        return []
    try:
        containers = ctx.engine.containers({PROJECT_LABEL: state.project}, include_stopped=False)
    except EnvironmentProblem:
        containers = []  # no engine: the engine check says so; every port is checked
    ours = {int(p.get("PublicPort") or 0) for c in containers for p in c.get("Ports") or []}
    return [port for port in wanted if port not in ours]


def run_doctor(
    ctx: AppContext,
    *,
    ports: Sequence[int] = (),
    options: plans.Options | None = None,
) -> DoctorReport:
    facts = gather_facts(ctx.system, ctx.engine, options or default_options(ctx))
    results = [*checks.evaluate(facts), *check_ports(list(ports))]
    return DoctorReport(facts, tuple(results))


def apply_fixes(
    ctx: AppContext,
    report: DoctorReport,
    *,
    out: Callable[[str], None],
    confirm: Callable[[str], bool],
    dry_run: bool = False,
    assume_yes: bool = False,
    output: Callable[[str], None] | None = None,
    ports: Sequence[int] = (),
    wait_seconds: float = ENGINE_WAIT_SECONDS,
) -> DoctorReport:
    """Offer the fix plan (asked once), then the docker-group change (always asked on its own).

    Returns a fresh report after the fixes ran (the same report for a dry run or when nothing ran).
    """
    facts = report.facts
    platform = facts.platform
    plan = report.fix_plan()
    if _needs_homebrew(facts, plan) and not dry_run:
        out(render_plan(plan, as_root=platform.is_root))
        question = "Homebrew is not installed. Run Homebrew's own installer (https://brew.sh) first?"
        if own_consent(confirm, question):  # its own consent: --yes does not answer this one
            facts = replace(facts, options=replace(facts.options, install_homebrew=True))
            plan = checks.fix_plan(facts, checks.evaluate(facts))
    ran: PlanRun | None = None
    if not plan.empty and (plan.steps or plan.blocked):
        ran = run_plan(
            plan,
            ctx.runner,
            as_root=platform.is_root,
            out=out,
            confirm=confirm,
            dry_run=dry_run,
            assume_yes=assume_yes,
            output=output,
        )
    group = report.group_plan()
    if group is not None:
        _offer_group(ctx, group, out=out, confirm=confirm, dry_run=dry_run, output=output)
    if dry_run or ran is None or not ran.done:
        return report
    if facts.engine is None:  # the plan installed or started one: give it time to answer
        out("waiting for the engine to answer...")
        if not ctx.engine.wait_until_ready(wait_seconds):
            out(f"the engine did not answer within {wait_seconds:.0f} s; checking again anyway")
    ctx.system.refresh()  # packages changed: gather again
    return run_doctor(ctx, ports=ports, options=facts.options)


def own_consent(confirm: Callable[[str], bool], question: str) -> bool:
    """A question --yes does not answer: without a terminal to ask it, the answer is no (the caller says
    what to run instead), not an error naming --yes."""
    from devenv.errors import NoTerminal

    try:
        return confirm(question)
    except NoTerminal:
        return False


def _needs_homebrew(facts: DoctorFacts, plan: plans.Plan) -> bool:
    p = facts.platform
    return (
        p.os is OS.MACOS
        and plan.blocked is not None
        and "brew" not in p.commands
        and not facts.options.install_homebrew
    )


def _offer_group(
    ctx: AppContext,
    group: plans.Plan,
    *,
    out: Callable[[str], None],
    confirm: Callable[[str], bool],
    dry_run: bool,
    output: Callable[[str], None] | None,
) -> None:
    """Never silent: shown in full with what it grants, and asked on its own even with --yes."""
    user = ctx.system.platform.user
    if dry_run or group.blocked:
        out(render_plan(group, as_root=ctx.system.platform.is_root))
        return
    ran = run_plan(
        group,
        ctx.runner,
        as_root=ctx.system.platform.is_root,
        out=out,
        confirm=lambda _q: own_consent(confirm, f"Add {user} to the docker group (root-equivalent, see above)?"),
        output=output,
    )
    if ran.declined:
        out(f"skipped; to do it later: sudo usermod -aG docker {user}")


def ensure_engine(
    ctx: AppContext,
    *,
    out: Callable[[str], None],
    confirm: Callable[[str], bool],
    dry_run: bool = False,
    assume_yes: bool = False,
    options: plans.Options | None = None,
    output: Callable[[str], None] | None = None,
    wait_seconds: float = ENGINE_WAIT_SECONDS,
) -> DoctorReport:
    """For `devenv init`: make Docker, compose and git work (with consent), or raise saying what is wrong.

    Returns the final report (warnings such as low disk are left for the caller to show).
    """
    report = run_doctor(ctx, options=options)
    if not report.failing(ESSENTIAL):
        return report
    report = apply_fixes(
        ctx,
        report,
        out=out,
        confirm=confirm,
        dry_run=dry_run,
        assume_yes=assume_yes,
        output=output,
        wait_seconds=wait_seconds,
    )
    if dry_run:
        return report
    still = report.failing(ESSENTIAL)
    if still:
        first = still[0]
        raise EnvironmentProblem(
            f"{first.title}: {first.detail}",
            hint=first.hint or "run `devenv doctor` to see every check and what fixes it",
            details=[f"{r.title}: {r.detail}" for r in still],
        )
    return report
