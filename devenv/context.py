"""The one typed context object, built by the CLI's root callback and passed down to use cases.

Adapters are created on first use, so a command only pays for what it touches (`status` never imports
questionary; `--help` imports none of docker, yaml or questionary).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from devenv.settings import Settings, load_settings

if TYPE_CHECKING:
    from rich.console import Console

    from devenv.adapters.approvals import Approvals
    from devenv.adapters.compose import Compose
    from devenv.adapters.engine import Engine
    from devenv.adapters.hostports import HostPorts
    from devenv.adapters.process import ProcessRunner
    from devenv.adapters.profile_files import ProfileFiles
    from devenv.adapters.registry import WorkspaceRegistry
    from devenv.adapters.sources import SourceStore
    from devenv.adapters.system import System
    from devenv.adapters.workspace import Workspace
    from devenv.domain.profile.hostaccess import Grant


@dataclass
class AppContext:
    settings: Settings
    cwd: Path
    env: Mapping[str, str]
    debug: bool = False
    workspace_override: Path | None = None
    interactive: bool = field(default_factory=lambda: sys.stdin.isatty() and sys.stdout.isatty())
    # host access a profile declares: approved by --trust-host-access, else asked (None: no one to ask)
    trust_host_access: bool = False
    confirm_host_access: Callable[[str, list[Grant]], bool] | None = None
    # secret values this command has seen: never printed (the runner's --debug echo and the error handler
    # replace them); use cases that read secrets add to it
    secrets: set[str] = field(default_factory=set)

    @classmethod
    def from_environment(cls, *, debug: bool = False, workspace: Path | None = None) -> AppContext:
        env = dict(os.environ)
        return cls(
            settings=load_settings(env),
            cwd=Path.cwd(),
            env=env,
            debug=debug or env.get("DEVENV_DEBUG") == "1",
            workspace_override=workspace,
        )

    def use_docker_context(self, name: str) -> None:
        """`--context NAME`: devenv, docker and compose all use this docker context (as `docker --context`,
        it wins over DOCKER_HOST). Called before any adapter is built."""
        env = {k: v for k, v in self.env.items() if k != "DOCKER_HOST"}
        env["DOCKER_CONTEXT"] = name
        self.env = env

    @cached_property
    def console(self) -> Console:
        from rich.console import Console

        return Console(highlight=False)

    @cached_property
    def err_console(self) -> Console:
        from rich.console import Console

        return Console(stderr=True, highlight=False)

    @cached_property
    def runner(self) -> ProcessRunner:
        from devenv.adapters.process import ProcessRunner

        return ProcessRunner(env=dict(self.env), echo=self.debug, secrets=self.secrets)

    @cached_property
    def compose(self) -> Compose:
        from devenv.adapters.compose import Compose

        return Compose(self.runner, forwarded=self.engine.forwarded_socket)

    @cached_property
    def engine(self) -> Engine:
        """The one engine client (stdlib HTTP; the docker SDK only for TLS/ssh endpoints)."""
        from devenv.adapters.engine import Engine

        return Engine(self.env, debug=self.debug)

    @cached_property
    def host_ports(self) -> HostPorts:
        """This machine's TCP ports: free or not, and which process holds one (up's port check)."""
        from devenv.adapters.hostports import HostPorts

        return HostPorts()

    @cached_property
    def system(self) -> System:
        from devenv.adapters.system import System

        return System(self.runner)

    @cached_property
    def profile_files(self) -> ProfileFiles:
        """Where profiles are found and read: the user's sources, then the ones shipped with devenv."""
        from devenv.adapters.profile_files import ProfileFiles, shipped_profiles_dir
        from devenv.adapters.sources import pinned_file

        sources = [Path(s).expanduser() for s in self.settings.profile_sources]
        registered = {self.sources.folder(s): s.name for s in self.sources.all()}
        return ProfileFiles(
            [*sources, *registered, shipped_profiles_dir()],
            self.cwd,
            names=registered,
            pinned=lambda source, name, version: pinned_file(self.sources, source, name, version),
        )

    @cached_property
    def sources(self) -> SourceStore:
        """The registered profile sources (`devenv source add`) and their caches."""
        from devenv.adapters.git import Git
        from devenv.adapters.sources import SourceStore

        return SourceStore(self.settings.paths.config_dir, self.settings.paths.cache_dir, Git(self.runner))

    @cached_property
    def approvals(self) -> Approvals:
        """The user's host-access approvals (in devenv's data folder); tests may assign their own."""
        from devenv.adapters.approvals import Approvals

        return Approvals(self.settings.paths.data_dir)

    @cached_property
    def workspaces(self) -> WorkspaceRegistry:
        """This machine's workspaces (a list in devenv's data folder), for `devenv ls`."""
        from devenv.adapters.registry import WorkspaceRegistry

        return WorkspaceRegistry(self.settings.paths.data_dir)

    def workspace_at(self, root: Path) -> Workspace:
        """The workspace adapter for a folder: use cases get workspaces only from here (tests may swap it)."""
        from devenv.adapters.workspace import Workspace

        return Workspace(root)

    def find_workspace(self, start: Path) -> Workspace | None:
        """The nearest workspace at or above `start` (a folder holding .devenv/state.json), if any."""
        from devenv.adapters.workspace import find_workspace

        found = find_workspace(start)
        return None if found is None else self.workspace_at(found.root)
