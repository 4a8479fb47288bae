"""`devenv reset` from the `seeded` snapshot, measured against the slow paths it replaces.

    python -m benchmarks.snapshots [--rounds 5] [--data-mb 1024] [--loop 50] [--markdown FILE]

Rows, each side by side in one run (the two sides alternate round by round):
- `reset` of the example vs plain compose `down -v` + `up -d --wait` + the seed, on the file devenv rendered;
- a data-heavy example (a benchmark-only seed task writes --data-mb of PostgreSQL rows): `reset` (restore)
  vs `reset --reseed` (delete the data and run the seed again); plus `snapshot save` time and size;
- one stack at work at a time, as on a developer's machine: before each timed run (not timed) the other
  side's containers are paused (`docker pause`: their health checks every second would load the two
  cores), this side's unpaused and healthy, then a rest of --settle seconds (default 3), on both sides
  alike, then a developer's change: 1000 rows inserted into the example's `items`
  table (and, in the data-heavy case's second row, one row of the big table updated by its key, which
  changes a page of a 1 GB file of it), so a restore has something to put back;
- `reset` in a loop (--loop times): failures, and "done" reported while a service was not healthy
  (`devenv status` right after each reset must exit 0).
Not run by the test suite. Needs a Docker engine with compose v2; removes what it made.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.bench import DEVENV, Row, _markdown, free_port, paired, run, seed_argv_list, timed
from benchmarks.bench import _seed_argv as rendered_seed

ROOT = Path(__file__).resolve().parent.parent
# one row is about 1 KB on disk (30 md5s of padding plus the tuple header). Loaded the way PostgreSQL's
# "Populating a Database" advises: rows first, then the key's index, then VACUUM ANALYZE (which also sets
# every page's hint bits: without it, the first query that reads the whole table rewrites all of it)
BULK_SEED = (
    "PGPASSWORD=${db_password} psql -q -h 127.0.0.1 -U postgres -d app "
    "-c 'create table bulk as select g as id, repeat(md5(g::text), 30) as pad from generate_series(1, ROWS) g' "
    "-c 'alter table bulk add primary key (id)' -c 'vacuum analyze bulk'"
)


def heavy_profile(folder: Path, data_mb: int) -> Path:
    """The example profile plus a seed task that writes about `data_mb` MB into PostgreSQL."""
    text = (ROOT / "profiles" / "example.yaml").read_text(encoding="utf-8")
    rows = data_mb * 1024
    text += f'  - name: bulk rows\n    service: db\n    run: ["sh", "-c", "{BULK_SEED.replace("ROWS", str(rows))}"]\n'
    shutil.copytree(ROOT / "profiles" / "example", folder / "example")  # inside the profile's folder
    path = folder / "heavy.yaml"
    path.write_text(text.replace("name: example", "name: example-heavy", 1), encoding="utf-8")
    return path


ITEMS_CHANGE = "insert into items (name) select 'dev-' || g || '-' || clock_timestamp() from generate_series(1, 1000) g"
BULK_CHANGE = "update bulk set pad = md5(clock_timestamp()::text) where id = 1"


def rest(seconds: float) -> None:
    time.sleep(seconds)


PLAIN_PROJECT = "bench-snap-plain"


def _containers(project: str) -> list[str]:
    argv = ["docker", "ps", "-aq", "--filter", f"label=com.docker.compose.project={project}"]
    return subprocess.run(argv, capture_output=True, text=True, check=False).stdout.split()


def alone(running: str | None, *idle: str) -> None:
    """Only one stack at work, as on a developer's machine: the `idle` projects' containers paused (their
    health checks, every second, would load the two cores the timed side runs on), `running`'s unpaused
    and healthy again (a check that met the pause says unhealthy until its next run)."""
    for project in idle:
        if ids := _containers(project):
            subprocess.run(["docker", "pause", *ids], capture_output=True, check=False)
    if running is None or not (ids := _containers(running)):
        return
    subprocess.run(["docker", "unpause", *ids], capture_output=True, check=False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        argv = [
            "docker",
            "inspect",
            "-f",
            "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}",
            *ids,
        ]
        states = subprocess.run(argv, capture_output=True, text=True, check=False).stdout.split("\n")
        if all(line.split()[1:] in ([], ["healthy"]) for line in states if line.strip()):
            return
        time.sleep(0.2)


def project_of(ws: Path) -> str:
    return str(json.loads((ws / ".devenv" / "state.json").read_text())["project"])


def change(argv_prefix: list[str], cwd: Path, env: dict[str, str] | None, sql: str) -> None:
    """A developer's work on the data (psql inside the db container), so a reset has something to undo."""
    run([*argv_prefix, "db", "psql", "-q", "-U", "postgres", "-d", "app", "-c", sql], cwd, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data-mb", type=int, default=1024)
    parser.add_argument("--loop", type=int, default=50)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds of rest before each timed run")
    parser.add_argument("--markdown", type=Path)
    parser.add_argument("--skip", action="append", default=[], choices=["example", "heavy", "loop"])
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="devenv-bench-snap-"))
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("DEVENV_AUTO_SNAPSHOT", None)
    dev_ws, plain, heavy_ws = base / "with-devenv", base / "with-compose", base / "heavy"
    for folder in (dev_ws, plain, heavy_ws):
        folder.mkdir()
    rows: list[Row] = []
    notes: list[str] = []
    try:
        print("example: up and render once (not timed)...", file=sys.stderr)
        run([*DEVENV, "up", "--profile", "example", "--set", f"web_port={free_port()}"], dev_ws, env)
        if "example" not in args.skip:
            _shown(rows, [_example_row(args.rounds, dev_ws, plain, base, env, args.settle)])
        if "loop" not in args.skip:
            alone(project_of(dev_ws), PLAIN_PROJECT)
            _shown(rows, [_loop_row(args.loop, dev_ws, env, notes)])
        if "heavy" not in args.skip:
            alone(None, project_of(dev_ws), PLAIN_PROJECT)
            _shown(rows, _heavy_rows(args.rounds, args.data_mb, heavy_ws, env, notes, args.settle))
    finally:
        for project in (project_of(dev_ws) if (dev_ws / ".devenv").exists() else "", PLAIN_PROJECT):
            if project and (ids := _containers(project)):
                subprocess.run(["docker", "unpause", *ids], capture_output=True, check=False)
        for ws in (dev_ws, heavy_ws):
            if (ws / ".devenv").exists():
                for snap in _snapshots(ws, env):
                    subprocess.run(
                        [*DEVENV, "snapshot", "rm", snap["name"]], cwd=ws, env=env, capture_output=True, check=False
                    )
                subprocess.run(
                    [*DEVENV, "down", "--volumes", "--yes"], cwd=ws, env=env, capture_output=True, check=False
                )
        subprocess.run(["docker", "compose", "-p", PLAIN_PROJECT, "down", "-v"], capture_output=True, check=False)
        shutil.rmtree(base, ignore_errors=True)
    report = _markdown(rows, args.rounds, "example (and example + bulk rows)") + "".join(f"\n{n}\n" for n in notes)
    print(report)
    if args.markdown:
        args.markdown.write_text(report)


