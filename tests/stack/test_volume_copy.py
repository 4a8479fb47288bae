"""The in-engine volume copy behind snapshots, on the real engine: a restore (`sync`) makes the target equal
to the source entry by entry, writing only what differs; in a busybox image and in a Debian one."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from devenv.adapters.engine import Engine, volumecopy
from devenv.adapters.engine.volumecopy import Copied, _results
from devenv.domain.snapshots import copy_summary
from devenv.errors import EnvironmentProblem
from tests.helpers.stack import BUSYBOX

DEBIAN = "debian:bookworm-slim"
# every kind of entry: nested folders, a name with a space, a symlink, owners and modes that differ
MAKE = (
    "mkdir -p /d/a/b /d/keep /d/x && echo one > /d/a/f1 && echo two > '/d/a/b/sp ace' && ln -s f1 /d/a/link"
    " && chmod 750 /d/a && chown 999:999 /d/a/f1 && echo x > /d/x/inner && echo t > /d/typeswap"
    " && for i in $(seq 1 40); do echo p$i > /d/keep/p$i; done && dd if=/dev/zero of=/d/big bs=1M count=3 2>/dev/null"
)
# a developer's changes: a file rewritten, one added, a folder replaced by a file and a file by a folder,
# a mode changed, a symlink re-pointed, a file deleted, a new tree
CHANGE = (
    "echo changed > /d/a/f1 && echo new > /d/a/new && rm -rf /d/x && echo file > /d/x && rm /d/typeswap"
    " && mkdir /d/typeswap && echo in > /d/typeswap/z && chmod 700 /d/keep && rm /d/a/link && ln -s other /d/a/link"
    " && rm '/d/a/b/sp ace' && mkdir -p /d/extra/deep && echo e > /d/extra/deep/e"
)
# what must be equal: folders by mode and owner, symlinks by target, files by size, mtime, mode, owner, content
LIST = (
    "cd /d && { find . -type d -exec stat -c '%n %F %a %u %g' {} + ; find . -type l -exec readlink {} + ;"
    " find . -type f -exec stat -c '%n %s %Y %a %u %g' {} + ; find . -type f -exec md5sum {} + ; } | sort"
)
pytestmark = pytest.mark.integration


def in_volume(image: str, volume: str, script: str) -> str:
    argv = ["docker", "run", "--rm", "-v", f"{volume}:/d", "--entrypoint", "sh", image, "-c", script]
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def volumes() -> Iterator[tuple[str, str]]:
    names = (f"devenv-test-copy-src-{uuid.uuid4().hex[:8]}", f"devenv-test-copy-dst-{uuid.uuid4().hex[:8]}")
    for name in names:
        subprocess.run(["docker", "volume", "create", name], capture_output=True, check=True)
    yield names
    subprocess.run(["docker", "volume", "rm", "-f", *names], capture_output=True, check=False)


@pytest.fixture
def patch_from_1mib(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files of 1 MiB and more are patched in place (64 MiB and more outside tests): test files stay small."""
    monkeypatch.setattr(volumecopy, "PATCH_MIN_BYTES", 1024 * 1024)


@pytest.mark.parametrize("image", [BUSYBOX, DEBIAN])
def test_sync_puts_back_only_what_differs(volumes: tuple[str, str], image: str) -> None:
    source, target = volumes
    copies = Engine(os.environ).volume_copies
    in_volume(image, source, MAKE)
    want = in_volume(image, source, LIST)
    [saved] = copies.copy(image, [(source, target)], labels={}, mode="copy")
    assert saved.written is None and saved.size > 3 * 1024 * 1024
    assert in_volume(image, target, LIST) == want
    time.sleep(1.1)  # a change in a later second than the copy: mtimes are compared in seconds
    in_volume(image, target, CHANGE)
    assert in_volume(image, target, LIST) != want

    [restored] = copies.copy(image, [(source, target)], labels={}, mode="sync")

    assert in_volume(image, target, LIST) == want
    assert restored.written is not None and 0 < restored.written < 15  # the changes, not the 50 entries
    again = [copies.copy(image, [(source, target)], labels={}, mode="sync")[0] for _ in range(2)]
    # nothing is left to put back (busybox's cp does not keep a symlink's mtime: it is written again)
    assert [c.written for c in again] == ([1, 1] if image == BUSYBOX else [0, 0])


# three big files, each changed its own way by a "developer": a few bytes in the middle, grown, shrunk;
# and one rewritten whole; beside files that stay as they are (most entries must be unchanged, or the
# whole volume is copied)
BIG = (
    "for f in mid grow shrink whole; do head -c 3145728 /dev/urandom > /d/$f; done && chown 999:999 /d/mid"
    " && chmod 600 /d/mid && for i in $(seq 1 12); do echo $i > /d/same$i; done"
)
BIG_CHANGE = (
    "printf XYZ | dd of=/d/mid bs=1 seek=1500000 conv=notrunc 2>/dev/null"
    " && printf Q | dd of=/d/mid bs=1 seek=3000000 conv=notrunc 2>/dev/null"
    " && head -c 100000 /dev/urandom >> /d/grow && head -c 2000000 /d/shrink > /d/s && cat /d/s > /d/shrink"
    " && rm /d/s && head -c 3145728 /dev/urandom > /d/whole"
)
INODES = "cd /d && stat -c '%n %i' mid grow shrink whole"


