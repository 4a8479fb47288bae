"""What `devenv doctor` learns about an engine on another host: latency, and the disk of that host."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from devenv.domain.doctor.facts import EngineInfo, RemoteEngine
from devenv.errors import DevenvError

if TYPE_CHECKING:
    from devenv.adapters.engine import Engine
    from devenv.adapters.process import ProcessRunner


def remote_facts(engine: Engine, runner: ProcessRunner, info: EngineInfo | None) -> RemoteEngine | None:
    """None for an engine on this machine. Over ssh, the host's free disk comes from `df` at the engine's
    root dir; over tcp it cannot be known (the engine API does not tell)."""
    try:
        endpoint = engine.endpoint
    except DevenvError:  # an unreadable docker context: the engine check reports it
        return None
    if not endpoint.remote:
        return None
    latency = None
    if info is not None:
        try:
            engine.get("/_ping")  # connected (an ssh session is opened once), then timed
            started = time.perf_counter()
            engine.get("/_ping")
            latency = (time.perf_counter() - started) * 1000
        except DevenvError:
            latency = None
    root = info.root_dir if info is not None and info.root_dir else "/var/lib/docker"
    disk_free, disk_path = None, f"{root} on {endpoint.host}"
    if endpoint.url.startswith("ssh://") and info is not None:
        from devenv.adapters.ssh import Ssh, SshTarget

        try:
            out = Ssh(SshTarget.parse(endpoint.url), runner).run(["df", "-Pk", root], timeout=20)
            disk_free = int(out.strip().splitlines()[-1].split()[3]) * 1024
        except (DevenvError, ValueError, IndexError):
            disk_free = None
    return RemoteEngine(endpoint.url, endpoint.source, latency, disk_free, disk_path)
