"""What shell completion offers: the workspace's service names and the profile names.

Both come from files devenv already keeps (the workspace's state.json, the profile sources' folder
listings): no YAML is parsed and no engine is asked, so a completion answers in the time of `--help`."""

from __future__ import annotations

from devenv.context import AppContext
from devenv.usecases.workspace import open_existing


def service_names(ctx: AppContext) -> list[str]:
    """The services of the workspace's rendered stack, in the profile's order."""
    _ws, state = open_existing(ctx)
    return list(state.service_hashes)


def profile_names(ctx: AppContext) -> list[str]:
    """Every profile name `--profile` accepts by name (SOURCE/NAME where a name is in several sources)."""
    return sorted({entry.ref for entry in ctx.profile_files.entries()})