def _shown(rows: list[Row], new: list[Row]) -> None:
    """Each row on stderr as soon as it is measured: a later failure does not lose it."""
    for row in new:
        ratio = f"{row.ratio:.2f}" if row.ratio is not None else "-"
        print(f"ROW {row.what}: devenv {row.devenv} other {row.compose} ratio {ratio}", file=sys.stderr, flush=True)
    rows += new


def _example_row(rounds: int, dev_ws: Path, plain: Path, base: Path, env: dict[str, str], settle: float) -> Row:
    render = [*DEVENV, "profile", "render", "example", "-o", str(plain), "--project", PLAIN_PROJECT]
    run([*render, "--set", f"web_port={free_port()}"], base, env)
    compose = ["docker", "compose", "-f", str(plain / "compose.yaml"), "--env-file", str(plain / ".env")]
    run([*compose, "build"], plain)
    seeds = seed_argv_list(rendered_seed(plain))

    def plain_reset() -> float:
        t = run([*compose, "down", "-v"], plain) + run([*compose, "up", "-d", "--wait"], plain)
        for argv in seeds:
            t += run([*compose, "exec", "-T", *argv], plain)
        return t

    plain_reset()  # up and seeded once (not timed): the first change needs a running stack
    print("example: reset vs down -v + up --wait + seed...", file=sys.stderr)

    dev_project = project_of(dev_ws)

    def dev_change() -> None:
        alone(dev_project, PLAIN_PROJECT)
        rest(settle)
        change([*DEVENV, "exec"], dev_ws, env, ITEMS_CHANGE)

    def plain_change() -> None:
        alone(PLAIN_PROJECT, dev_project)
        rest(settle)
        change([*compose, "exec", "-T"], plain, None, ITEMS_CHANGE)

    dev, other = paired(
        rounds, (dev_change, lambda: run([*DEVENV, "reset", "--yes"], dev_ws, env)), (plain_change, plain_reset)
    )
    return Row("`reset` (snapshot) vs `down -v` + `up --wait` + seed", dev, other, "ratio <= 0.2")


