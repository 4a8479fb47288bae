"""Layered settings: platformdirs defaults, then the user's config file, then DEVENV_* variables.

Loaded once by the CLI's root callback and passed down on the context; nothing here runs at import.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from devenv.errors import UserError

APP_NAME = "devenv"


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    cache_dir: Path
    data_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"


@dataclass(frozen=True)
class Settings:
    paths: Paths
    profile_sources: tuple[str, ...] = ()
    default_profile: str | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


def default_paths(env: Mapping[str, str]) -> Paths:
    """platformdirs locations, each overridable by a DEVENV_*_DIR variable (tests point all at a temp dir)."""
    import platformdirs

    def pick(var: str, fallback: str) -> Path:
        value = env.get(var)
        return Path(value).expanduser() if value else Path(fallback)

    return Paths(
        config_dir=pick("DEVENV_CONFIG_DIR", platformdirs.user_config_dir(APP_NAME)),
        cache_dir=pick("DEVENV_CACHE_DIR", platformdirs.user_cache_dir(APP_NAME)),
        data_dir=pick("DEVENV_DATA_DIR", platformdirs.user_data_dir(APP_NAME)),
    )


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if env is None else env
    paths = default_paths(env)
    data: dict[str, object] = {}
    if paths.config_file.is_file():
        try:
            data = tomllib.loads(paths.config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise UserError(
                f"cannot read settings file {paths.config_file}: {exc}",
                hint="fix or remove the file; devenv works without it",
            ) from exc
    sources = data.get("profile_sources", [])
    if not isinstance(sources, list) or not all(isinstance(s, str) for s in sources):
        raise UserError(
            f"{paths.config_file}: profile_sources must be a list of strings",
            hint='e.g. profile_sources = ["~/team-profiles"]',
        )
    env_sources = env.get("DEVENV_PROFILE_SOURCES")
    if env_sources:
        sources = [s for s in env_sources.split(os.pathsep) if s]
    default_profile = env.get("DEVENV_PROFILE") or _optional_str(data.get("default_profile"))
    return Settings(
        paths=paths,
        profile_sources=tuple(sources),
        default_profile=default_profile,
        extra={k: v for k, v in data.items() if k not in {"profile_sources", "default_profile"}},
    )


def _optional_str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
