"""Docker Compose v2, driven as argv through the one process runner. devenv never re-implements compose."""

from __future__ import annotations

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

    def project_config(self, files: Sequence[Path], *, project: str) -> str:
        """Compose files as compose itself reads them: `-f` files merged, includes, extends, env files and
        `.env` interpolation resolved, every optional group included (`--profile '*'`); JSON text."""
        argv = ["docker", "compose", "--project-name", project]
        for file in files:
            argv += ["-f", str(file)]
        done = self.runner.run([*argv, "--profile", "*", "config", "--format", "json"], cwd=files[0].parent)
        if not done.ok:
            raise UserError(
                f"docker compose cannot read {files[0]}: {_first_line(done.stderr)}",
                hint="`docker compose -f FILE config` shows the same error; fix the compose file first",
            )
        return done.stdout


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return "(no output)"
