"""Whole-stack snapshots against the real engine: save, change, restore; reset from `seeded` and its
fallbacks; a restore killed at several points then `devenv up`; two workspaces side by side."""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import subprocess
import tarfile
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers.stack import BUSYBOX, Stack, busybox_profile, docker, make_stack

pytestmark = [pytest.mark.integration, pytest.mark.slow]

# 40 files, each naming the version of the data it belongs to: a mix of two versions shows. They live in a
# sub-folder: a change at the top of a volume changes its CreatedAt on this engine (the volume's identity)
WRITE = "mkdir -p /data/d && for i in $(seq 1 40); do echo {v} > /data/d/part-$i; done"
READ = ["sh", "-c", "cat /data/d/part-* | sort | uniq -c"]


def profile() -> dict[str, Any]:
    p = busybox_profile()
    for service in p["services"].values():
        service["init"] = True  # httpd as PID 1 ignores SIGTERM: each stop would wait Docker's 10 s
    p["services"]["cache"] = {  # no volume, no link to one: a restore must leave it running
        "image": BUSYBOX,
        "init": True,
        "command": ["sh", "-c", "mkdir -p /w && touch /w/ok && exec httpd -f -p 6379 -h /w"],
    }
    p["seed"] = [{"service": "db", "run": ["sh", "-c", "echo seeded >> /data/seed.log; " + WRITE.format(v="seed")]}]
    return p


def cleanup(s: Stack) -> None:
    """The stack, then the snapshot volumes and copy containers this test's workspace made (by its label)."""
    s.cleanup()
    with contextlib.suppress(OSError, ValueError):
        wsid = str(s.state["workspace_id"])
        helpers = docker("ps", "-aq", "--filter", f"label=devenv.snapshot.helper={wsid}").split()
        volumes = docker("volume", "ls", "-q", "--filter", f"label=devenv.snapshot.workspace={wsid}").split()
        for kind, ids in (("container", helpers), ("volume", volumes)):
            if ids:
                subprocess.run(["docker", kind, "rm", "-f", *ids], capture_output=True, check=False)


@pytest.fixture
def stacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Stack]]:
    monkeypatch.setenv("DEVENV_AUTO_SNAPSHOT", "1")
    made: list[Stack] = []

    def make(p: dict[str, Any] | None = None) -> Stack:
        s = make_stack(tmp_path, p or profile())
        made.append(s)
        return s

    yield make
    for s in made:
        cleanup(s)


def up(s: Stack) -> None:
    done = s.devenv("up", "--profile", "./stack.yaml")
    assert done.code == 0, done.err


