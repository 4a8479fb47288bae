"""`devenv source ...`: register, list, forget and refresh the places profiles come from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devenv.adapters.profile_files import SHIPPED, shipped_profiles_dir
from devenv.adapters.sources import Source, kind_of
from devenv.context import AppContext
from devenv.domain.sources.refs import NAME
from devenv.errors import UserError


@dataclass(frozen=True)
class SourceRow:
    name: str
    kind: str  # shipped, folder, git, settings (a folder listed in settings' profile_sources)
    url: str
    signed: bool = False


def add(ctx: AppContext, name: str, url: str, *, allowed_signers: Path | None = None) -> Source:
    """Register a source; a git source is cloned first, so a bad URL leaves nothing registered."""
    store = ctx.sources
    if not NAME.match(name) or name == SHIPPED:
        raise UserError(
            f"'{name}' cannot name a source",
            hint=f"use lower-case letters, digits, '-', '_' or '.' (and not '{SHIPPED}')",
        )
    if store.get(name) is not None:
        raise UserError(f"a source named '{name}' exists already", hint=f"`devenv source remove {name}` first")
    kind = kind_of(url)
    if kind == "folder":
        folder = (ctx.cwd / url).expanduser().resolve()
        if not folder.is_dir():
            raise UserError(
                f"{url} is neither a folder nor a git URL",
                hint="give a folder of profiles, or a git URL: https://..., ssh://..., git@host:path, file://...",
            )
        url = str(folder)
    signers = None
    if allowed_signers is not None:
        if kind != "git":
            raise UserError("only a git source can require signatures", hint="drop --allowed-signers")
        signers_file = (ctx.cwd / allowed_signers).expanduser().resolve()
        if not signers_file.is_file():
            raise UserError(
                f"allowed-signers file {allowed_signers} does not exist",
                hint='one line per signer: `EMAIL namespaces="git" ssh-ed25519 AAAA...` (see ssh-keygen(1))',
            )
        signers = str(signers_file)
    source = Source(name, url, kind, signers)
    if source.is_git:
        store.forget(source)  # what an earlier source of this name left in the cache
        try:
            store.fetch(source)
        except BaseException:
            store.forget(source)
            raise
    store.save([*store.all(), source])
    return source


def listing(ctx: AppContext) -> list[SourceRow]:
    rows = [SourceRow(SHIPPED, "shipped", str(shipped_profiles_dir()))]
    rows += [SourceRow(s.name, s.kind, s.url, bool(s.allowed_signers)) for s in ctx.sources.all()]
    rows += [SourceRow(Path(f).name, "settings", f) for f in ctx.settings.profile_sources]
    return rows


def remove(ctx: AppContext, name: str) -> Source:
    store = ctx.sources
    source = _known(ctx, name)
    store.save([s for s in store.all() if s.name != name])
    store.forget(source)
    return source


def refresh(ctx: AppContext, name: str | None) -> list[tuple[Source, dict[str, list[str]]]]:
    """Fetch git sources (one, or all): returns each with its published versions by profile."""
    store = ctx.sources
    chosen = [_known(ctx, name)] if name else store.all()
    done = []
    for source in chosen:
        if source.is_git:
            store.fetch(source)
        done.append((source, store.versions(source)))
    return done


def _known(ctx: AppContext, name: str) -> Source:
    source = ctx.sources.get(name)
    if source is None:
        names = ", ".join(s.name for s in ctx.sources.all()) or "none yet"
        raise UserError(f"no source named '{name}'", hint=f"registered sources: {names} (`devenv source list`)")
    return source
