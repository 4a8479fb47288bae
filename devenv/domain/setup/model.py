"""Install plans: data, not actions. An ordered list of argv steps, each saying whether it needs root and why.

This module is the plan model and the small helpers every recipe uses. The recipes live beside it
(families.py, linux.py, macos.py, compose_release.py) and plans.py holds the public builders; they are
pure functions of a Platform (what is installed) and a SetupState (what answers) and never run anything.
devenv.usecases.plans prints, confirms and runs a plan; `--dry-run` only prints it.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterable
from dataclasses import dataclass

from devenv.domain.doctor.platform import PackageFamily, Platform, version_tuple

MIN_ENGINE_API = "1.41"  # Docker Engine 20.10, the oldest engine devenv supports (Debian 12's docker.io)
MIN_COMPOSE = "2.20.0"  # compose v2 with `up --wait`, `include` and healthcheck-aware depends_on

INSTALL_DOCS = "https://docs.docker.com/engine/install/"

ROOT_EQUIVALENCE = (
    "Members of the docker group can start a container that mounts any host path (/ included) as root, "
    "so being in the group is equivalent to having root on this machine."
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


def root_step(*argv: str, why: str, stdin: str | None = None) -> Step:
    return Step(tuple(argv), True, why, stdin)


def user_step(*argv: str, why: str, stdin: str | None = None) -> Step:
    return Step(tuple(argv), False, why, stdin)


def blocked_plan(title: str, why: str, hint: str) -> Plan:
    return Plan(title, blocked=why, hint=hint)


APT_UPDATE = root_step("apt-get", "update", why="refresh the package lists")


def require_root(plan: Plan, platform: Platform) -> Plan:
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


def unsupported(platform: Platform, title: str) -> Plan:
    return blocked_plan(
        title,
        f"devenv cannot install Docker on {platform.description}",
        f"install Docker Engine and the compose v2 plugin yourself ({INSTALL_DOCS}); then `devenv doctor`",
    )


def min_version_ok(found: str, minimum: str) -> bool:
    return version_tuple(found) >= version_tuple(minimum)
