"""Docker Compose v2, driven as argv through the one process runner. devenv never re-implements compose."""

from __future__ import annotations

import codecs
import os
import select
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devenv.adapters.process import Completed, ProcessRunner
from devenv.errors import EnvironmentProblem, UserError


@dataclass(frozen=True)
class ComposeFiles:
    """A rendered stack on disk: the compose file, its .env, and the project name."""

    compose_file: Path
    env_file: Path
    project: str


class Compose:
    def __init__(self, runner: ProcessRunner) -> None:
        self.runner = runner

    def base_argv(self, files: ComposeFiles) -> list[str]:
        argv = ["docker", "compose", "--project-name", files.project, "-f", str(files.compose_file)]
        if files.env_file.exists():
            argv += ["--env-file", str(files.env_file)]
        return argv

    def run(
        self, files: ComposeFiles, args: Sequence[str], *, capture: bool = True, env: Mapping[str, str] | None = None
    ) -> Completed:
        """Captured runs get /dev/null as stdin (a compose question is answered "no", never hangs unseen);
        `capture=False` is for the pass-through commands only (exec, run, logs): they get the terminal."""
        return self.runner.run([*self.base_argv(files), *args], capture=capture, env=env)

    def watch(self, files: ComposeFiles, services: Sequence[str]) -> Watching:
        """Start `docker compose watch` on a running stack. Its stdin is /dev/null and its output a pipe, so
        it never sees the user's terminal (no interactive menu, no raw mode to restore)."""
        argv = [*self.base_argv(files), "watch", "--no-up", *services]
        return Watching(self.runner, self.runner.spawn(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT))

    def version(self) -> str:
        done = self.runner.run(["docker", "compose", "version", "--short"])
        if not done.ok:
            raise EnvironmentProblem(
                "Docker Compose v2 is not available (`docker compose version` failed)",
                hint="run `devenv doctor --fix` to install the compose plugin",
            )
        return done.stdout.strip().lstrip("v")

    def config(self, files: ComposeFiles) -> str:
        """Ask compose itself to validate and normalise the file (`docker compose config`)."""
        done = self.run(files, ["config"])
        if not done.ok:
            raise UserError(
                f"docker compose rejected {files.compose_file}: {_first_line(done.stderr)}",
                hint="this is a devenv bug if the profile linted clean; run with --debug and report it",
            )
        return done.stdout


class Watching:
    """A running `docker compose watch`: its output line by line, and a stop that always reaps it."""

    def __init__(self, runner: ProcessRunner, proc: subprocess.Popen[str]) -> None:
        self.runner = runner
        self.proc = proc
        self.pending = ""
        self.decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def lines(self, timeout: float) -> list[str] | None:
        """The complete lines compose printed within `timeout` seconds ([] if none); None once it ended."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return []
        data = os.read(fd, 65536)
        text = self.pending + self.decoder.decode(data, final=not data)
        if not data:
            self.pending = ""
            self.proc.wait()
            return [text] if text else None
        *complete, self.pending = text.split("\n")
        return complete

    @property
    def returncode(self) -> int | None:
        return self.proc.poll()

    def stop(self) -> None:
        self.runner.stop(self.proc)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(no output)"
