"""`devenv parity` on hostile and broken manifests: wall time and peak memory of each run, as a table.

    python -m benchmarks.hostile [--limit-seconds 2] [--limit-mb 200]

Each input is written to a temp folder and checked with `devenv parity --dev dev.yml --against FILE
--no-runtime` in a child process; the child's peak resident memory comes from getrusage. Every run must
end with exit 2 and one error line; the script exits 1 if any run does not, or is over the limits.
tests/parity/test_hostile.py checks the same inputs for exit code and message (not time: a timed test on
a shared machine is a flaky test).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DEV = "services:\n  web:\n    image: acme/web:1.0\n"
_HEAD = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"


def alias_bomb() -> bytes:
    """Nine levels of nine aliases, referenced from an env value: a few hundred bytes, 9**9 values."""
    lines = ["  a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nx-anchors:\n"
        + "\n".join(lines)
        + "\nspec:\n  template:\n    spec:\n      containers:\n      - name: web\n        image: acme/web:1.0\n"
        "        env:\n        - name: X\n          value: *a9\n"
    ).encode()


def deep_yaml() -> bytes:
    return (_HEAD + "data: " + "[" * 5000 + "]" * 5000 + "\n").encode()


def deep_block_yaml() -> bytes:
    """1,000 nested block mappings (indentation makes 5,000 levels 12 MB, which the size bound refuses)."""
    return (_HEAD + "".join(f"{' ' * i}k{i}:\n" for i in range(1000)) + " " * 1000 + "v: 1\n").encode()


def deep_json() -> bytes:
    return ('{"apiVersion": "v1", "kind": "ConfigMap", "data": ' + "[" * 5000 + "]" * 5000 + "}\n").encode()


def big_manifest() -> bytes:
    """A ConfigMap of 10 MB (built as one bytes object: the benchmark writes it before any child runs)."""
    row = b"  k%d: '" + b"v" * 100 + b"'\n"
    rows = b"".join(row % i for i in range(10 * 1024 * 1024 // 110 + 1))
    return _HEAD.encode() + b"data:\n" + rows


def binary_file() -> bytes:
    return bytes(range(256)) * 64


def nul_in_text() -> bytes:
    return b"apiVersion: v1\x00\x01kind: ConfigMap\n"


def wrong_types() -> bytes:
    return (
        b"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
        b"      containers:\n      - name: web\n        image: acme/web:1.0\n"
        b"        env:\n        - name: X\n          value: {nested: map}\n"
    )


# name -> (file name, content, what the one error line must say)
HOSTILE: dict[str, tuple[str, Callable[[], bytes], str]] = {
    "alias bomb": ("bomb.yaml", alias_bomb, "aliases expand to more than"),
    "5,000-deep flow": ("deep.yaml", deep_yaml, "nests deeper than 64 levels"),
    "1,000-deep block": ("deep-block.yaml", deep_block_yaml, "nests deeper than 64 levels"),
    "5,000-deep JSON": ("deep.json", deep_json, "nests deeper than 64 levels"),
    "10 MB manifest": ("big.yaml", big_manifest, "larger than the 8 MB parity reads"),
    "binary file": ("blob.yaml", binary_file, "a binary file"),
    "NUL in text": ("nul.yaml", nul_in_text, "a binary file"),
    "wrong types": ("types.yaml", wrong_types, "expected a single value, found dict"),
}


def write_case(folder: Path, name: str) -> tuple[Path, Path]:
    """The dev compose file and the hostile manifest for `name`, written into `folder`."""
    file_name, make, _ = HOSTILE[name]
    dev = folder / "dev.yml"
    dev.write_text(DEV)
    target = folder / file_name
    target.write_bytes(make())
    return dev, target


def run_case(folder: Path, name: str) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MB, stderr) of one child run on the files write_case wrote."""
    dev, target = folder / "dev.yml", folder / HOSTILE[name][0]
    argv = [sys.executable, "-m", "devenv", "parity", "--dev", str(dev), "--against", str(target), "--no-runtime"]
    env = {**os.environ, "NO_COLOR": "1"}
    log = folder / "stderr.txt"
    with log.open("w") as err, open(os.devnull, "w") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)  # this child's own rusage, not all children's
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    peak_mb = usage.ru_maxrss / 1024  # KB on Linux
    return proc.returncode, seconds, peak_mb, log.read_text().strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit-seconds", type=float, default=2.0)
    parser.add_argument("--limit-mb", type=float, default=200.0)
    args = parser.parse_args(argv)
    failed = False
    with tempfile.TemporaryDirectory(prefix="devenv-hostile-") as tmp:
        # every input written first: the parent's memory then stays small, and a forked child's peak
        # (which starts from the parent's) measures devenv, not the generator
        for i, name in enumerate(HOSTILE):
            (Path(tmp) / str(i)).mkdir()
            write_case(Path(tmp) / str(i), name)
        print(f"{'input':<18} {'exit':>4} {'seconds':>8} {'peak MB':>8}  message")
        for i, name in enumerate(HOSTILE):
            code, seconds, peak, message = run_case(Path(tmp) / str(i), name)
            first = message.splitlines()[0] if message else ""
            ok = code == 2 and seconds < args.limit_seconds and peak < args.limit_mb and HOSTILE[name][2] in message
            failed = failed or not ok
            shown = first.replace(f"{tmp}/{i}", "…")
            print(f"{name:<18} {code:>4} {seconds:>8.2f} {peak:>8.1f}  {'' if ok else 'OVER/WRONG: '}{shown}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
