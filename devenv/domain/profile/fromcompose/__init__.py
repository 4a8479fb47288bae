"""A profile from compose files: what `docker compose config` made of them, turned into profile concepts.

Pure: the use case hands in compose's own reading of the files (merged, interpolated, includes and
extends resolved) and the files as written (for `file:line` in the report); nothing here reads a file.
"""

from devenv.domain.profile.fromcompose.convert import Generated, convert
from devenv.domain.profile.fromcompose.locate import Locator
from devenv.domain.profile.fromcompose.report import Note

__all__ = ["Generated", "Locator", "Note", "convert"]
