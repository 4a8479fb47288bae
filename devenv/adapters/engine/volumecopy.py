"""Copying volumes inside the engine, for snapshots: nothing passes through the host.

A copy is a short-lived container of an image the engine already has (the owning service's own image,
so nothing is pulled), run as root with the source mounted read-only at /from and the target at /to; it
runs `cp -a` (ownership, modes, times kept) and reports the copy's size with `du`. The same works on
Docker Desktop, colima and remote engines, where the host cannot see volume folders. The helper carries a
label naming the workspace, so one left behind by a killed devenv is found and removed.
"""

from __future__ import annotations

import struct
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from devenv.errors import EnvironmentProblem

if TYPE_CHECKING:
    from devenv.adapters.engine import Engine
    from devenv.adapters.engine.http import Readable

POLL_SECONDS = 0.1
_COPY = "cp -a /from/. /to/ && du -sk /to"
_REPLACE = "find /to -mindepth 1 -maxdepth 1 -exec rm -rf {} + && " + _COPY


class VolumeCopies:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _request(self, method: str, path: str, query: Mapping[str, str] | None = None, body: Any = None) -> Any:
        return self.engine._transport.request(method, path, query, body)

    def create_volume(self, name: str, labels: Mapping[str, str]) -> None:
        self._request("POST", "/volumes/create", body={"Name": name, "Labels": dict(labels)})

    def image_id(self, ref: str) -> str | None:
        """The id of a local image (by name or id), or None when the engine does not have it."""
        found = self.engine.get(f"/images/{quote(ref, safe='')}/json")
        return str(found.get("Id")) if isinstance(found, dict) else None

    def remove_helpers(self, labels: Mapping[str, str]) -> None:
        """Kill and delete copy containers left behind (a devenv killed while one ran)."""
        for container in self.engine.containers(labels):
            self.engine.remove_container(str(container.get("Id")))

    def copy(
        self,
        image: str,
        source: str,
        target: str,
        *,
        labels: Mapping[str, str],
        replace: bool,
        tick: Callable[[float], None] | None = None,
    ) -> int:
        """Copy volume `source` into volume `target` (emptied first with `replace`); returns the bytes copied.

        Raises EnvironmentProblem when the copy fails (the image has no shell, the disk is full...)."""
        body = {
            "Image": image,
            "Entrypoint": ["/bin/sh", "-c"],
            "Cmd": [_REPLACE if replace else _COPY],
            "User": "0:0",
            "Labels": dict(labels),
            "HostConfig": {"Binds": [f"{source}:/from:ro", f"{target}:/to"], "NetworkMode": "none"},
        }
        created = self._request("POST", "/containers/create", body=body)
        container = str((created or {}).get("Id"))
        started = time.monotonic()
        try:
            self._request("POST", f"/containers/{container}/start")
            while True:
                info = self.engine.inspect(container) or {}
                state = info.get("State") or {}
                if state.get("Status") in ("exited", "dead") or not info:
                    break
                if tick:
                    tick(time.monotonic() - started)
                time.sleep(POLL_SECONDS)
            output = _demux(self._request("GET", f"/containers/{container}/logs", {"stdout": "1", "stderr": "1"}))
        finally:
            self.engine.remove_container(container)
        code = state.get("ExitCode")
        words = output.split()
        if code != 0 or not words or not words[-2 if len(words) > 1 else -1].isdigit():
            raise EnvironmentProblem(
                f"copying volume {source} to {target} failed (exit {code}): {output.strip()[-300:] or 'no output'}",
                hint=f"the copy runs `cp -a` in image {image[:19]}: it needs /bin/sh, cp, find and du, and free disk",
            )
        return int(words[-2]) * 1024

    def read_volume(self, image: str, volume: str, sink: Callable[[bytes], None], labels: Mapping[str, str]) -> None:
        """Stream a volume out of the engine as a tar (members under `data/`), into `sink`."""
        container = self._parked(image, volume, labels)
        try:
            self.engine._transport.stream("GET", f"/containers/{container}/archive", {"path": "/data"}, sink=sink)
        finally:
            self.engine.remove_container(container)

    def write_volume(self, image: str, volume: str, upload: Readable, length: int, labels: Mapping[str, str]) -> None:
        """Unpack a tar made by read_volume into a volume, owners and modes as they were."""
        container = self._parked(image, volume, labels)
        try:
            query = {"path": "/", "copyUIDGID": "1"}
            self.engine._transport.stream(
                "PUT", f"/containers/{container}/archive", query, upload=upload, length=length
            )
        finally:
            self.engine.remove_container(container)

    def _parked(self, image: str, volume: str, labels: Mapping[str, str]) -> str:
        """A container that never runs, only holds the volume at /data for the archive endpoints."""
        body = {
            "Image": image,
            "Entrypoint": ["/bin/true"],
            "Labels": dict(labels),
            "HostConfig": {"Binds": [f"{volume}:/data"], "NetworkMode": "none"},
        }
        return str((self._request("POST", "/containers/create", body=body) or {}).get("Id"))


def _demux(raw: object) -> str:
    """A container's log stream (8-byte frame headers when it has no terminal) as text."""
    if not isinstance(raw, bytes):
        return str(raw or "")
    out = bytearray()
    rest = raw
    while len(rest) >= 8 and rest[0] in (0, 1, 2) and rest[1:4] == b"\0\0\0":
        (size,) = struct.unpack(">I", rest[4:8])
        out += rest[8 : 8 + size]
        rest = rest[8 + size :]
    out += rest
    return out.decode(errors="replace")