def in_volume(s: Stack, argv: list[str]) -> str:
    """A command's output in a throwaway container holding the db-data volume (no network: none needed)."""
    done = subprocess.run(
        ["docker", "run", "--rm", "--network", "none", "-v", f"{s.project}_db-data:/data", BUSYBOX, *argv],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout if done.returncode == 0 else f"(failed: {done.stderr.strip()})"


def parts(s: Stack) -> str:
    return " ".join(in_volume(s, READ).split())


def volume_file(s: Stack, path: str) -> str:
    return in_volume(s, ["cat", f"/data/{path}"])


def write(s: Stack, version: str) -> None:
    done = s.devenv("exec", "db", "sh", "-c", WRITE.format(v=version))
    assert done.code == 0, done.err


def moment(text: str) -> datetime:
    """An engine time (RFC 3339 with nanoseconds) as a datetime."""
    return datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", text).replace("Z", "+00:00"))


def helpers(s: Stack) -> list[str]:
    return docker("ps", "-aq", "--filter", f"label=devenv.snapshot.helper={s.state['workspace_id']}").split()


def snapshot_volumes(s: Stack) -> list[str]:
    wsid = s.state["workspace_id"]
    return sorted(docker("volume", "ls", "-q", "--filter", f"label=devenv.snapshot.workspace={wsid}").split())


def test_save_change_restore_brings_the_data_back_restarting_only_its_services(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    assert (s.root / ".devenv" / "snapshots" / "seeded.json").is_file()  # taken after the first seed
    write(s, "mine")
    done = s.devenv("snapshot", "save", "mine")
    assert done.code == 0, done.err
    assert "saving db-data:" in done.err and "/s)" in done.err  # bytes and rate, plain lines when piped
    write(s, "later")
    cache_before = s.container_ids()["cache"]
    done = s.devenv("snapshot", "restore", "mine")
    assert done.code == 0, done.err
    assert parts(s) == "40 mine"
    assert s.container_ids()["cache"] == cache_before  # not linked to the data: never restarted
    assert s.devenv("status").code == 0  # done only when healthy

    listed = json.loads(s.devenv("snapshot", "list", "--json").out)
    assert {x["name"] for x in listed} == {"seeded", "mine"}
    mine = next(x for x in listed if x["name"] == "mine")
    assert mine["profile"] == "bb" and mine["profile_version"] == "1.0.0"
    assert mine["volumes"]["db-data"]["service"] == "db"
    assert mine["volumes"]["db-data"]["image_id"].startswith("sha256:")
    assert mine["volumes"]["db-data"]["size"] > 0
    table = s.devenv("snapshot", "list").out
    assert "mine" in table and "bb 1.0.0" in table

    assert s.devenv("snapshot", "rm", "mine").code == 0
    assert len(snapshot_volumes(s)) == 1  # only seeded's copy is left
    done = s.devenv("snapshot", "restore", "mine")
    assert done.code == 2 and "no snapshot 'mine'" in done.err


def test_reset_restores_seeded_and_falls_back_when_the_seed_changes(stacks: Callable[..., Stack]) -> None:
    s = stacks()
    up(s)
    write(s, "dirty")
    done = s.devenv("reset", "--yes")
    assert done.code == 0, done.err
    assert "restored snapshot 'seeded'" in done.err and "seeding:" not in done.err
    assert parts(s) == "40 seed" and volume_file(s, "seed.log") == "seeded\n"
    assert s.devenv("status").code == 0 and helpers(s) == []

    p = profile()
    p["seed"][0]["run"][2] += "; echo v2 > /data/v2"
    s.profile.write_text(yaml.safe_dump(p, sort_keys=False))
    write(s, "dirty")
    assert s.devenv("exec", "db", "touch", "/data/mine").code == 0
    done = s.devenv("reset", "--yes")
    assert done.code == 0, done.err
    assert "seed tasks changed" in done.err and "seeding:" in done.err
    assert s.devenv("exec", "db", "test", "-e", "/data/mine").code == 1  # the volume was deleted, not kept
    assert volume_file(s, "v2") == "v2\n" and parts(s) == "40 seed"
    assert helpers(s) == []  # the copy's helper, started while reset checked the snapshot, is gone
    write(s, "dirty")  # the snapshot was refreshed by that seed: the next reset restores again
    done = s.devenv("reset", "--yes")
    assert "restored snapshot 'seeded'" in done.err and volume_file(s, "v2") == "v2\n"

    done = s.devenv("reset", "--yes", "--reseed")
    assert done.code == 0 and "--reseed" in done.err and "seeding:" in done.err
    assert len(snapshot_volumes(s)) == 1  # the refreshed copy replaced the old one


def test_a_changed_owning_image_refuses_restore_without_force_and_reset_seeds(stacks: Callable[..., Stack]) -> None:
    p = profile()
    del p["services"]["db"]["image"]
    p["services"]["db"]["build"] = "images/db"
    s = stacks(p)
    context = s.root / "images" / "db"
    context.mkdir(parents=True)
    (context / "Dockerfile").write_text(f"FROM {BUSYBOX}\nCOPY stamp /stamp\n")
    (context / "stamp").write_text("1")
    try:
        up(s)
        write(s, "one")
        assert s.devenv("snapshot", "save", "one").code == 0
        (context / "stamp").write_text("2")
        up(s)  # builds a new image of db
        write(s, "two")
        done = s.devenv("snapshot", "restore", "one")
        assert done.code == 2 and "image of service 'db'" in done.err and "--force" in done.err
        assert parts(s) == "40 two"  # refused: nothing changed
        done = s.devenv("snapshot", "restore", "one", "--force")
        assert done.code == 0, done.err
        assert parts(s) == "40 one"
        assert s.state["images"]["db"] == f"{s.project}-db"  # kept at render: the check parses no YAML
        state_file = s.root / ".devenv" / "state.json"
        old = json.loads(state_file.read_text())
        del old["images"]  # a state written before devenv kept them: the compose file says
        state_file.write_text(json.dumps(old))
        done = s.devenv("snapshot", "restore", "one")
        assert done.code == 2 and "image of service 'db'" in done.err
        done = s.devenv("reset", "--yes")
        assert done.code == 0 and "image of service 'db'" in done.err and "seeding:" in done.err
    finally:
        subprocess.run(["docker", "image", "rm", "-f", f"{s.project}-db"], capture_output=True, check=False)


def _helper_running(s: Stack) -> Callable[[], bool]:
    wsid = s.state["workspace_id"]
    return lambda: bool(docker("ps", "-q", "--filter", f"label=devenv.snapshot.helper={wsid}").strip())


def _journal(s: Stack) -> Callable[[], bool]:
    return lambda: (s.root / ".devenv" / "snapshots" / "restore.journal").exists()


def _db_stopped(s: Stack) -> Callable[[], bool]:
    def check() -> bool:
        db = s.containers().get("db")
        return db is not None and db["State"]["Status"] == "exited"

    return check


@pytest.mark.parametrize("point", ["stopped", "journal", "copying"])
def test_a_restore_killed_then_up_ends_in_one_consistent_state(stacks: Callable[..., Stack], point: str) -> None:
    s = stacks()
    up(s)
    write(s, "old")
    assert s.devenv("snapshot", "save", "old").code == 0
    write(s, "new")
    ready = {"stopped": _db_stopped(s), "journal": _journal(s), "copying": _helper_running(s)}[point]
    proc = s.spawn("snapshot", "restore", "old")
    deadline = time.monotonic() + 90
    while not ready():
        assert proc.poll() is None, f"restore finished before the {point} point: {proc.communicate()}"
        assert time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    done = s.devenv("up")
    assert done.code == 0, done.err
    state = parts(s)
    assert state in ("40 old", "40 new"), state  # never a mix
    if point != "stopped":  # the journal was on disk: the restore is finished, and said so
        assert state == "40 old" and "was interrupted: finishing it" in done.err
    assert not _journal(s)() and not _helper_running(s)()
    assert s.devenv("status").code == 0


def test_two_workspaces_snapshots_never_mix(stacks: Callable[..., Stack]) -> None:
    a, b = stacks(), stacks()
    up(a)
    up(b)
    write(a, "a")
    write(b, "b")
    assert a.devenv("snapshot", "save", "same").code == 0
    assert b.devenv("snapshot", "save", "same").code == 0
    write(a, "a2")
    write(b, "b2")
    assert a.devenv("snapshot", "restore", "same").code == 0
    assert b.devenv("snapshot", "restore", "same").code == 0
    assert (parts(a), parts(b)) == ("40 a", "40 b")
    assert set(snapshot_volumes(a)).isdisjoint(snapshot_volumes(b))
    assert a.devenv("snapshot", "rm", "same").code == 0
    assert len(snapshot_volumes(b)) == 2  # b's seeded and same are untouched
    assert b.devenv("snapshot", "restore", "same").code == 0 and parts(b) == "40 b"


def _repack(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> None:
    """A copy of an export with some members' bytes changed (the manifest included)."""
    with tarfile.open(source, "r:gz") as src, tarfile.open(target, "w:gz") as out:
        for member in src:
            data = change(member.name, src.extractfile(member).read())  # type: ignore[union-attr]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_export_import_round_trip_and_bad_archives_refused(stacks: Callable[..., Stack], tmp_path: Path) -> None:
    a, b = stacks(), stacks()
    up(a)
    up(b)
    write(a, "shared")
    assert a.devenv("snapshot", "save", "team").code == 0
    archive = tmp_path / "team.tar.gz"
    done = a.devenv("snapshot", "export", "team", str(archive))
    assert done.code == 0, done.err
    assert "exporting db-data:" in done.err and "/s)" in done.err
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert names == ["manifest.json", "volumes/db-data.tar"]
    assert manifest["profile"] == "bb" and len(manifest["volumes"]["db-data"]["sha256"]) == 64

    before = (snapshot_volumes(b), b.devenv("snapshot", "list", "--json").out, parts(b))
    corrupt = tmp_path / "corrupt.tar.gz"
    raw = bytearray(archive.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    corrupt.write_bytes(bytes(raw))
    tampered = tmp_path / "tampered.tar.gz"
    _repack(archive, tampered, lambda name, data: data if name == "manifest.json" else data[:-1024] + b"x" * 1024)
    foreign = tmp_path / "foreign.tar.gz"
    _repack(
        archive, foreign, lambda name, data: data.replace(b'"1.0.0"', b'"2.0.0"') if name == "manifest.json" else data
    )
    for bad, words in ((corrupt, "not a usable snapshot archive"), (tampered, "checksum"), (foreign, "bb 2.0.0")):
        done = b.devenv("snapshot", "import", str(bad))
        assert done.code == 2, (bad.name, done.err)
        assert words in done.err and "Traceback" not in done.err, done.err
        assert (snapshot_volumes(b), b.devenv("snapshot", "list", "--json").out, parts(b)) == before  # untouched

    done = b.devenv("snapshot", "import", str(archive))
    assert done.code == 0, done.err
    assert "verified" in done.err
    done = b.devenv("snapshot", "restore", "team")
    assert done.code == 0, done.err
    assert parts(b) == "40 shared"


def test_a_restore_starts_each_service_once_its_links_are_healthy_and_puts_back_only_changes(
    stacks: Callable[..., Stack],
) -> None:
    p = profile()
    db = p["services"]["db"]  # healthy only 2 s after it starts: a service started with it would be early
    db["command"] = [
        "sh",
        "-c",
        "rm -f /ready; (sleep 2; cut -d' ' -f1 /proc/uptime > /ready) & exec httpd -f -p 5432 -h /data",
    ]
    db["healthcheck"] = {"test": "test -f /ready", "interval": "1s", "retries": 30}
    web = p["services"]["web"]
    web["restart_with_links"] = True  # an app that does not reconnect: restarted with db, once db is healthy
    web["command"][-1] = "cut -d' ' -f1 /proc/uptime >> /www-starts; " + web["command"][-1]  # the kernel's clock
    s = stacks(p)
    up(s)
    assert s.devenv("exec", "db", "sh", "-c", "echo later > /data/d/part-7").code == 0  # one of 40 parts changed

    done = s.devenv("reset", "--yes")

    assert done.code == 0, done.err
    assert "db-data: " in done.err and ", 1 changed file put back in" in done.err  # not the whole volume
    assert "Stack is up in" in done.out and "nothing changed" not in done.out  # the data did change
    assert parts(s) == "40 seed"
    ready_at = float(s.devenv("exec", "db", "cat", "/ready").out)
    starts = s.devenv("exec", "web", "cat", "/www-starts").out.split()
    assert len(starts) == 3  # up, the save of `seeded` after the seed, and this reset: restarted each time
    assert float(starts[-1]) >= ready_at  # and only once db was healthy
    assert s.devenv("status").code == 0

    # a container gone meanwhile: the restore brings the stack up through compose, which makes it again
    write(s, "later")
    subprocess.run(["docker", "rm", "-f", s.container_ids()["web"]], capture_output=True, check=True)
    done = s.devenv("reset", "--yes")
    assert done.code == 0, done.err
    assert parts(s) == "40 seed" and s.devenv("status").code == 0


def test_a_restore_leaves_running_what_only_links_to_the_data(stacks: Callable[..., Stack]) -> None:
    """As compose does when it restarts a service: what depends on it keeps running, and reconnects."""
    s = stacks()
    up(s)
    before = s.containers()
    write(s, "later")

    done = s.devenv("reset", "--yes")

    assert done.code == 0, done.err
    assert "stopping db to restore" in done.err
    assert parts(s) == "40 seed"
    after = s.containers()
    assert after["web"]["State"]["StartedAt"] == before["web"]["State"]["StartedAt"]  # never stopped
    assert after["db"]["State"]["StartedAt"] != before["db"]["State"]["StartedAt"]
    assert s.devenv("status").code == 0


def test_a_database_image_without_a_shell_is_copied_with_another_image_of_the_stack(
    stacks: Callable[..., Stack],
) -> None:
    p = profile()
    db = p["services"]["db"]  # an image with no /bin/sh, find or cp: only a busybox binary
    del db["image"]
    db["build"] = "db-image"
    db["init"] = False
    start = "/busybox mkdir -p /data && /busybox touch /data/ok && exec /busybox httpd -f -p 5432 -h /data"
    db["command"] = ["/busybox", "sh", "-c", start]
    db["healthcheck"]["test"] = ["/busybox", "wget", "-qO-", "http://localhost:5432/ok"]
    seed = "/busybox mkdir -p /data/d && echo seed > /data/d/part"
    p["seed"] = [{"service": "db", "run": ["/busybox", "sh", "-c", seed]}]
    s = stacks(p)
    (s.root / "db-image").mkdir()
    (s.root / "db-image" / "Dockerfile").write_text(
        f"FROM {BUSYBOX} AS tools\nFROM scratch\nCOPY --from=tools /bin/busybox /busybox\n"
    )
    up(s)  # saves `seeded` after the seed: with web's image, which has the tools
    assert (s.root / ".devenv" / "snapshots" / "seeded.json").is_file()
    assert s.devenv("exec", "db", "/busybox", "sh", "-c", "echo mine > /data/d/part").code == 0
    done = s.devenv("reset", "--yes")
    assert done.code == 0, done.err
    assert volume_file(s, "d/part") == "seed\n"


def test_a_restore_leaves_a_stopped_optional_service_stopped(stacks: Callable[..., Stack]) -> None:
    p = profile()
    p["services"]["admin"] = {  # an optional tool linked to the db: affected by a restore, but not running
        "image": BUSYBOX,
        "init": True,
        "command": ["sh", "-c", "mkdir -p /w && touch /w/ok && exec httpd -f -p 8080 -h /w"],
        "links": ["db"],
        "profiles": ["tools"],
    }
    s = stacks(p)
    up(s)
    assert s.devenv("up", "admin").code == 0
    assert s.devenv("stop", "admin").code == 0
    write(s, "later")
    done = s.devenv("reset", "--yes")
    assert done.code == 0, done.err
    assert parts(s) == "40 seed"
    assert s.containers()["admin"]["State"]["Running"] is False
