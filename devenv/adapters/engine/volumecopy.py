"""Copying volumes inside the engine, for snapshots: nothing passes through the host.

A copy is one short-lived container of an image the engine already has (an owning service's own image,
so nothing is pulled), run as root with each source volume mounted read-only at /from/N and its target at
/to/N. The same works on Docker Desktop, colima and remote engines, where the host cannot see volume
folders. The helper carries a label naming the workspace, so one left behind by a killed devenv is found
and removed. It starts idle (its shell says READY and waits for SIGUSR1), so a restore starts it while
the services are still stopping (a container start is 0.3 s of the engine's); the signal starts the copy
in that same shell, which then exits (an exec would cost the engine another 0.05-0.1 s to start, and a
running helper a kill to remove). What it prints is the engine's log of the helper. Three ways to copy:

- `copy`: into a new, empty volume (`cp -a`: ownership, modes and times kept) - a save;
- `replace`: empty the target, then `copy`;
- `sync`: make the target equal to the source, writing only what differs - a restore. Both sides are
  listed (`find` + `stat`: type, size, mtime, mode, owner of every entry); entries that differ or are
  missing are copied, extra ones deleted. The test is rsync's default quick check (size and mtime):
  the snapshot side is never written, and a program that writes a file moves its mtime past the
  snapshot's. When most entries differ (or names hold a newline or tab) it falls back to `replace`.
  A restore of 2 GB of database files that a developer changed a little copies megabytes, not gigabytes.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from devenv.domain.stack.names import (
    DEVENV_SERVICE_LABEL,
    PROFILE_LABEL,
    PROJECT_LABEL,
    SERVICE_LABEL,
    WORKSPACE_LABEL,
)
from devenv.errors import EnvironmentProblem

if TYPE_CHECKING:
    from devenv.adapters.engine import Engine
    from devenv.adapters.engine.http import Readable

# a changed file smaller than this is copied whole: comparing reads both files and makes a line of text of
# every byte that differs (a 16 MB PostgreSQL WAL segment after 1000 rows inserted: 194,519 bytes differ,
# patched in 0.13 s during a restore, copied in 0.01-0.05 s); a 1 GB table file with one row changed is
# compared in 0.7 s and copied in 3.7
PATCH_MIN_BYTES = 64 * 1024 * 1024
POLL_SECONDS = 0.02  # the copy is polled (the helper's state); a restore of unchanged data takes 0.1-0.2 s
LOG_SECONDS = 10.0  # how long the script's last lines may take to reach the helper's log, on a busy engine
MODES = ("copy", "replace", "sync")
# an image compose built carries its project's and service's labels, and a container gets its image's:
# blank on a helper, so that nothing listing the stack (status, a wait for health) takes it for a service
_NOT_A_SERVICE = {
    label: "" for label in (PROJECT_LABEL, SERVICE_LABEL, WORKSPACE_LABEL, PROFILE_LABEL, DEVENV_SERVICE_LABEL)
}
# the helper's main process, before _SCRIPT: a SIGUSR1 before its trap is set would be lost (the first
# process of a container gets no signal it has no handler for), so `run` sends it once READY is out; a
# signal that comes between the loop's test and its `wait` is taken within the second
_WAIT = r"""
trap 'go=1' USR1
echo READY
while [ -z "$go" ]; do
  sleep 1 & wait $! || { code=$?; [ "$code" -gt 128 ] || exit "$code"; }
