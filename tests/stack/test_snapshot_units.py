"""The pure rules of snapshots: names, what a restore stops, when `seeded` is stale, records, manifests."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import io
import json
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.domain import snapshot_archive as archive
from devenv.domain import snapshots as rules
from devenv.domain.snapshots import RestoreJournal, Snapshot, SnapVolume
from devenv.errors import UserError
from tests.helpers.common import Result


def snap(**overrides: object) -> Snapshot:
    values: dict[str, object] = {
        "name": "seeded",
        "workspace_id": "ws-1",
        "created": 1.0,
        "profile": "bb",
        "profile_version": "1.0.0",
        "config_hash": "c",
        "seed_fingerprint": "f",
        "seeded": True,
        "seed_status": {"1. seed": "done"},
        "volumes": {"db-data": SnapVolume("devenv-snap-ws-1-seeded-db-data-x", "db", "sha256:aaa", 10)},
    }
    values.update(overrides)
    return Snapshot(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["seeded", "before-migration", "v1.2_x", "a" * 40])
def test_valid_names(name: str) -> None:
    assert rules.check_name(name) == name


@pytest.mark.parametrize("name", ["", "Seeded", "-x", "a/b", "a b", "a" * 41, "../x"])
def test_invalid_names_are_a_user_error(name: str) -> None:
    with pytest.raises(UserError, match="not a valid snapshot name"):
        rules.check_name(name)


def test_affected_services_are_owners_and_what_restarts_with_its_links() -> None:
    mounts = {"db": ["db-data"], "cache": [], "search": ["idx"]}
    links = {"web": ["db", "cache"], "worker": ["web"], "cache": [], "db": []}
    assert rules.affected_services(mounts, links, ["db-data"]) == ["db"]  # web reconnects, as under compose
    assert rules.affected_services(mounts, links, ["db-data"], {"web"}) == ["db", "web"]
    assert rules.affected_services(mounts, links, ["db-data"], {"web", "worker"}) == ["db", "web", "worker"]
    assert rules.affected_services(mounts, links, ["db-data"], {"worker"}) == ["db"]  # only through web
    assert rules.affected_services(mounts, links, ["idx"]) == ["search"]
    assert rules.dependents(links, ["db"]) == {"web", "worker"}
    assert rules.owners({"web": ["shared"], "db": ["shared", "db-data"]}) == {"shared": "db", "db-data": "db"}


def test_a_restored_service_starts_early_only_when_it_links_to_nothing_restored() -> None:
    mounts = {"db": ["db-data"], "cache": ["cache-data"], "search": ["idx", "db-data"], "web": []}
    links = {"search": ["db"], "web": ["db"], "cache": ["broker"]}
    early = rules.early_starts(mounts, links, ["cache", "db", "search", "web"], ["db-data", "cache-data", "idx"])
    assert early == {"db": {"db-data"}, "cache": {"cache-data"}}  # broker was not stopped: cache need not wait
    assert rules.early_starts(mounts, links, ["search"], ["idx"]) == {"search": {"idx"}}  # db kept running


def test_a_fitting_snapshot_has_no_stale_reason() -> None:
    fits = {"profile": "bb", "seed": "f", "volumes": ["db-data"], "image_ids": {"db": "sha256:aaa"}}
    assert rules.stale_reason(snap(), **fits) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"profile": "other"}, "profile 'bb'"),
        ({"seed": "g"}, "seed tasks changed"),
        ({"volumes": ["db-data", "idx"]}, "volumes changed"),
        ({"image_ids": {"db": "sha256:bbb"}}, "image of service 'db'"),
        ({"image_ids": {"db": None}}, "none now"),
        ({"missing_storage": ["devenv-snap-x"]}, "gone from the engine"),
    ],
)
def test_each_stale_reason_is_named(change: dict[str, object], words: str) -> None:
    args: dict[str, object] = {"profile": "bb", "seed": "f", "volumes": ["db-data"], "image_ids": {"db": "sha256:aaa"}}
    args.update(change)
    reason = rules.stale_reason(snap(), **args)  # type: ignore[arg-type]
    assert reason is not None and words in reason


def test_seed_fingerprint_follows_the_tasks() -> None:
    one = rules.seed_fingerprint([("db", ["sh", "-c", "x"], None)])
    assert one == rules.seed_fingerprint([("db", ("sh", "-c", "x"), None)])
    assert one != rules.seed_fingerprint([("db", ["sh", "-c", "y"], None)])
    assert one != rules.seed_fingerprint([("db", ["sh", "-c", "x"], "postgres")])


def test_records_and_journals_round_trip_and_refuse_what_devenv_did_not_write() -> None:
    assert Snapshot.from_json(snap().to_json()) == snap()
    with pytest.raises(ValueError):
        Snapshot.from_json({"format": 1, "name": "x"})
    journal = RestoreJournal("seeded", {"db-data": ["s", "live", "img"]}, ["db", "web"])
    assert RestoreJournal.from_json(journal.to_json()) == journal
    with pytest.raises(ValueError):
        RestoreJournal.from_json({"snapshot": "x", "copies": {"v": ["only-one"]}, "services": []})


def test_a_manifest_round_trips_and_a_foreign_one_is_refused() -> None:
    data = archive.manifest_of(snap(), {"db-data": ("0" * 64, 123)})
    manifest = archive.read_manifest(data, "f.tgz")
    assert manifest.volumes["db-data"].member == "volumes/db-data.tar"
    archive.check_fits(manifest, "f.tgz", profile="bb", version="1.0.0", volumes=["db-data"])
    with pytest.raises(UserError, match=r"bb 1\.0\.0; this workspace uses bb 2\.0\.0"):
        archive.check_fits(manifest, "f.tgz", profile="bb", version="2.0.0", volumes=["db-data"])
    with pytest.raises(UserError, match="this stack has db-data, idx"):
        archive.check_fits(manifest, "f.tgz", profile="bb", version="1.0.0", volumes=["db-data", "idx"])
    data["volumes"]["db-data"]["member"] = "../../etc/passwd"
    with pytest.raises(UserError, match="manifest is malformed"):
        archive.read_manifest(data, "f.tgz")


def test_sizes_and_ages_read_well() -> None:
    assert rules.human_size(512) == "512 B"
    assert rules.human_size(3 * 1024 * 1024) == "3.0 MB"
    assert rules.human_size(5 * 1024**4) == "5120.0 GB"
    assert rules.human_age(30) == "30s ago" and rules.human_age(7200) == "2h ago"


def test_commands_refuse_bad_input_with_exit_2_and_a_hint(cli: Callable[..., Result], tmp_path: Path) -> None:
    done = cli("snapshot", "save", "Bad Name")
    assert done.code == 2 and "not a valid snapshot name" in done.err and "hint:" in done.err
    done = cli("snapshot", "list")
    assert done.code == 2 and "no devenv workspace" in done.err
    done = cli("snapshot", "import", str(tmp_path / "nope.tar.gz"))
    assert done.code == 2 and "no such file" in done.err
    assert "Traceback" not in done.err
    assert not (tmp_path / ".devenv").exists()  # nothing written
    help_text = cli("snapshot", "--help").out
    for command in ("save", "restore", "list", "rm", "export", "import"):
        assert command in help_text
    assert "--reseed" in cli("reset", "--help").out


def _archive(path: Path) -> None:
    """A small export as devenv writes it: the manifest, then one volume's tar."""
    volume = io.BytesIO()
    with tarfile.open(fileobj=volume, mode="w") as tar:
        data = b"row\n" * 2000
        info = tarfile.TarInfo("data/rows")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    body = volume.getvalue()
    manifest = json.dumps(archive.manifest_of(snap(), {"db-data": (hashlib.sha256(body).hexdigest(), len(body))}))
    with tarfile.open(path, "w:gz") as tar:
        for name, data in (("manifest.json", manifest.encode()), ("volumes/db-data.tar", body)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_an_archive_with_any_byte_changed_is_refused_before_anything_is_touched(tmp_path: Path) -> None:
    from devenv.usecases.snapshot_share import _verify

    good = tmp_path / "good.tar.gz"
    _archive(good)
    assert _verify(good, "good.tar.gz").name == "seeded"
    raw = good.read_bytes()
    bad = tmp_path / "bad.tar.gz"
    content = gzip.decompress(raw)
    for position in range(32, len(raw)):  # past gzip's header (its name and time carry no checksum)
        changed = bytearray(raw)
        changed[position] ^= 0x01
        with contextlib.suppress(OSError, EOFError, zlib.error):
            if gzip.decompress(bytes(changed)) == content:
                continue  # a bit deflate ignores: the archive still says exactly the same
        bad.write_bytes(bytes(changed))
        with pytest.raises(UserError, match="not a usable snapshot archive"):
            _verify(bad, "bad.tar.gz")


def test_a_stopped_service_starts_once_each_link_is_met() -> None:
    from devenv.domain.stack.health import ServiceStatus
    from devenv.domain.stack.startorder import startable

    links = {"web": ["db", "cache"], "worker": ["cache"], "db": [], "cache": []}
    checked = ["db"]  # cache has no health check: running is enough

    def at(**states: tuple[str, str | None]) -> dict[str, ServiceStatus]:
        return {name: ServiceStatus(name, state, health) for name, (state, health) in states.items()}

    stopped = at(db=("exited", None), cache=("exited", None), web=("exited", None), worker=("exited", None))
    assert startable(["db", "cache", "web", "worker"], links, checked, stopped) == ["db", "cache"]
    starting = at(db=("running", "starting"), cache=("running", None), web=("exited", None), worker=("exited", None))
    assert startable(["web", "worker"], links, checked, starting) == ["worker"]
    healthy = {**starting, **at(db=("running", "healthy"))}
    assert startable(["web"], links, checked, healthy) == ["web"]
    assert startable(["web", "db"], links, checked, healthy) == ["db"]  # a link still to start is not met


def test_a_damaged_record_or_journal_is_a_clear_error_and_a_missing_one_is_none(tmp_path: Path) -> None:
    from devenv.adapters.snapshot_store import JOURNAL, SnapshotStore

    store = SnapshotStore(tmp_path)
    assert store.get("seeded") is None and store.journal() is None
    folder = tmp_path / "snapshots"
    folder.mkdir(exist_ok=True)
    (folder / "seeded.json").write_text("{not json")
    (folder / "other.json").write_text('{"format": "something else"}')  # JSON, but not a record devenv wrote
    (folder / JOURNAL).write_text("[]")
    for read, what in (
        (lambda: store.get("seeded"), "snapshot record"),
        (lambda: store.get("other"), "snapshot record"),
        (store.journal, "journal of an interrupted snapshot restore"),
    ):
        with pytest.raises(UserError, match=f"the {what} .* is damaged") as caught:
            read()
        assert caught.value.hint
