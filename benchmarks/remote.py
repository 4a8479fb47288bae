"""devenv against an engine over ssh, side by side with the same commands against the local engine.

    python -m benchmarks.remote [--rounds 7] [--markdown FILE]

Needs a Docker engine with compose v2, the busybox:1.36 image, and Debian's openssh-server: it starts its
own sshd on 127.0.0.1 (tests/helpers/sshd.py: key login, its own config; an `ssh` wrapper on PATH adds
`-F` that config, one more exec per ssh) and reaches this machine's engine through
it as DOCKER_HOST=ssh://root@127.0.0.1:PORT, the way a team dev box is reached. Two workspaces of one small
profile (two services, a volume, a bind-mounted folder, a published port): one on the local socket, one
over ssh. Each round times a no-op `up` and a `status` in both, alternating, so drift hits both alike.
Reports medians and the ssh/local ratio (target: <= 2x). Removes both stacks, their `seeded` snapshots
and the ssh copy at the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from tests.helpers.sshd import running_sshd
from tests.helpers.stack import busybox_profile

DEVENV = [sys.executable, "-m", "devenv"]


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{done.stdout}\n{done.stderr}")
    return elapsed


def workspace(base: Path, name: str) -> Path:
    root = base / name
    (root / "code").mkdir(parents=True)
    (root / "code" / "index.html").write_text("hello\n")
    profile = busybox_profile(name=name)
    web = profile["services"]["web"]
    web["command"] = ["sh", "-c", "exec httpd -f -p 8000 -h /www"]
    web["volumes"] = ["./code:/www"]
    web["healthcheck"] = {"test": "wget -qO- http://localhost:8000/index.html", "interval": "1s"}
    (root / "stack.yaml").write_text(yaml.safe_dump(profile, sort_keys=False))
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="devenv-remote-bench-"))
    isolated = {f"DEVENV_{v}_DIR": str(base / v.lower()) for v in ("CONFIG", "CACHE", "DATA")}
    local_env = {**os.environ, **isolated, "NO_COLOR": "1"}
    local_env.pop("DOCKER_HOST", None)
    local_ws, ssh_ws = workspace(base, "benchlocal"), workspace(base, "benchssh")
    times: dict[str, list[float]] = {k: [] for k in ("up local", "up ssh", "status local", "status ssh")}
    try:
        with running_sshd(base / "sshd", log_sessions=False) as sshd:
            ssh_env = {**sshd.env, **isolated, "NO_COLOR": "1"}
            run([*DEVENV, "up", "--profile", "stack.yaml"], local_ws, local_env)
            run([*DEVENV, "up", "--profile", "stack.yaml"], ssh_ws, ssh_env)
            for _ in range(args.rounds):
                for where, root, env in (("local", local_ws, local_env), ("ssh", ssh_ws, ssh_env)):
                    times[f"up {where}"].append(run([*DEVENV, "up"], root, env))
                    times[f"status {where}"].append(run([*DEVENV, "status"], root, env))
            for root, env in ((ssh_ws, ssh_env), (local_ws, local_env)):
                run([*DEVENV, "snapshot", "rm", "seeded"], root, env)  # `down --volumes` keeps snapshots
                run([*DEVENV, "down", "--volumes", "--yes"], root, env)
    finally:
        state = ssh_ws / ".devenv" / "state.json"
        if state.exists():  # the "remote" host is this machine: its copy of the code is here
            for copy in json.loads(state.read_text()).get("remote_sync", {}).values():
                shutil.rmtree(os.path.dirname(copy), ignore_errors=True)
        shutil.rmtree(base, ignore_errors=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    rows = [
        ("no-op `devenv up`", med["up local"], med["up ssh"]),
        ("`devenv status`", med["status local"], med["status ssh"]),
    ]
    lines = [
        f"{args.rounds} rounds, medians; local = unix socket, ssh = DOCKER_HOST=ssh://root@127.0.0.1 (sshd here)",
        "",
        "| what | local | over ssh | ssh / local | target |",
        "|---|---|---|---|---|",
        *[f"| {what} | {a:.2f} s | {b:.2f} s | {b / a:.2f}x | <= 2x |" for what, a, b in rows],
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        args.markdown.write_text(text)


if __name__ == "__main__":
    main()
