"""One service of compose's reading -> one profile service, and a note for every key left behind."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from devenv.domain.profile.format import ENV_NAME, NAME
from devenv.domain.profile.fromcompose.locate import Locator
from devenv.domain.profile.fromcompose.paths import Checkout, remote_context
from devenv.domain.profile.fromcompose.report import Note

# keys compose writes into every service of its reading that say nothing by themselves
_SILENT = {"command": None, "entrypoint": None, "networks": {"default": None}}
_HOST_ACCESS = {
    "privileged": "privileged mode",
    "network_mode": "another network namespace",
    "pid": "another process namespace",
    "ipc": "another IPC namespace",
    "cap_add": "extra kernel capabilities",
    "devices": "host devices",
}
_PLAIN = ("init", "working_dir", "user", "stop_grace_period")
_BUILD_KEYS = ("context", "dockerfile", "args", "target")
_HEALTH_KEYS = ("test", "interval", "timeout", "retries", "start_period")
_RESTART = ("no", "always", "on-failure", "unless-stopped")

# (service, container port, host port, the service's only fixed host port?) -> text for the host port
PortName = Callable[..., str]


class ServiceReader:
    def __init__(self, name: str, spec: Mapping[str, Any], checkout: Checkout, where: Locator) -> None:
        self.name = name
        self.spec = spec
        self.checkout = checkout
        self.locator = where
        self.notes: list[Note] = []

    def note(self, key: str | tuple[str | int, ...], message: str, *, dropped: bool = True) -> None:
        path = (key,) if isinstance(key, str) else key
        what = ".".join(["services", self.name, *(str(p) for p in path)])
        self.notes.append(Note(self.locator.where(self.name, *path), what, message, dropped))

    def read(self, port_name: PortName) -> dict[str, Any] | None:
        """The profile service, or None when it cannot run without what was dropped (a note says why)."""
        out: dict[str, Any] = {}
        handled = {"image", "build", "environment", "ports", "volumes", "healthcheck", "depends_on", "restart"}
        handled |= {"profiles", "labels", *_PLAIN}
        if isinstance(self.spec.get("image"), str):
            out["image"] = self.spec["image"]
        if self.spec.get("build") is not None:
            build = self.build(self.spec["build"])
            if build is not None:
                out["build"] = build
            elif "image" not in out:
                self.note("build", "the service has no image and its build cannot be carried over: service left out")
                return None
        for key in ("command", "entrypoint"):
            value = self.spec.get(key)
            if isinstance(value, list) and value:
                out[key] = [str(v) for v in value]
            elif value is not None and value != []:
                self.note(key, f"not carried over: {key} {value!r}")
            handled.add(key)
        env = self.environment()
        if env:
            out["environment"] = env
        ports = [p for i, raw in enumerate(self.spec.get("ports") or []) if (p := self.port(i, raw, port_name))]
        if ports:
            out["ports"] = ports
        volumes = [v for i, raw in enumerate(self.spec.get("volumes") or []) if (v := self.volume(i, raw))]
        if volumes:
            out["volumes"] = volumes
        health = self.healthcheck(self.spec.get("healthcheck"))
        if health is not None:
            out["healthcheck"] = health
        for key in _PLAIN:
            if self.spec.get(key) is not None:
                out[key] = self.spec[key]
        restart = self.spec.get("restart")
        if restart in _RESTART:
            out["restart"] = restart
        elif restart is not None:
            self.note("restart", f"restart '{restart}' is not a profile restart policy ({', '.join(_RESTART)})")
        if self.spec.get("profiles"):
            groups = [str(p) for p in self.spec["profiles"]]
            bad = [g for g in groups if not re.fullmatch(NAME, g)]
            if bad:
                self.note(
                    "profiles",
                    f"optional group '{bad[0]}' is not a profile group name (lower-case letters, "
                    "digits, - and _): service left out, rename the group to keep it",
                )
                return None
            out["profiles"] = groups
        if self.spec.get("labels"):
            out["labels"] = {str(k): str(v) for k, v in self.spec["labels"].items()}
        self.rest(handled)
        return out

    def rest(self, handled: set[str]) -> None:
        for key, value in self.spec.items():
            if key in handled or (key in _SILENT and value == _SILENT[key]):
                continue
            if key in _HOST_ACCESS:
                self.note(key, f"{_HOST_ACCESS[key]} is host access: add it by hand with a host_access grant")
            elif key == "networks":
                self.note(key, "networks other than the stack's default are not carried over")
            else:
                self.note(key, f"profiles have no '{key}'")

    def build(self, build: Mapping[str, Any]) -> dict[str, Any] | None:
        context = str(build.get("context", "."))
        if not remote_context(context):
            placed = self.checkout.place(context)
            if placed is None:
                self.note(("build", "context"), f"build context {context} is outside {self.checkout.root}")
                return None
            context = placed
        out: dict[str, Any] = {"context": context}
        dockerfile = build.get("dockerfile")
        if isinstance(dockerfile, str) and dockerfile != "Dockerfile":
            out["dockerfile"] = dockerfile
        args = {str(k): "" if v is None else str(v) for k, v in (build.get("args") or {}).items()}
        for key in [k for k in args if not re.fullmatch(ENV_NAME, k)]:
            self.note(("build", "args", key), "not a build argument name a profile accepts")
            del args[key]
        if args:
            out["args"] = args
        if build.get("target"):
            out["target"] = str(build["target"])
        for key in build:
            if key not in _BUILD_KEYS:
                self.note(("build", key), f"build option '{key}' is not carried over")
        return out if len(out) > 1 else out["context"]

    def environment(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for key, value in (self.spec.get("environment") or {}).items():
            if value is None:
                self.note(("environment", key), "a value taken from the shell at run time is not carried over")
                continue
            if not re.fullmatch(ENV_NAME, str(key)):
                self.note(("environment", key), "not an environment variable name a profile accepts")
                continue
            out[str(key)] = str(value)
        written = self.locator.value(self.name, "env_file")
        if written is not None:
            self.note("env_file", "the env file's values are written into environment", dropped=False)
        return out

    def port(self, i: int, raw: Mapping[str, Any], port_name: PortName) -> str | None:
        target = raw.get("target")
        if not isinstance(target, int):
            self.note(("ports", i), f"port {raw!r} is not carried over")
            return None
        for key in raw:
            if key not in ("mode", "host_ip", "target", "published", "protocol") or (
                key == "mode" and raw[key] != "ingress"
            ):
                self.note(("ports", i), f"port option '{key}' is not carried over")
        published = str(raw.get("published") or "")
        host_ip = str(raw.get("host_ip") or "")
        text = str(target)
        if published:
            fixed = [p for p in self.spec.get("ports") or [] if str(p.get("published") or "").isdigit()]
            host = port_name(self.name, target, published, only=len(fixed) == 1) if published.isdigit() else published
            text = f"{host}:{target}"
            if host_ip:
                text = f"[{host_ip}]:{text}" if ":" in host_ip else f"{host_ip}:{text}"
        protocol = raw.get("protocol") or "tcp"
        return text if protocol == "tcp" else f"{text}/{protocol}"

    def volume(self, i: int, raw: Mapping[str, Any]) -> str | None:
        kind, target = raw.get("type"), str(raw.get("target", ""))
        mode = ":ro" if raw.get("read_only") else ""
        extra = [k for k in raw if k not in ("type", "source", "target", "read_only", "volume", "bind")]
        extra += [f"volume.{k}" for k in raw.get("volume") or {}]
        extra += [f"bind.{k}" for k, v in (raw.get("bind") or {}).items() if (k, v) != ("create_host_path", True)]
        if kind == "volume":
            source = raw.get("source")
            text = f"{source}:{target}{mode}" if source else target
        elif kind == "bind":
            source = str(raw.get("source", ""))
            placed = self.checkout.place(source)
            if placed is None:
                self.note(
                    ("volumes", i),
                    f"bind mount of {source}, outside {self.checkout.root}, is host access: "
                    "add it by hand with a host_access grant",
                )
                return None
            text = f"{placed}:{target}{mode}"
        else:
            self.note(("volumes", i), f"a {kind} mount is not carried over")
            return None
        for key in extra:
            self.note(("volumes", i), f"mount option '{key}' is not carried over")
        return text

    def healthcheck(self, check: Mapping[str, Any] | None) -> Any:
        if not check:
            return None
        test = check.get("test") or []
        if check.get("disable") or (test and test[0] == "NONE"):
            self.note("healthcheck", "a disabled health check is not carried over (the image's own one applies)")
            return None
        if len(test) == 2 and test[0] == "CMD-SHELL":
            short: Any = str(test[1])
        elif len(test) > 1 and test[0] == "CMD":
            short = [str(t) for t in test[1:]]
        else:
            self.note(("healthcheck", "test"), f"health check test {test!r} is not carried over")
            return None
        out: dict[str, Any] = {"test": short}
        for key in _HEALTH_KEYS[1:]:
            if check.get(key) is not None:
                out[key] = check[key]
        for key in check:
            if key not in _HEALTH_KEYS:
                self.note(("healthcheck", key), f"health check option '{key}' is not carried over")
        missing = [k for k in ("interval", "timeout", "retries") if k not in out]
        if missing:
            self.note(
                "healthcheck",
                f"{', '.join(missing)} not written: devenv's defaults apply (interval 2s, timeout 5s, retries 30)",
                dropped=False,
            )
        return out if len(out) > 1 else short
