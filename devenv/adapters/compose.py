"""Docker Compose v2, driven as argv through the one process runner. devenv never re-implements compose."""

from __future__ import annotations

import codecs
import os
import select
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
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
    """`forwarded`: asked on the first compose command that reaches the engine; the local socket that leads to
    an ssh engine through devenv's own master connection (Engine.forwarded_socket), if there is one."""

    def __init__(self, runner: ProcessRunner, *, forwarded: Callable[[], str | None] | None = None) -> None:
        self.plain = runner  # for compose commands that need no engine (version, config of files)
        self._forwarded = forwarded

    @cached_property
    def runner(self) -> ProcessRunner:
        """What runs compose against the engine. For an ssh engine whose socket devenv forwards, compose gets
        DOCKER_HOST=unix://that socket and rides the same master connection, instead of a new ssh handshake
        per command (`logs`, `exec`, `run`, `up`, `build`, `down`); without a forward, the endpoint as set."""
        path = self._forwarded() if self._forwarded is not None else None
        if path is None:
            return self.plain
        from devenv.adapters.ssh_forward import through_forward

        if self.plain.echo:
            print(f"note: docker compose reaches the engine through the forwarded socket {path}", file=sys.stderr)
        return replace(self.plain, env=through_forward(self.plain.env, path))

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
        done = self.plain.run(["docker", "compose", "version", "--short"])
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
        `.env` interpolation resolved, every optional group included (`--profile '*'`); JSON text.

        Interpolation sees the project's `.env` and the defaults written in the files, not the caller's
        shell: what comes out is shared with a team, so one person's exported password never lands in it."""
        argv = ["docker", "compose", "--project-name", project]
        for file in files:
            argv += ["-f", str(file)]
        runner = replace(self.plain, env=_engine_env(self.plain.env))
        done = runner.run([*argv, "--profile", "*", "config", "--format", "json"], cwd=files[0].parent)
        if not done.ok:
            raise UserError(
                f"docker compose cannot read {files[0]}: {_first_line(done.stderr)}",
                hint="`docker compose -f FILE config` shows it too; values come from .env and the files' "
                "defaults, not from your shell",
            )
        return done.stdout


_ENGINE_ENV = ("PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "XDG_RUNTIME_DIR", "SSH_AUTH_SOCK")


def _engine_env(env: Mapping[str, str]) -> dict[str, str]:
    """What the docker CLI needs to find itself and the engine (DOCKER_*), and nothing of the user's own."""
    return {k: v for k, v in env.items() if k in _ENGINE_ENV or k.startswith("DOCKER_")}


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