def _loop_row(times: int, ws: Path, env: dict[str, str], notes: list[str]) -> Row:
    print(f"reset x {times}...", file=sys.stderr)
    failures = early = 0
    for _ in range(times):
        done = subprocess.run([*DEVENV, "reset", "--yes"], cwd=ws, env=env, capture_output=True, text=True, check=False)
        failures += done.returncode != 0
        status = subprocess.run([*DEVENV, "status"], cwd=ws, env=env, capture_output=True, text=True, check=False)
        early += done.returncode == 0 and status.returncode != 0  # "done" before every service was healthy
        if done.returncode != 0 or status.returncode != 0:  # what went wrong, for the one reading the run
            print(
                f"reset {done.returncode}: {done.stderr[-2000:]}\nstatus {status.returncode}: {status.stdout}",
                file=sys.stderr,
            )
    notes.append(f"`reset` x {times}: {failures} failures, {early} reported done before every service was healthy.")
    print(f"NOTE {notes[-1]}", file=sys.stderr, flush=True)
    return Row(f"`reset` x {times}: failures / early done", [float(failures)], [float(early)], "0 / 0")


def _heavy_rows(rounds: int, data_mb: int, ws: Path, env: dict[str, str], notes: list[str], settle: float) -> list[Row]:
    profile = heavy_profile(ws, data_mb)
    print(f"heavy: up with {data_mb} MB of rows (not timed)...", file=sys.stderr)
    run([*DEVENV, "up", "--profile", str(profile), "--set", f"web_port={free_port()}"], ws, env)
    save = timed(rounds, lambda: None, lambda: run([*DEVENV, "snapshot", "save", "bench"], ws, env))
    size = next(s for s in _snapshots(ws, env) if s["name"] == "bench")
    total = sum(v["size"] for v in size["volumes"].values())
    notes.append(f"data-heavy snapshot: {total / 1024**2:.0f} MB on the engine (volumes {', '.join(size['volumes'])}).")
    print(f"NOTE {notes[-1]}", file=sys.stderr, flush=True)
    print("heavy: reset vs reset --reseed...", file=sys.stderr)
    rows: list[Row] = []
    for what, big in (("1000 rows inserted", False), ("rows inserted, one big-table row updated", True)):

        def work(big: bool = big) -> None:
            rest(settle)
            change([*DEVENV, "exec"], ws, env, ITEMS_CHANGE)
            if big:
                change([*DEVENV, "exec"], ws, env, BULK_CHANGE)

        fast, slow = paired(
            rounds,
            (work, lambda: run([*DEVENV, "reset", "--yes"], ws, env)),
            (work, lambda: run([*DEVENV, "reset", "--yes", "--reseed"], ws, env)),
        )
        rows.append(Row(f"`reset` vs `reset --reseed`, {data_mb} MB of rows, {what}", fast, slow, "ratio <= 0.1"))
    return [
        *rows,
        Row(f"`snapshot save`, {total / 1024**2:.0f} MB", save, None, "-"),
    ]


def _snapshots(ws: Path, env: dict[str, str]) -> list[dict[str, Any]]:
    done = subprocess.run(
        [*DEVENV, "snapshot", "list", "--json"], cwd=ws, env=env, capture_output=True, text=True, check=False
    )
    return list(json.loads(done.stdout)) if done.returncode == 0 and done.stdout.strip() else []


if __name__ == "__main__":
    main()
