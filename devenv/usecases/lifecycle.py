"""`devenv stop`, `restart` and `build`: one part of a stack at a time, under the workspace lock."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from devenv.context import AppContext
from devenv.domain.stack.state import WorkspaceState
from devenv.errors import UserError
from devenv.usecases.workspace import open_existing, prepare

if TYPE_CHECKING:
    from devenv.usecases.building import BuildProgress, LogLine
    from devenv.usecases.up import Progress, UpResult


def known_services(state: WorkspaceState, services: Sequence[str]) -> list[str]:
    """The services named, each checked against the stack (a did-you-mean for a typo)."""
    import difflib

    for service in services:
        if service not in state.service_hashes:
            close = difflib.get_close_matches(service, list(state.service_hashes), n=1)
            raise UserError(
                f"no service '{service}' in this stack",
                hint=f"did you mean '{close[0]}'?" if close else f"services: {', '.join(state.service_hashes)}",
            )
    return list(dict.fromkeys(services))


def stop(ctx: AppContext, services: Sequence[str]) -> list[str]:
    """Stop the services' containers (all of them by default); containers, data and images are kept."""
    from devenv.usecases.data import compose_or_fail

    ws, state = open_existing(ctx)
    named = known_services(state, services)
    with ws.lock("stop"):
        prep = prepare(ctx, profile_ref=None, sets={})
        compose_or_fail(ctx, prep.files, ["stop", *named])
    return named or list(state.service_hashes)


def restart(
    ctx: AppContext, services: Sequence[str], *, timeout: float = 300.0, progress: Progress | None = None
) -> UpResult:
    """Stop the services, then bring them back as `up` does: their links first, waiting until healthy."""
    from devenv.usecases.data import compose_or_fail
    from devenv.usecases.up import converge

    started = time.monotonic()
    ws, state = open_existing(ctx)
    named = known_services(state, services)
    with ws.lock("restart"):
        prep = prepare(ctx, profile_ref=None, sets={})
        if progress:
            progress("stopping " + (", ".join(named) or "the stack"), {})
        compose_or_fail(ctx, prep.files, ["stop", *named])
        result = converge(ctx, prep, services=named or None, timeout=timeout, progress=progress)
    result.seconds = time.monotonic() - started
    return result


@dataclass
class BuildResult:
    built: list[str]
    seconds: float


def build(
    ctx: AppContext, services: Sequence[str], *, verbose: LogLine | None = None, progress: BuildProgress | None = None
) -> BuildResult:
    """Build the images of the services that have a `build:` (all of them by default), even if unchanged.

    What `up` recorded as built is left alone: a running container keeps its old image until `up`, whose
    own build step then finds every layer cached and replaces the container."""
    from devenv.usecases.building import build_images

    started = time.monotonic()
    ws, state = open_existing(ctx)
    named = known_services(state, services)
    with ws.lock("build"):
        prep = prepare(ctx, profile_ref=None, sets={})
        contexts = prep.state.contexts
        unbuilt = [n for n in named if n not in contexts]
        if unbuilt:
            raise UserError(
                f"service '{unbuilt[0]}' has no build: it runs an image",
                hint=f"services with a build: {', '.join(contexts) or 'none'}",
            )
        wanted = named or sorted(contexts)
        if not wanted:
            raise UserError("no service of this stack has a build:", hint="its images are pulled, not built")
        build_images(ctx, prep.files, wanted, verbose=verbose, progress=progress)
    return BuildResult(wanted, time.monotonic() - started)
