"""devenv side by side with plain `docker compose` on the same stack: medians and ratios.

    python -m benchmarks.bench [--profile example] [--rounds 5] [--markdown FILE]

Needs a Docker engine with compose v2 and the profile's images buildable (they are built once,
before timing: every figure is "images present"). It creates two workspaces in a temp folder, one
driven by devenv and one by plain compose from the very file devenv rendered, and removes both.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEVENV = [sys.executable, "-m", "devenv"]


@dataclass
class Row:
    what: str
    devenv: list[float]
    compose: list[float] | None
    target: str

    @property
    def ratio(self) -> float | None:
        if not self.compose or not statistics.median(self.compose):
            return None  # no other side (or counts, like the reset loop's, where a ratio means nothing)
        return statistics.median(self.devenv) / statistics.median(self.compose)


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{done.stdout}\n{done.stderr}")
    return elapsed


def timed(rounds: int, prepare: Callable[[], object], action: Callable[[], float]) -> list[float]:
    out = []
    for _ in range(rounds):
        prepare()
        out.append(action())
    return out


def paired(
    rounds: int,
    a: tuple[Callable[[], object], Callable[[], float]],
    b: tuple[Callable[[], object], Callable[[], float]],
) -> tuple[list[float], list[float]]:
    """Alternate the two sides round by round, so drift in the machine's load hits both alike."""
    first: list[float] = []
    second: list[float] = []
    for _ in range(rounds):
        first += timed(1, *a)
        second += timed(1, *b)
    return first, second


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="example")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    rounds = args.rounds

    base = Path(tempfile.mkdtemp(prefix="devenv-bench-"))
    dev_ws = base / "with-devenv"
    plain = base / "with-compose"
    dev_ws.mkdir()
    plain.mkdir()
    env = {**os.environ, "NO_COLOR": "1"}
    port_dev, port_plain = free_port(), free_port()
    profile = args.profile
    seed_argv: list[str] = []
    try:
        print(f"rendering and building {profile} once (not timed)...", file=sys.stderr)
        run([*DEVENV, "up", "--profile", profile, "--set", f"web_port={port_dev}"], dev_ws, env)
        run(
            [
                *DEVENV,
                "profile",
                "render",
                profile,
                "-o",
                str(plain),
                "--set",
                f"web_port={port_plain}",
                "--project",
                "bench-plain",
            ],
            base,
            env,
        )
        compose = ["docker", "compose", "-f", str(plain / "compose.yaml"), "--env-file", str(plain / ".env")]
        run([*compose, "build"], plain)
        seed_argv = _seed_argv(plain)

        def compose_up_and_seed() -> float:
            t = run([*compose, "up", "-d", "--wait"], plain)
            for argv in seed_argv_list(seed_argv):
                t += run([*compose, "exec", "-T", *argv], plain)
            return t

        rows: list[Row] = []
        print("cold up...", file=sys.stderr)
        cold_dev, cold_plain = paired(
            rounds,
            (
                lambda: run([*DEVENV, "down", "--volumes", "--yes"], dev_ws, env),
                lambda: run([*DEVENV, "up"], dev_ws, env),
            ),
            (lambda: run([*compose, "down", "-v"], plain), compose_up_and_seed),
        )
        rows.append(Row("cold `up` (images present, includes seeding)", cold_dev, cold_plain, "ratio <= 1.0"))
        print("no-op up...", file=sys.stderr)
        noop_dev = timed(rounds, lambda: None, lambda: run([*DEVENV, "up"], dev_ws, env))
        noop_plain = timed(rounds, lambda: None, lambda: run([*compose, "up", "-d", "--wait"], plain))
        rows.append(Row("no-op `up`", noop_dev, noop_plain, "devenv <= 0.5 s"))
        print("status...", file=sys.stderr)
        st_dev = timed(rounds * 2, lambda: None, lambda: run([*DEVENV, "status"], dev_ws, env))
        st_plain = timed(rounds * 2, lambda: None, lambda: run([*compose, "ps"], plain))
        rows.append(Row("`status` vs `compose ps`", st_dev, st_plain, "devenv <= 0.3 s"))
        print("reset...", file=sys.stderr)
        reset_dev, reset_plain = paired(
            rounds,
            (lambda: None, lambda: run([*DEVENV, "reset", "--yes"], dev_ws, env)),
            (lambda: None, lambda: run([*compose, "down", "-v"], plain) + compose_up_and_seed()),
        )
        rows.append(Row("`reset` vs `down -v` + `up --wait` + seed", reset_dev, reset_plain, "ratio <= 0.2"))
        print("help and completion...", file=sys.stderr)
        help_dev = timed(rounds * 2, lambda: None, lambda: run([*DEVENV, "--help"], base, env))
        rows.append(Row("`devenv --help`", help_dev, None, "<= 0.3 s"))
        completion_env = {**env, "_DEVENV_COMPLETE": "complete_bash", "COMP_WORDS": "devenv st", "COMP_CWORD": "1"}
        comp = timed(rounds * 2, lambda: None, lambda: run([*_console_script()], base, completion_env))
        rows.append(Row("a shell-completion answer", comp, None, "<= 0.2 s"))
    finally:
        subprocess.run([*DEVENV, "down", "--volumes", "--yes"], cwd=dev_ws, capture_output=True, env=env, check=False)
        subprocess.run(["docker", "compose", "-p", "bench-plain", "down", "-v"], capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)
    report = _markdown(rows, rounds, profile)
    print(report)
    if args.markdown:
        args.markdown.write_text(report)


def _seed_argv(folder: Path) -> list[str]:
    import yaml

    doc = yaml.safe_load((folder / "compose.yaml").read_text())
    tasks = doc.get("x-devenv", {}).get("seed", [])
    flat: list[str] = []
    for task in tasks:
        run_ = task["run"]
        words = shlex.split(run_) if isinstance(run_, str) else list(run_)
        flat += ["\0", task["service"], *words]
    return flat


def seed_argv_list(flat: list[str]) -> list[list[str]]:
    out: list[list[str]] = []
    for word in flat:
        if word == "\0":
            out.append([])
        else:
            out[-1].append(word)
    return out


def _console_script() -> list[str]:
    script = Path(sys.executable).parent / "devenv"
    return [str(script)] if script.exists() else DEVENV


def _markdown(rows: list[Row], rounds: int, profile: str) -> str:
    lines = [
        f"Profile `{profile}`, {rounds} rounds (status, help, completion: {rounds * 2}); medians in seconds.",
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{_compose_version()}.",
        "",
        "| what | devenv | docker compose | ratio | target |",
        "|---|---|---|---|---|",
    ]
    for row in rows:
        plain = f"{statistics.median(row.compose):.2f}" if row.compose else "-"
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        lines.append(f"| {row.what} | {statistics.median(row.devenv):.2f} | {plain} | {ratio} | {row.target} |")
    return "\n".join(lines) + "\n"


def _compose_version() -> str:
    done = subprocess.run(["docker", "compose", "version", "--short"], capture_output=True, text=True, check=False)
    return f"compose {done.stdout.strip()}"


if __name__ == "__main__":
    main()
