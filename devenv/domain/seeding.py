"""Seed tasks as command lines that never carry a secret, and the rules that make seeding exactly-once.

Pure: no I/O. The use case (devenv/usecases/seed.py) records and runs; this module decides.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devenv.domain.profile.variables import interpolate, secret_env_name

if TYPE_CHECKING:
    from devenv.domain.profile.model import SeedTask

STARTED = "started"  # recorded before a task runs: if it is still there, the task may have half-run
DONE = "done"
FAILED = "failed"

_MARK = "\x00"  # never in a rendered word: stands for "a secret goes here" while quoting


_SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh"}


def seed_argv(words: Sequence[str], values: Mapping[str, str], secrets: set[str]) -> tuple[list[str], list[str]]:
    """The argv to exec for a seed task, and the environment variables (names) it needs from devenv.

    A secret never goes on a command line (`ps` shows those): in a `sh -c SCRIPT` task a secret in the
    script becomes `${DEVENV_SECRET_NAME}`, which that shell expands from its environment; any other word
    that names a secret makes the task run as `sh -c 'exec ...'` with the secret as `"$DEVENV_SECRET_NAME"`
    (the program then gets the value as an argument: a seed that reads it from the environment is better).
    """
    used: list[str] = []

    def env_of(name: str) -> str:
        env = secret_env_name(name)
        if env not in used:
            used.append(env)
        return env

    def in_script(name: str) -> str:
        return "${" + env_of(name) + "}" if name in secrets else values.get(name, "")

    def in_word(name: str) -> str:
        return f"{_MARK}{env_of(name)}{_MARK}" if name in secrets else values.get(name, "")

    shell = len(words) >= 3 and posixpath.basename(words[0]) in _SHELLS and words[1] == "-c"
    filled = [
        interpolate(w, in_script if shell and i == 2 else in_word, escape_dollars=False) for i, w in enumerate(words)
    ]
    if not any(_MARK in w for w in filled):
        return filled, used
    script = " ".join(_shell_word(w) for w in filled)
    return ["sh", "-c", f"exec {script}"], used


def _shell_word(word: str) -> str:
    if _MARK not in word:
        return shlex.quote(word)
    parts = word.split(_MARK)  # text, env, text, env, ..., text
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(f'"${{{part}}}"')
        elif part:
            out.append(shlex.quote(part))
    return "".join(out) or "''"


@dataclass(frozen=True)
class SeedStep:
    """One seed task ready to run with `docker compose exec`: secrets only as environment variable names."""

    key: str  # how the state file names it (task_key)
    label: str  # what the user reads: the task's name, or its command as written (never a secret value)
    service: str
    argv: tuple[str, ...]
    user: str | None = None


def seed_steps(tasks: Sequence[SeedTask], answers: Mapping[str, str], secrets: set[str]) -> list[SeedStep]:
    """The profile's seed tasks as steps: the one place seed commands are built (the workspace's answers
    fill in plain variables; a secret variable becomes a reference to DEVENV_SECRET_NAME, see seed_argv)."""
    steps = []
    for index, task in enumerate(tasks):
        run = task.run
        words = shlex.split(run) if isinstance(run, str) else list(run)
        argv, _needs = seed_argv(words, answers, secrets)
        label = task.name or (run if isinstance(run, str) else " ".join(run))
        steps.append(SeedStep(task_key(index, label), label, task.service, tuple(argv), task.user))
    return steps


def task_key(index: int, label: str) -> str:
    """How a task is named in the state file: its position and its label (never a secret value)."""
    return f"{index + 1}. {label}"


def interrupted_task(status: Mapping[str, str], seeded: bool) -> str | None:
    """The task whose effects may be half-written: one that started (or failed) and never finished, or,
    when some tasks finished but the stack never became seeded, the last one that did (the rest never ran,
    and running the finished ones again would repeat them)."""
    for key, value in status.items():
        if value in (STARTED, FAILED):
            return key
    if status and not seeded:
        return list(status)[-1]
    return None


def lost_volumes(recorded: Mapping[str, str], present: Mapping[str, str]) -> list[str]:
    """Volumes seeded data lived in that are gone, or now another engine volume ({compose name: engine
    name}; a state written by older versions recorded `engine name@creation time`: the name counts)."""
    return sorted(name for name, engine in recorded.items() if present.get(name) != engine.split("@")[0])


def clean_start_reason(reset_pending: bool, status: Mapping[str, str], seeded: bool) -> str | None:
    """Why the stack's volumes must be deleted before it comes up, in words for the user; None: no need."""
    if reset_pending:
        return "the last `devenv reset` did not finish: deleting the stack's volumes to finish it"
    task = interrupted_task(status, seeded)
    if task is None:
        return None
    how = "failed" if status[task] == FAILED else "was interrupted"
    where = f"task {task}" if status[task] != DONE else f"after task {task}"
    return (
        f"the seed {how} ({where}), so its data may be half-written: "
        "deleting the stack's volumes to seed again from a clean state"
    )
