"""Show a plan, ask once, run it step by step; stop at the first failure with its command and output.

Printing and asking go through callables the CLI passes in (`out`, `confirm`); nothing here talks to
the terminal directly. `dry_run` shows the plan and runs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from devenv.adapters.process import ProcessRunner
from devenv.domain.setup.model import Plan
from devenv.errors import EnvironmentProblem, UserError

OUTPUT_TAIL_LINES = 20


@dataclass(frozen=True)
class PlanRun:
    steps_run: int
    dry_run: bool = False
    declined: bool = False

    @property
    def done(self) -> bool:
        return not self.dry_run and not self.declined


def render_plan(plan: Plan, *, as_root: bool) -> str:
    """The plan as the user sees it: numbered commands exactly as they will run, each with its why."""
    lines = [f"Plan: {plan.title}"]
    for number, step in enumerate(plan.steps, 1):
        lines.append(f"  {number}. {step.display(as_root=as_root)}")
        lines.append(f"     why: {step.why}")
    if plan.steps and plan.needs_root and not as_root:
        lines.append("  (steps starting with sudo run as root; sudo may ask for your password)")
    for note in plan.notes:
        lines.append(f"  note: {note}")
    if plan.blocked:
        lines.append(f"  cannot run here: {plan.blocked}")
        if plan.hint:
            lines.append(f"  what to do: {plan.hint}")
    return "\n".join(lines)


def blocked_error(plan: Plan) -> EnvironmentProblem:
    return EnvironmentProblem(f"{plan.title}: {plan.blocked}", hint=plan.hint)


def run_plan(
    plan: Plan,
    runner: ProcessRunner,
    *,
    as_root: bool,
    out: Callable[[str], None],
    confirm: Callable[[str], bool],
    dry_run: bool = False,
    assume_yes: bool = False,
    output: Callable[[str], None] | None = None,
) -> PlanRun:
    """Show `plan`; unless dry_run, ask once (skipped by assume_yes) and run each step in order.

    `output` receives the commands' own output as it comes (None: keep it quiet, quote it on failure).
    A blocked plan raises EnvironmentProblem with its hint; a failing step raises EnvironmentProblem naming
    the exact command, its exit status and the tail of its output. Steps already done are not undone:
    every step is safe to repeat, so running the same command again carries on.
    """
    out(render_plan(plan, as_root=as_root))
    if plan.blocked:
        if dry_run:
            return PlanRun(0, dry_run=True)
        raise blocked_error(plan)
    if not plan.steps:
        return PlanRun(0)
    if dry_run:
        out("dry run: nothing was changed")
        return PlanRun(0, dry_run=True)
    count = len(plan.steps)
    question = "Run this step?" if count == 1 else f"Run these {count} steps?"
    if not assume_yes and not confirm(question):
        out("nothing was changed")
        return PlanRun(0, declined=True)
    for number, step in enumerate(plan.steps, 1):
        argv = step.command(as_root=as_root)
        shown = step.display(as_root=as_root)
        out(f"[{number}/{count}] {shown}")
        try:
            done = runner.stream(argv, on_output=output, input_text=step.stdin)
        except EnvironmentProblem as exc:  # the program itself is missing
            raise EnvironmentProblem(
                f"step {number} of {count} failed: {shown}: {exc.message}",
                hint=_missing_hint(argv[0]),
            ) from exc
        if not done.ok:
            tail = _tail(done.stdout)
            raise EnvironmentProblem(
                f"step {number} of {count} failed (exit {done.returncode}): {shown}",
                hint="fix what its output says, then run the same devenv command again; "
                "the steps already done are safe to repeat",
                details=[f"output of `{shown}` (last lines):", *tail] if tail else [],
            )
    return PlanRun(count)


def require_done(run: PlanRun, what: str) -> None:
    """For callers that cannot go on without the plan (init): a declined plan is the user's decision."""
    if run.declined:
        raise UserError(f"{what}: not done, you declined the plan", hint="run again and accept it, or do it by hand")


def _missing_hint(program: str) -> str:
    if program == "sudo":
        return "sudo is not installed: run devenv as root, or ask an administrator to run the steps"
    return f"install {program} first, or run the step by hand"


def _tail(output: str) -> list[str]:
    lines = [line.split("\r")[-1].rstrip() for line in output.splitlines()]
    return [line for line in lines if line][-OUTPUT_TAIL_LINES:]