@pytest.mark.parametrize("smallest", [1024 * 1024, volumecopy.PATCH_MIN_BYTES])
def test_sync_patches_a_big_file_in_place_writing_only_the_blocks_that_differ(
    volumes: tuple[str, str], smallest: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(volumecopy, "PATCH_MIN_BYTES", smallest)
    source, target = volumes
    copies = Engine(os.environ).volume_copies
    in_volume(DEBIAN, source, BIG)
    want = in_volume(DEBIAN, source, LIST)
    copies.copy(DEBIAN, [(source, target)], labels={}, mode="copy")
    time.sleep(1.1)
    in_volume(DEBIAN, target, BIG_CHANGE)
    before = dict(line.split() for line in in_volume(DEBIAN, target, INODES).splitlines())
    assert in_volume(DEBIAN, target, LIST) != want

    [restored] = copies.copy(DEBIAN, [(source, target)], labels={}, mode="sync")

    assert in_volume(DEBIAN, target, LIST) == want  # content (md5), size, mtime, mode and owner
    after = dict(line.split() for line in in_volume(DEBIAN, target, INODES).splitlines())
    if smallest > 3 * 1024 * 1024:  # the 3 MiB files are below it: each changed one is copied whole
        assert (restored.written, restored.patched) == (4, 0)
        return
    assert (restored.written, restored.patched) == (4, 3)  # the file rewritten whole is copied
    assert all(before[name] == after[name] for name in ("mid", "grow", "shrink"))  # where they stood


def test_sync_copies_everything_when_most_entries_differ(volumes: tuple[str, str]) -> None:
    source, target = volumes
    copies = Engine(os.environ).volume_copies
    in_volume(BUSYBOX, source, MAKE)
    in_volume(BUSYBOX, target, "echo unrelated > /d/other && mkdir /d/keep && chmod 700 /d/keep")

    [restored] = copies.copy(BUSYBOX, [(source, target)], labels={}, mode="sync")

    assert restored.written is None  # a copy of all of it: cheaper than entry by entry
    assert in_volume(BUSYBOX, target, LIST) == in_volume(BUSYBOX, source, LIST)


def test_the_copy_reports_each_volume_or_nothing() -> None:
    out = "noise\nVOLUME 1 8 all 0\nVOLUME 0 4 3 1\n"
    assert _results(out, 2) == [Copied(4096, 3, 1), Copied(8192, None)]
    assert _results(out, 3) is None  # a volume's line missing: the copy failed part-way
    assert copy_summary(2048, None, 2.0) == "2.0 KB in 2.0s (1.0 KB/s)"
    assert copy_summary(2048, 0, 0.5) == "2.0 KB, nothing had changed (0.5s)"
    assert copy_summary(2048, 3, 0.5) == "2.0 KB, 3 changed files put back in 0.5s"
    assert copy_summary(2048, 3, 0.5, 2) == "2.0 KB, 3 changed files put back (2 patched in place) in 0.5s"


def fake_cmp_image(cmp: str, *, dd: bool) -> str:
    """A Debian image (dash runs the copy, as in most database images) whose cmp runs `cmp`, a shell line
    (/usr/bin/cmp.real is GNU's); without dd when `dd` is false."""
    lines = " ".join(f"'{line}'" for line in ("#!/bin/sh", cmp))
    drop = "" if dd else " && rm /usr/bin/dd"
    dockerfile = (
        f"FROM {DEBIAN}\nRUN mv /usr/bin/cmp /usr/bin/cmp.real{drop}"
        f" && printf '%s\\n' {lines} > /usr/bin/cmp && chmod 755 /usr/bin/cmp\n"
    )
    tag = f"devenv-test-cmp:{uuid.uuid4().hex[:8]}"
    subprocess.run(
        ["docker", "build", "-q", "-t", tag, "-"], input=dockerfile, text=True, capture_output=True, check=True
    )
    return tag


@pytest.fixture
def images() -> Iterator[list[str]]:
    made: list[str] = []
    yield made
    if made:
        subprocess.run(["docker", "image", "rm", "-f", *made], capture_output=True, check=False)


@pytest.mark.usefixtures("patch_from_1mib")
def test_a_big_file_is_copied_whole_when_cmp_fails(volumes: tuple[str, str], images: list[str]) -> None:
    source, target = volumes
    # cmp fails (but for --version), saying nothing: nothing may count as compared
    image = fake_cmp_image('[ "$1" = --version ] && exec cmp.real --version; exit 2', dd=True)
    images.append(image)
    copies = Engine(os.environ).volume_copies
    in_volume(BUSYBOX, source, BIG)
    copies.copy(BUSYBOX, [(source, target)], labels={}, mode="copy")
    time.sleep(1.1)
    in_volume(BUSYBOX, target, BIG_CHANGE)

    [restored] = copies.copy(image, [(source, target)], labels={}, mode="sync")

    assert (restored.written, restored.patched) == (4, 0)
    assert in_volume(BUSYBOX, target, LIST) == in_volume(BUSYBOX, source, LIST)


@pytest.mark.usefixtures("patch_from_1mib")
def test_a_tool_missing_part_way_copies_only_the_volumes_left_with_the_next_image(
    volumes: tuple[str, str], images: list[str]
) -> None:
    from devenv.context import AppContext
    from devenv.usecases.snapshot_volumes import copy_volumes

    # dd missing: the patch fails with "not found" in the middle of the copy, after the first volume
    no_dd_image = fake_cmp_image('exec cmp.real "$@"', dd=False)
    images.append(no_dd_image)
    small_src, small_dst = volumes
    big_src, big_dst = (f"devenv-test-copy-big-{n}-{uuid.uuid4().hex[:8]}" for n in ("src", "dst"))
    for name in (big_src, big_dst):
        subprocess.run(["docker", "volume", "create", name], capture_output=True, check=True)
    try:
        copies = Engine(os.environ).volume_copies
        in_volume(BUSYBOX, small_src, "for i in 1 2 3 4; do echo $i > /d/f$i; done")
        in_volume(
            BUSYBOX, big_src, "head -c 2097152 /dev/urandom > /d/big && for i in 1 2 3 4; do echo $i > /d/f$i; done"
        )
        copies.copy(BUSYBOX, [(small_src, small_dst), (big_src, big_dst)], labels={}, mode="copy")
        time.sleep(1.1)
        in_volume(BUSYBOX, small_dst, "echo changed > /d/f1")
        in_volume(BUSYBOX, big_dst, "printf XYZ | dd of=/d/big bs=1 seek=1000 conv=notrunc 2>/dev/null")
        told: list[str] = []
        said: list[str] = []
        pairs = {"small": (small_src, small_dst, no_dd_image), "big": (big_src, big_dst, no_dd_image)}

        done = copy_volumes(
            AppContext.from_environment(),
            "test-no-dd",
            pairs,
            "restoring",
            said.append,
            mode="sync",
            others=[BUSYBOX],
            sizes={"small": 1, "big": 2},
            done=told.append,
        )

        assert told == ["small", "big"]  # each once: the second image copied only what was left
        assert done["small"].written == 1  # by the first image (a second sync would have found nothing)
        assert in_volume(BUSYBOX, big_dst, LIST) == in_volume(BUSYBOX, big_src, LIST)
        assert in_volume(BUSYBOX, small_dst, LIST) == in_volume(BUSYBOX, small_src, LIST)
    finally:  # the helpers first (removed in the background): a volume in use is not removed
        found = ["docker", "ps", "-aq", "--filter", "label=devenv.snapshot.helper=test-no-dd"]
        helpers = subprocess.run(found, capture_output=True, text=True, check=False).stdout.split()
        subprocess.run(["docker", "rm", "-f", *helpers], capture_output=True, check=False)
        subprocess.run(["docker", "volume", "rm", "-f", big_src, big_dst], capture_output=True, check=False)


def test_five_volumes_are_copied_four_at_a_time_each_one_whole() -> None:
    # more volumes than the script runs at once: the fifth waits for the first, and a failing one (its
    # target is a file where a folder must go) fails the copy without stopping the others
    names = [f"devenv-test-copy-many-{n}-{uuid.uuid4().hex[:8]}" for n in range(12)]
    for name in names:
        subprocess.run(["docker", "volume", "create", name], capture_output=True, check=True)
    try:
        sources, targets = names[:6], names[6:]
        for n, source in enumerate(sources):
            in_volume(BUSYBOX, source, f"mkdir -p /d/sub && for i in $(seq 1 {n + 2}); do echo {n} > /d/sub/f$i; done")
        copies = Engine(os.environ).volume_copies
        told: list[int] = []
        pairs = list(zip(sources[:5], targets[:5], strict=True))
        helper = copies.start_helper(BUSYBOX, pairs, labels={}, mode="copy")
        try:
            copied = copies.run(helper, BUSYBOX, pairs, done=lambda n, _c: told.append(n))
        finally:
            Engine(os.environ).remove_container(helper)
        assert sorted(told) == [0, 1, 2, 3, 4]
        assert [c.written for c in copied] == [None] * 5
        for source, target in pairs:
            assert in_volume(BUSYBOX, target, LIST) == in_volume(BUSYBOX, source, LIST)

        in_volume(BUSYBOX, targets[5], "touch /d/sub")  # a file named like the folder the copy makes
        failing = [*pairs[:3], (sources[5], targets[5])]
        told.clear()
        helper = copies.start_helper(BUSYBOX, failing, labels={}, mode="copy")
        try:
            with pytest.raises(EnvironmentProblem, match="exit 1"):
                copies.run(helper, BUSYBOX, failing, done=lambda n, _c: told.append(n))
        finally:
            Engine(os.environ).remove_container(helper)
        assert sorted(told) == [0, 1, 2]  # the others were copied, and said so
    finally:
        subprocess.run(["docker", "volume", "rm", "-f", *names], capture_output=True, check=False)
