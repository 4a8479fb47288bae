"""A profile that ships its platform's code (`code:`): `devenv init` copies it into the workspace, where the
developer edits it, and the stack then builds, mounts and watches that copy.

A profile without `repo` writes paths relative to its own folder. With `code: {from: example/app, to:
app}`, once the workspace holds `app/`, every path under the profile's `example/app` is rendered as the
same path under the workspace's `app/`; without the copy (`devenv profile render`, a plain `up`), paths
stay where the profile is. Pure: the caller says whether the copy exists.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devenv.domain.profile.spec_engine import Obj, Str

if TYPE_CHECKING:
    from devenv.domain.profile.model import Profile
    from devenv.domain.yamldoc import Located
    from devenv.errors import Problem

CODE = Obj(
    {
        "from": Str(description="The code's folder, relative to the profile's folder."),
        "to": Str(
            pattern=r"(?!\.\.?$)[A-Za-z0-9_.-]+",
            pattern_hint="a folder name in the workspace",
            description="Its folder in the workspace (default: the last part of from).",
        ),
        "tests": Str(description="How to run its tests, shown by `devenv init`, e.g. devenv run web ./run_tests.sh"),
    },
    required=("from",),
    name="code",
    description="The platform's code, shipped with the profile: `devenv init` copies it into the workspace.",
)


@dataclass(frozen=True)
class Code:
    source: str  # as written, relative to `base`
    to: str
    tests: str | None = None
    base: str | None = None  # the profile's folder

    @property
    def origin(self) -> str:
        return posixpath.normpath(posixpath.join(self.base or ".", self.source))


def code_of(raw: object, base: str | None) -> Code | None:
    if not isinstance(raw, dict):
        return None
    source = str(raw["from"])
    to = str(raw.get("to") or posixpath.basename(posixpath.normpath(source)))
    return Code(source, to, raw.get("tests"), base)


def relocate(path: str, code: Code | None, copy_dir: str | None) -> str:
    """`path` (absolute) moved into the workspace's copy when it lies under the shipped code."""
    if code is None or copy_dir is None:
        return path
    origin = code.origin
    if path == origin:
        return copy_dir
    if path.startswith(origin.rstrip("/") + "/"):
        return posixpath.join(copy_dir, path[len(origin.rstrip("/")) + 1 :])
    return path


def check_code(profile: Profile, doc: Located) -> list[Problem]:
    """`from` stays inside the profile's folder: init copies it into the workspace, where services reach it."""
    code = profile.code
    if code is None:
        return []
    norm = posixpath.normpath(code.source)
    if code.source.startswith(("/", "~")) or norm == ".." or norm.startswith("../") or "${" in code.source:
        return [
            doc.problem(
                ("code", "from"),
                f"code.from '{code.source}' is outside the profile's folder",
                hint="ship the code in a folder next to the profile, e.g. from: app",
                code="code-outside",
            )
        ]
    return []