done
kill $! 2> /dev/null || :
"""
# POSIX sh with find, stat, awk, grep, cut, tr, xargs, cp and du: busybox has them, as do GNU
# systems. $1 is the mode, $2 the number of volumes, $3 PATCH_MIN_BYTES; a "VOLUME <n> <KB> <entries
# written|all> <patched>" line each.
_SCRIPT = r"""
set -e
TAB=$(printf '\t')
NL='
'
list() { cd "$1" && find . -exec stat -c "%n${TAB}%F${TAB}%s${TAB}%Y${TAB}%a${TAB}%u${TAB}%g" {} +; }
# the lines of file $2 that are not in file $1 (awk: many busybox builds have no comm); by FILENAME, not
# NR == FNR, which takes an empty $1 for $2
minus() { awk -v first="$1" 'FILENAME == first { seen[$0] = 1; next } !($0 in seen)' "$1" "$2"; }
full() {
  find "$2" -mindepth 1 -maxdepth 1 -exec rm -rf {} +
  cp -a "$1/." "$2/"
  how=all
}
# write into file $2 only the 64 KiB blocks in which it differs from file $1 (of $3 bytes), then make it
# that long, and set fits=yes; fits=no, $2 untouched, when more than an eighth of it differs (a copy is
# then as cheap) or cmp fails. Called as a plain command, not a condition, so that set -e holds in it
patch() {
  fits=no
  rm -f "$T/cmpcode"
  most=$(($3 / 524288 + 16))
  { code=0; LC_ALL=C cmp -l "$1" "$2" 2> /dev/null || code=$?; echo "$code" > "$T/cmpcode"; } | awk -v most="$most" '
    BEGIN { last = -2 }
    { lines++; b = int(($1 - 1) / 65536) }
    b != last {
      if (b != last + 1) { if (n) print start, last - start + 1; start = b }
      last = b; n++
      if (n > most) { many = 1; exit }
    }
    lines > 2000000 { many = 1; exit }
    END { if (many) print "many"; else if (n) print start, last - start + 1 }' > "$T/runs"
  if grep -q many "$T/runs"; then return 0; fi
  case "$(cat "$T/cmpcode")" in 0 | 1) ;; *) return 0 ;; esac  # 1: they differ; else cmp failed
  was=$(stat -c %s "$2")
  while read -r at count; do
    dd if="$1" of="$2" bs=65536 skip="$at" seek="$at" count="$count" conv=notrunc status=none
  done < "$T/runs"
  if [ "$3" -gt "$was" ]; then
    dd if="$1" of="$2" bs=65536 skip=$((was / 65536)) seek=$((was / 65536)) conv=notrunc status=none
  elif [ "$3" -lt "$was" ]; then
    dd if=/dev/null of="$2" bs=1 seek="$3" count=0 status=none
  fi
  fits=yes
}
sync() {
  f=$1 t=$2
  if [ -n "$(find "$f" "$t" \( -name "*${NL}*" -o -name "*${TAB}*" \) | head -n 1)" ]; then full "$f" "$t"; return; fi
  (list "$f") > "$T/a"
  (list "$t") > "$T/b"
  : > "$T/dirs"; : > "$T/files"; : > "$T/rm"; : > "$T/big"; : > "$T/patched"
  # one pass over both listings (a folder's size and mtime left out: its entries move them). Written:
  # the folders (dirs) and other entries (files) that come back, what is deleted (rm: what differs or is
  # extra, except a folder on both sides, whose mode and owner are set below), the big regular files
  # that may be patched (big); printed: how many entries differ, how many the snapshot has, how many come
  counts=$(awk -v T="$T" -v tab="$TAB" -v least="$patch_min" '
    function entry(line, x) {
      split(line, x, tab)
      return x[2] == "directory" ? x[1] tab "d" tab x[5] tab x[6] tab x[7] : line
    }
    FILENAME == ARGV[1] { e = entry($0); a[e] = 1; split(e, x, tab); adir[x[1]] = (x[2] == "d"); n_a++; next }
    { e = entry($0); b[e] = 1; split(e, x, tab); bdir[x[1]] = (x[2] == "d") }
    END {
      for (e in b) if (!(e in a)) { split(e, x, tab); gone[x[1]] = 1; n++ }
      for (p in gone) if (!(adir[p] && bdir[p])) print p > (T "/rm")
      for (e in a) if (!(e in b)) {
        n++; come++; split(e, x, tab)
        if (x[2] == "d") print e > (T "/dirs"); else print x[1] > (T "/files")
        if (x[2] == "regular file" && x[3] + 0 >= least + 0) print e > (T "/big")
      }
      print n + 0, n_a + 0, come + 0
    }' "$T/a" "$T/b")
  set -- $counts
  if [ "$1" -gt 5000 ] || [ $(($1 * 2)) -gt "$2" ]; then full "$f" "$t"; return; fi
  how=$3 patched=0
  # a big file on both sides ($patch_min bytes or more) is patched in place where GNU cmp finds its
  # differences fast (busybox's reads a byte at a time, slower than a copy): a database's 1 GB table file
  # with one row changed is 8 KB
  if [ -s "$T/big" ] && cmp --version > /dev/null 2>&1; then
    while IFS="$TAB" read -r p k s m a u g; do
      [ -f "$t/$p" ] && [ ! -L "$t/$p" ] || continue
      patch "$f/$p" "$t/$p" "$s"
      [ "$fits" = yes ] || continue
      chown "$u:$g" "$t/$p"; chmod "$a" "$t/$p"; touch -c -r "$f/$p" "$t/$p"
      printf '%s\n' "$p" >> "$T/patched"
      patched=$((patched + 1))
    done < "$T/big"
  fi
  if [ "$patched" -gt 0 ]; then
    minus "$T/patched" "$T/rm" > "$T/rmx"; mv "$T/rmx" "$T/rm"
    minus "$T/patched" "$T/files" > "$T/filesx"; mv "$T/filesx" "$T/files"
  fi
  if [ -s "$T/rm" ]; then (cd "$t" && tr '\n' '\0' < "$T/rm" | xargs -0 -r rm -rf --); fi
  while IFS="$TAB" read -r p k m u g; do
    mkdir -p "$t/$p"; chown "$u:$g" "$t/$p"; chmod "$m" "$t/$p"
  done < "$T/dirs"
  while IFS= read -r p; do cp -a "$f/$p" "$t/$p"; done < "$T/files"
}
# each volume in a job of its own, with its own scratch folder $T (at most 4 at once): a restore's
# volumes are all back when the biggest is, and each service starts as soon as its own are
one() {
  T=/tmp/devenv-copy-$1; mkdir -p "$T"; patched=0
  case "$mode" in
    copy) cp -a "/from/$1/." "/to/$1/"; how=all ;;
    replace) full "/from/$1" "/to/$1" ;;
    sync) sync "/from/$1" "/to/$1" ;;
  esac
  echo "VOLUME $1 $(du -sk "/to/$1" | cut -f1) $how $patched"
}
mode=$1 count=$2 patch_min=$3 i=0 running='' code=0
while [ "$i" -lt "$count" ]; do
  (one "$i") &
  running="$running $!"
  set -- $running
  if [ $# -ge 4 ]; then wait "$1" || code=$?; shift; running="$*"; fi
  i=$((i + 1))
done
for job in $running; do wait "$job" || code=$?; done
exit "$code"
"""


TOOLS_HINT = "the copy runs in one of the stack's images: it needs /bin/sh, cp, find, stat, awk, sleep and du"


class MissingTools(EnvironmentProblem):
    """The image cannot run the copy (no shell, or a tool missing): another image may."""


@dataclass(frozen=True)
class Copied:
    """One volume's copy: the target's size, how many entries were written (None: all of them), and how
    many of those were big files patched in place (only their blocks that differed written)."""

    size: int
    written: int | None
    patched: int = 0


class VolumeCopies:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _request(self, method: str, path: str, query: Mapping[str, str] | None = None, body: Any = None) -> Any:
        return self.engine._transport.request(method, path, query, body)

    def create_volume(self, name: str, labels: Mapping[str, str]) -> None:
        self._request("POST", "/volumes/create", body={"Name": name, "Labels": dict(labels)})

    def image_id(self, ref: str) -> str | None:
        """The id of a local image (by name or id), or None when the engine does not have it."""
        found = self.engine.get(f"/images/{quote(ref, safe='')}/json")
        return str(found.get("Id")) if isinstance(found, dict) else None

    def remove_helpers(self, labels: Mapping[str, str]) -> None:
        """Kill and delete copy containers left behind (a devenv killed while one ran)."""
        for container in self.engine.containers(labels):
            self.engine.remove_container(str(container.get("Id")))

    def copy(
        self,
        image: str,
        pairs: Sequence[tuple[str, str]],
        *,
        labels: Mapping[str, str],
        mode: str,
        tick: Callable[[float], None] | None = None,
    ) -> list[Copied]:
        """Copy each volume `source` into its volume `target`, all in one helper container (the modes: see
        the module's doc); one Copied per pair, in order.

        Raises EnvironmentProblem when the copy fails (the image has no shell, the disk is full...)."""
        helper = self.start_helper(image, pairs, labels=labels, mode=mode)
        try:
            return self.run(helper, image, pairs, tick=tick)
        finally:
            self.engine.remove_container(helper)

    def start_helper(
        self, image: str, pairs: Sequence[tuple[str, str]], *, labels: Mapping[str, str], mode: str
    ) -> str:
        """Start the helper container that copies `pairs` in `mode`, idle until `run` starts the copy: a
        restore starts it while the services whose data it replaces are still stopping. The caller removes
        it (engine.remove_container). MissingTools when the image has no /bin/sh."""
        if mode not in MODES:
            raise ValueError(mode)
        binds = [f"{source}:/from/{n}:ro" for n, (source, _target) in enumerate(pairs)]
        binds += [f"{target}:/to/{n}" for n, (_source, target) in enumerate(pairs)]
        argv = ["/bin/sh", "-c", _WAIT + _SCRIPT, "copy", mode, str(len(pairs)), str(PATCH_MIN_BYTES)]
        body = {
            "Image": image,
            "Entrypoint": argv,
            "Cmd": [],
            "User": "0:0",
            "Labels": {**_NOT_A_SERVICE, **labels},
            "HostConfig": {"Binds": binds, "NetworkMode": "none"},
        }
        created = self._request("POST", "/containers/create", body=body)
        container = str((created or {}).get("Id"))
        try:
            self._request("POST", f"/containers/{container}/start")
        except EnvironmentProblem as exc:  # no /bin/sh in the image: the engine cannot start it
            self.engine.remove_container(container)
            if "no such file" in exc.message.lower() or "not found" in exc.message.lower():
                raise MissingTools(f"image {image[:19]} has no /bin/sh", hint=TOOLS_HINT) from exc
            raise
        return container

    def run(
        self,
        helper: str,
        image: str,
        pairs: Sequence[tuple[str, str]],
        *,
        tick: Callable[[float], None] | None = None,
        done: Callable[[int, Copied], None] | None = None,
    ) -> list[Copied]:
        """Copy in the started helper (start_helper's pairs); `done(n, copied)` as soon as pair n is copied,
        while the copy goes on with the others (a restore starts that volume's service meanwhile)."""
        started = time.monotonic()
        info = self._signalled(helper)
        told: set[int] = set()

        def tell(output: str) -> None:  # a volume whose line is out is copied, even if another one's failed
            found = _parsed(output)
            for n in sorted(set(found) - told):
                told.add(n)
                if done:
                    done(n, found[n])

        while info.get("Running"):
            if done:
                tell(self._output(helper))
            if tick:
                tick(time.monotonic() - started)
            time.sleep(POLL_SECONDS)
            info = self._state(helper)
        code = info.get("ExitCode")
        output = self._output(helper)
        results = _results(output, len(pairs))
        settle = time.monotonic() + LOG_SECONDS
        while code == 0 and results is None and time.monotonic() < settle:
            time.sleep(POLL_SECONDS)  # on a busy engine the last lines reach the log a moment after the exit
            output = self._output(helper)
            results = _results(output, len(pairs))
        tell(output)
        if code != 0 or results is None:
            what = ", ".join(f"{source} to {target}" for source, target in pairs)
            kind = MissingTools if code in (126, 127) else EnvironmentProblem  # a command not found
            raise kind(
                f"copying volume {what} in image {image[:19]} failed (exit {code}): "
                f"{output.strip()[-300:] or 'no output'}",
                hint=TOOLS_HINT + ", and free disk",
            )
        return results

    def _state(self, helper: str) -> dict[str, Any]:
        return dict((self.engine.inspect(helper) or {}).get("State") or {})

    def _signalled(self, helper: str) -> dict[str, Any]:
        """Start the copy: SIGUSR1 once the helper said READY (its state, after: the copy runs, or it
        ended at once, the shell lacking a tool)."""
        deadline = time.monotonic() + LOG_SECONDS
        while True:
            info = self._state(helper)
            if not info.get("Running"):
                return info
            if "READY" in self._output(helper):
                break
            if time.monotonic() > deadline:
                raise EnvironmentProblem(
                    "the copy's helper container did not start its shell", hint="`devenv doctor` checks the engine"
                )
            time.sleep(POLL_SECONDS / 4)
        self._request("POST", f"/containers/{helper}/kill", {"signal": "USR1"})
        return self._state(helper)

    def _output(self, helper: str) -> str:
        """What the copy script printed: it writes to the helper's own output, which the engine logs."""
        return _demux(self._request("GET", f"/containers/{helper}/logs", {"stdout": "1", "stderr": "1"}))

    def read_volume(self, image: str, volume: str, sink: Callable[[bytes], None], labels: Mapping[str, str]) -> None:
        """Stream a volume out of the engine as a tar (members under `data/`), into `sink`."""
        container = self._parked(image, volume, labels)
        try:
            self.engine._transport.stream("GET", f"/containers/{container}/archive", {"path": "/data"}, sink=sink)
        finally:
            self.engine.remove_container(container)

    def write_volume(self, image: str, volume: str, upload: Readable, length: int, labels: Mapping[str, str]) -> None:
        """Unpack a tar made by read_volume into a volume, owners and modes as they were."""
        container = self._parked(image, volume, labels)
        try:
            query = {"path": "/", "copyUIDGID": "1"}
            self.engine._transport.stream(
                "PUT", f"/containers/{container}/archive", query, upload=upload, length=length
            )
        finally:
            self.engine.remove_container(container)

    def _parked(self, image: str, volume: str, labels: Mapping[str, str]) -> str:
        """A container that never runs, only holds the volume at /data for the archive endpoints."""
        body = {
            "Image": image,
            "Entrypoint": ["/bin/true"],
            "Labels": {**_NOT_A_SERVICE, **labels},
            "HostConfig": {"Binds": [f"{volume}:/data"], "NetworkMode": "none"},
        }
        return str((self._request("POST", "/containers/create", body=body) or {}).get("Id"))


def _results(output: str, count: int) -> list[Copied] | None:
    """The script's "VOLUME <n> <KB> <written|all> <patched>" lines, one per volume in order; None if one is missing."""
    found = _parsed(output)
    return [found[n] for n in range(count)] if set(found) == set(range(count)) else None


def _parsed(output: str) -> dict[int, Copied]:
    """The volumes the script has reported so far."""
    found: dict[int, Copied] = {}
    for line in output.splitlines():
        words = line.split()
        if len(words) == 5 and words[0] == "VOLUME" and all(words[n].isdigit() for n in (1, 2, 4)):
            written = int(words[3]) if words[3].isdigit() else None
            found[int(words[1])] = Copied(int(words[2]) * 1024, written, int(words[4]))
    return found


def _demux(raw: object) -> str:
    """A container's log stream (8-byte frame headers when it has no terminal) as text."""
    if not isinstance(raw, bytes):
        return str(raw or "")
    out = bytearray()
    rest = raw
    while len(rest) >= 8 and rest[0] in (0, 1, 2) and rest[1:4] == b"\0\0\0":
        (size,) = struct.unpack(">I", rest[4:8])
        out += rest[8 : 8 + size]
        rest = rest[8 + size :]
    out += rest
    return out.decode(errors="replace")
