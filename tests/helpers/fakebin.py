"""Fake system commands for tests: small sh scripts on a PATH of their own that record their argv.

Each fake appends one line to the log: its name and arguments separated by spaces (and `stdin: ...`
lines for what it read, when it reads stdin). `FAKE_FAIL=<name>` makes that command print two lines
and exit 100. The fake `sudo` records itself, then runs the rest of its argv.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from devenv.adapters.process import ProcessRunner

COMMANDS = (
    "apt-get",
    "dnf",
    "pacman",
    "brew",
    "systemctl",
    "service",
    "usermod",
    "groupadd",
    "install",
    "chmod",
    "colima",
    "open",
    "xcode-select",
)

RECORD = """#!/bin/sh
{ printf '%s' "${0##*/}"; for a in "$@"; do printf ' %s' "$a"; done; printf '\\n'; } >> "$FAKE_LOG"
if [ "${FAKE_FAIL:-}" = "${0##*/}" ]; then
  echo "E: simulated failure of ${0##*/}"
  echo "W: and a line on stderr" >&2
  exit 100
fi
"""

SCRIPTS = {
    "sudo": RECORD + 'exec "$@"\n',
    "tee": RECORD + 'while IFS= read -r line; do printf \'stdin: %s\\n\' "$line" >> "$FAKE_LOG"; done\n',
    # curl -o PATH URL: writes $FAKE_CURL_BODY (default "binary") to PATH
    "curl": RECORD
    + 'out=""\nwhile [ $# -gt 0 ]; do if [ "$1" = "-o" ]; then out=$2; shift; fi; shift; done\n'
    + '[ -n "$out" ] && printf \'%s\' "${FAKE_CURL_BODY:-binary}" > "$out"\n',
}


@dataclass
class FakeBin:
    bin: Path
    log: Path

    def env(self, **extra: str) -> dict[str, str]:
        return {
            "PATH": str(self.bin),
            "FAKE_LOG": str(self.log),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            **extra,
        }

    def runner(self, **extra: str) -> ProcessRunner:
        return ProcessRunner(env=self.env(**extra))

    def calls(self) -> list[str]:
        return self.log.read_text().splitlines() if self.log.exists() else []

    def add(self, name: str, body: str = "", *, record: bool = True) -> Path:
        """A fake command; `record=False` for ones that only answer questions (docker --version)."""
        path = self.bin / name
        path.write_text((RECORD if record else "#!/bin/sh\n") + body)
        path.chmod(0o755)
        return path

    def link(self, name: str) -> None:
        """Make a real tool available on the fake PATH."""
        for folder in ("/usr/bin", "/bin", "/usr/local/bin", "/usr/sbin"):
            real = Path(folder) / name
            if real.exists():
                (self.bin / name).symlink_to(real)
                return
        raise FileNotFoundError(name)


def make_fakebin(root: Path, commands: tuple[str, ...] = COMMANDS) -> FakeBin:
    folder = root / "fakebin"
    folder.mkdir(parents=True, exist_ok=True)
    fake = FakeBin(folder, root / "calls.log")
    for name in commands:
        fake.add(name)
    for name, body in SCRIPTS.items():
        path = folder / name
        path.write_text(body)
        path.chmod(0o755)
    return fake
