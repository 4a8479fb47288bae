"""A source's files are someone else's repository: unpacking never writes outside the cache folder, on every
Python devenv supports (the stdlib's "data" filter arrived in 3.11.4; Debian 12 has 3.11.2)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from devenv.adapters.sources import _extract
from devenv.errors import UserError


def archive(tmp_path: Path, *members: tuple[str, str, str]) -> Path:
    """(kind, name, data-or-link-target) entries: kind is "file", "dir" or "symlink"."""
    path = tmp_path / "a.tar"
    with tarfile.open(path, "w") as tar:
        for kind, name, value in members:
            info = tarfile.TarInfo(name)
            if kind == "file":
                info.size = len(value.encode())
                tar.addfile(info, io.BytesIO(value.encode()))
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.type = tarfile.SYMTYPE
                info.linkname = value
                tar.addfile(info)
    return path


def unpack(path: Path, dest: Path) -> None:
    dest.mkdir()
    with tarfile.open(path) as tar:
        _extract(tar, dest)


def test_plain_files_folders_and_inner_links_unpack(tmp_path: Path) -> None:
    path = archive(
        tmp_path,
        ("dir", "shop", ""),
        ("file", "shop/profile.yaml", "name: shop\n"),
        ("symlink", "shop/current.yaml", "profile.yaml"),
    )
    unpack(path, tmp_path / "out")
    assert (tmp_path / "out" / "shop" / "current.yaml").read_text() == "name: shop\n"


@pytest.mark.parametrize(
    "member",
    [
        ("file", "../escaped", "x"),
        ("file", "/abs", "x"),
        ("symlink", "shop/etc", "/etc"),
        ("symlink", "shop/up", "../../.."),
    ],
    ids=["dotdot", "absolute", "link-absolute", "link-up"],
)
def test_an_entry_reaching_outside_is_refused_and_nothing_is_unpacked(
    tmp_path: Path, member: tuple[str, str, str]
) -> None:
    path = archive(tmp_path, ("file", "shop/profile.yaml", "name: shop\n"), member)
    with pytest.raises(UserError, match="outside its folder"):
        unpack(path, tmp_path / "out")
    assert list((tmp_path / "out").iterdir()) == []
    assert not (tmp_path / "escaped").exists()
