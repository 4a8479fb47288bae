"""`devenv exec web true` and `devenv logs web` over ssh: this code beside an older one, in paired rounds.

    git archive OLD_COMMIT devenv | tar -x -C /tmp/before
    python -m benchmarks.compose_ssh --before /tmp/before [--rounds 7]

These commands run `docker compose`, which either rides devenv's forwarded engine socket or opens ssh
connections of its own. Needs what benchmarks/remote.py needs (an engine with compose v2, busybox:1.36,
Debian's openssh-server): one stack of a small profile, up over its own sshd on 127.0.0.1. Each round runs
both commands with this tree, with the `--before` tree (PYTHONPATH), and with the `--before` tree plus a
ControlMaster in the ssh config (what docs/remote.md advised before), so drift hits all alike. Medians.
"""

from __future__ import annotations

import argparse
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

HERE = str(Path(__file__).resolve().parent.parent)
COMMANDS = (["exec", "web", "true"], ["logs", "web"])


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "devenv", *argv], cwd=cwd, env=env, capture_output=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: devenv {' '.join(argv)}\n{done.stderr.decode(errors='replace')}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", type=Path, required=True, help="a folder holding an older devenv/ package")
    args = parser.parse_args()
    base = Path(tempfile.mkdtemp(prefix="devenv-compose-ssh-"))
    isolated = {f"DEVENV_{v}_DIR": str(base / v.lower()) for v in ("CONFIG", "CACHE", "DATA")}
    root = base / "ws"
    root.mkdir()
    (root / "stack.yaml").write_text(yaml.safe_dump(busybox_profile(name="composessh"), sort_keys=False))
    times: dict[tuple[str, str], list[float]] = {}
    try:
        with running_sshd(base / "sshd", log_sessions=False) as sshd:
            now = {**sshd.env, **isolated, "NO_COLOR": "1", "PYTHONPATH": HERE}
            before = {**now, "PYTHONPATH": str(args.before.resolve())}
            wrapper = base / "cm" / "ssh"  # the user's own ControlMaster, on top of the test's ssh wrapper
            wrapper.parent.mkdir()
            first = sshd.env["PATH"].split(os.pathsep)[0]
            wrapper.write_text(
                f"#!/bin/sh\nexec {first}/ssh -o ControlMaster=auto -o ControlPath={base}/cm-%C "
                '-o ControlPersist=120 "$@"\n'
            )
            wrapper.chmod(0o755)
            master = {**before, "PATH": f"{wrapper.parent}{os.pathsep}{sshd.env['PATH']}"}
            run(["up", "--profile", "stack.yaml"], root, now)
            try:
                for _ in range(args.rounds):
                    for name, env in (("now", now), ("before", before), ("before + ControlMaster", master)):
                        for argv in COMMANDS:
                            times.setdefault((argv[0], name), []).append(run(argv, root, env))
            finally:
                run(["snapshot", "rm", "seeded"], root, now)
                run(["down", "--volumes", "--yes"], root, now)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"{args.rounds} rounds, medians; DOCKER_HOST=ssh://root@127.0.0.1 (sshd here)\n")
    print("| command | this code | before | before + ControlMaster |\n|---|---|---|---|")
    for argv in COMMANDS:
        cells = [statistics.median(times[(argv[0], n)]) for n in ("now", "before", "before + ControlMaster")]
        print(f"| `devenv {' '.join(argv)}` | " + " | ".join(f"{c:.2f} s" for c in cells) + " |")


if __name__ == "__main__":
    main()
