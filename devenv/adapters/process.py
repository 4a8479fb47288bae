"""The one choke point for subprocesses: argv lists only, never a shell string built from input."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from devenv.errors import EnvironmentProblem


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


@dataclass
class ProcessRunner:
    """Runs argv lists. Tests that must not really run something give a different PATH, not a mock."""

    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    echo: bool = False  # print each command before running it (--debug)
    secrets: set[str] = field(default_factory=set)  # values the echo never shows (shared with the context)

    def _echo(self, argv: Sequence[str]) -> None:
        if self.echo:
            import sys

            from devenv.redact import redact

            print(redact("+ " + " ".join(argv), self.secrets), file=sys.stderr)

    def which(self, program: str) -> str | None:
        return shutil.which(program, path=self.env.get("PATH"))

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        input_text: str | None = None,
        capture: bool = True,
        timeout: float | None = None,
    ) -> Completed:
        """Run to completion. `capture=False` lets the child talk to the user's terminal directly.

        A captured child never reads the user's terminal: its stdin is /dev/null (or `input_text`), so a
        question it asks (compose's "Recreate volume?") is answered by end-of-file instead of hanging
        unseen behind devenv's progress display.
        """
        full_env = {**self.env, **(env or {})}
        self._echo(argv)
        try:
            proc = subprocess.run(
                list(argv),
                cwd=cwd,
                env=full_env,
                input=input_text,
                stdin=subprocess.DEVNULL if capture and input_text is None else None,
                capture_output=capture,
                text=True,
                timeout=timeout,
                check=False,
            )
        except FileNotFoundError as exc:
            raise EnvironmentProblem(
                f"'{argv[0]}' is not installed or not on PATH",
                hint="run `devenv doctor` to see what is missing and how to install it",
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise EnvironmentProblem(
                f"'{' '.join(argv[:3])}' did not finish within {timeout:.0f} s",
                hint="is the Docker engine overloaded or hung? `devenv doctor` checks it",
            ) from exc
        return Completed(tuple(argv), proc.returncode, proc.stdout or "", proc.stderr or "")

    def spawn(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        stdout: int | None = None,
        stderr: int | None = None,
    ) -> subprocess.Popen[str]:
        """Start without waiting (progress displays read the child's output as it comes); stdin is /dev/null."""
        full_env = {**self.env, **(env or {})}
        self._echo(argv)
        try:
            return subprocess.Popen(
                list(argv), cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, stdout=stdout, stderr=stderr, text=True
            )
        except FileNotFoundError as exc:
            raise EnvironmentProblem(
                f"'{argv[0]}' is not installed or not on PATH",
                hint="run `devenv doctor` to see what is missing and how to install it",
            ) from exc

    @staticmethod
    def stop(proc: subprocess.Popen[str], grace: float = 3.0) -> None:
        """End a spawned child for good: SIGTERM, then SIGKILL after `grace` seconds (compose waiting on a
        dependency does not end on SIGTERM), then reap it so no orphan or zombie is left."""
        if proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stream(
        self,
        argv: Sequence[str],
        *,
        on_output: Callable[[str], None] | None = None,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        input_text: str | None = None,
    ) -> Completed:
        """Run to completion, handing stdout+stderr (merged, as it comes) to `on_output` and keeping it all.

        For long commands whose progress the user should see (package installs, `git clone --progress`)
        while the caller still gets the output to quote when it fails. Chunks may end mid-line or in `\r`.
        """
        import codecs

        full_env = {**self.env, **(env or {})}
        self._echo(argv)
        try:
            proc = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=full_env,
                stdin=subprocess.PIPE if input_text is not None else None,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
            )
        except FileNotFoundError as exc:
            raise EnvironmentProblem(
                f"'{argv[0]}' is not installed or not on PATH",
                hint="run `devenv doctor` to see what is missing and how to install it",
            ) from exc
        if input_text is not None and proc.stdin is not None:
            try:
                proc.stdin.write(input_text.encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass
        assert proc.stdout is not None
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        chunks: list[str] = []
        fd = proc.stdout.fileno()
        while True:
            data = os.read(fd, 65536)
            text = decoder.decode(data, final=not data)
            if text:
                chunks.append(text)
                if on_output is not None:
                    on_output(text)
            if not data:
                break
        proc.stdout.close()
        returncode = proc.wait()
        return Completed(tuple(argv), returncode, "".join(chunks), "")
