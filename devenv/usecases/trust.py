"""Which profile sources are trusted with host access without asking, and how a profile's origin is named.

Trusted: the profiles shipped with devenv, folders the user registered (`devenv source add NAME FOLDER`:
they wrote them), and git sources whose URL starts with a prefix in the settings' `trusted_sources`
(or DEVENV_TRUSTED_SOURCES, comma-separated). Everything else asks once per content hash.
"""

from __future__ import annotations

from pathlib import Path

from devenv.context import AppContext
from devenv.domain.profile.model import Profile
from devenv.errors import UserError

SETTING = "trusted_sources"


def trusted_prefixes(ctx: AppContext) -> list[str]:
    from_env = ctx.env.get("DEVENV_TRUSTED_SOURCES")
    if from_env is not None:
        return [p.strip() for p in from_env.split(",") if p.strip()]
    value = ctx.settings.extra.get(SETTING, [])
    if not isinstance(value, list) or not all(isinstance(p, str) for p in value):
        raise UserError(
            f"{ctx.settings.paths.config_file}: {SETTING} must be a list of URL prefixes",
            hint=f'e.g. {SETTING} = ["https://github.com/acme/"]',
        )
    return [p for p in value if p]


def trusted(ctx: AppContext, profile: Profile) -> bool:
    """Every file of the profile (with what it extends) comes from a trusted source."""
    return bool(profile.files) and all(_trusted_file(ctx, Path(f)) for f in profile.files)


def _trusted_file(ctx: AppContext, file: Path) -> bool:
    origin = ctx.sources.origin(file)
    if origin is not None:
        return any(origin.source.url.startswith(prefix) for prefix in trusted_prefixes(ctx))
    real = file.resolve()
    folders = [Path(s.url).resolve() for s in ctx.sources.all() if not s.is_git]
    return any(real.is_relative_to(folder) for folder in folders)


def origin_label(ctx: AppContext, profile: Profile) -> str:
    """The profile as the approval prompt names it: `shop 1.0.0 from source team (URL)` for a published one."""
    origin = ctx.sources.origin(Path(profile.file))
    if origin is None:
        return profile.name
    version = f" {origin.version}" if origin.version else f" (commit {origin.commit[:7]})"
    return f"{profile.name}{version} from source {origin.source.name} ({origin.source.url})"
