"""The typed profile model, built from a document that already passed the spec."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from devenv.domain.profile.code import Code, code_of
from devenv.domain.profile.watch import WatchRule, watch_rules
from devenv.domain.yamldoc import Located

Command = str | tuple[str, ...]


@dataclass(frozen=True)
class Build:
    context: str
    dockerfile: str | None = None
    args: tuple[tuple[str, str], ...] = ()
    target: str | None = None
    base: str | None = None  # folder relative paths start from when the profile has no repo


@dataclass(frozen=True)
class Healthcheck:
    test: Command
    interval: str | None = None
    timeout: str | None = None
    retries: int | None = None
    start_period: str | None = None


@dataclass(frozen=True)
class Mount:
    source: str
    target: str
    read_only: bool
    named: bool  # a named volume; otherwise a bind mount of a host path
    base: str | None = None
    raw: str = ""


@dataclass(frozen=True)
class Service:
    name: str
    image: str | None = None
    build: Build | None = None
    command: Command | None = None
    entrypoint: Command | None = None
    environment: tuple[tuple[str, str], ...] = ()
    env_file: tuple[str, ...] = ()
    env_file_base: str | None = None
    ports: tuple[str, ...] = ()
    volumes: tuple[Mount, ...] = ()
    healthcheck: Healthcheck | None = None
    links: tuple[str, ...] = ()
    restart_with_links: bool = False
    exports: tuple[tuple[str, str], ...] = ()
    init: bool | None = None
    working_dir: str | None = None
    user: str | None = None
    restart: str | None = None
    profiles: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    stop_grace_period: str | None = None
    privileged: bool = False
    network_mode: str | None = None
    pid: str | None = None
    watch: tuple[WatchRule, ...] = ()


@dataclass(frozen=True)
class Variable:
    name: str
    type: str = "string"
    default: str | int | float | bool | None = None
    help: str = ""
    choices: tuple[str | int | float | bool, ...] = ()
    pattern: str | None = None
    min: int | None = None
    max: int | None = None
    auto: bool = False  # a port: moved to a free one when busy at `up` (usecases/ports.py)

    @property
    def secret(self) -> bool:
        return self.type == "secret"


@dataclass(frozen=True)
class SeedTask:
    service: str
    run: Command
    name: str | None = None
    user: str | None = None


@dataclass(frozen=True)
class HostAccess:
    service: str
    reason: str
    privileged: bool = False
    host_network: bool = False
    host_pid: bool = False
    other_containers: bool = False
    docker_socket: bool = False
    paths: tuple[str, ...] = ()


@dataclass(frozen=True)
class Repo:
    url: str
    branch: str | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    version: str
    description: str = ""
    requires: str | None = None
    repo: Repo | None = None
    variables: dict[str, Variable] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    seed: tuple[SeedTask, ...] = ()
    host_access: dict[str, HostAccess] = field(default_factory=dict)
    parity: dict[str, Any] | None = None
    code: Code | None = None  # the platform's code, shipped with the profile (copied by init)
    files: tuple[str, ...] = ()  # the profile file first, then each profile it extends
    doc: Located | None = field(default=None, compare=False, repr=False)

    @property
    def file(self) -> str:
        return self.files[0] if self.files else "<profile>"


def duration(value: Any) -> str | None:
    if value is None:
        return None
    return f"{value}s" if isinstance(value, int) else str(value)


def scalar_text(value: Any) -> str:
    """Environment values are text; YAML booleans become true/false, not Python's True/False."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def command(value: Any) -> Command | None:
    if value is None:
        return None
    return value if isinstance(value, str) else tuple(str(v) for v in value)


def parse_mount(raw: str, base: str | None) -> Mount:
    """Compose's short syntax: SOURCE:TARGET[:MODE] or TARGET (an anonymous volume)."""
    parts = raw.split(":")
    mode = ""
    if len(parts) >= 3 and parts[-1] in {"ro", "rw", "z", "Z", "ro,z", "ro,Z", "rw,z", "rw,Z"}:
        mode = parts[-1]
        parts = parts[:-1]
    if len(parts) == 1:
        return Mount("", parts[0], False, True, base, raw)
    source, target = ":".join(parts[:-1]), parts[-1]
    named = not (source.startswith((".", "/", "~")) or PurePath(source).is_absolute())
    return Mount(source, target, mode.startswith("ro"), named, None if named else base, raw)


def build_profile(doc: Located, files: tuple[str, ...]) -> Profile:
    """Typed objects from a merged document that passed the spec (shapes are trusted here)."""
    data: dict[str, Any] = doc.value
    has_repo = data.get("repo") is not None

    def base_of(path: tuple[str | int, ...]) -> str | None:
        if has_repo:
            return None
        loc = doc.where(path)
        return str(PurePath(loc.file).parent) if loc else None

    services: dict[str, Service] = {}
    for name, raw in (data.get("services") or {}).items():
        if raw is None:
            continue
        services[name] = _service(name, raw, base_of)
    variables = {
        name: Variable(
            name=name,
            type=raw.get("type", "string"),
            default=raw.get("default"),
            help=raw.get("help", ""),
            choices=tuple(raw.get("choices", ())),
            pattern=raw.get("pattern"),
            min=raw.get("min"),
            max=raw.get("max"),
            auto=bool(raw.get("auto", False)),
        )
        for name, raw in (data.get("variables") or {}).items()
    }
    seed = tuple(
        SeedTask(service=t["service"], run=command(t["run"]) or "", name=t.get("name"), user=t.get("user"))
        for t in data.get("seed") or ()
    )
    host_access = {
        name: HostAccess(
            service=name,
            reason=raw["reason"],
            privileged=raw.get("privileged", False),
            host_network=raw.get("host_network", False),
            host_pid=raw.get("host_pid", False),
            other_containers=raw.get("other_containers", False),
            docker_socket=raw.get("docker_socket", False),
            paths=tuple(raw.get("paths", ())),
        )
        for name, raw in (data.get("host_access") or {}).items()
    }
    repo_raw = data.get("repo")
    repo = None
    if isinstance(repo_raw, str):
        repo = Repo(repo_raw)
    elif isinstance(repo_raw, dict):
        repo = Repo(repo_raw["url"], repo_raw.get("branch"))
    return Profile(
        name=data["name"],
        version=data["version"],
        description=data.get("description", ""),
        requires=data.get("requires"),
        repo=repo,
        variables=variables,
        services=services,
        seed=seed,
        host_access=host_access,
        parity=data.get("parity"),
        code=code_of(data.get("code"), base_of(("code",))),
        files=files,
        doc=doc,
    )


def _service(name: str, raw: dict[str, Any], base_of: Any) -> Service:
    build = None
    raw_build = raw.get("build")
    if isinstance(raw_build, str):
        build = Build(raw_build, base=base_of(("services", name, "build")))
    elif isinstance(raw_build, dict):
        build = Build(
            raw_build["context"],
            dockerfile=raw_build.get("dockerfile"),
            args=tuple((k, scalar_text(v)) for k, v in (raw_build.get("args") or {}).items()),
            target=raw_build.get("target"),
            base=base_of(("services", name, "build")),
        )
    health = None
    raw_health = raw.get("healthcheck")
    if isinstance(raw_health, dict):
        health = Healthcheck(
            test=command(raw_health["test"]) or "",
            interval=duration(raw_health.get("interval")),
            timeout=duration(raw_health.get("timeout")),
            retries=raw_health.get("retries"),
            start_period=duration(raw_health.get("start_period")),
        )
    elif raw_health is not None:
        health = Healthcheck(test=command(raw_health) or "")
    env_file = raw.get("env_file") or ()
    return Service(
        name=name,
        image=raw.get("image"),
        build=build,
        command=command(raw.get("command")),
        entrypoint=command(raw.get("entrypoint")),
        environment=tuple((k, scalar_text(v)) for k, v in (raw.get("environment") or {}).items()),
        env_file=(env_file,) if isinstance(env_file, str) else tuple(env_file),
        env_file_base=base_of(("services", name, "env_file")),
        ports=tuple(str(p) for p in raw.get("ports") or ()),
        volumes=tuple(
            parse_mount(v, base_of(("services", name, "volumes", i))) for i, v in enumerate(raw.get("volumes") or ())
        ),
        healthcheck=health,
        links=tuple(raw.get("links") or ()),
        restart_with_links=bool(raw.get("restart_with_links", False)),
        exports=tuple((k, scalar_text(v)) for k, v in (raw.get("exports") or {}).items()),
        init=raw.get("init"),
        working_dir=raw.get("working_dir"),
        user=raw.get("user"),
        restart=raw.get("restart"),
        profiles=tuple(raw.get("profiles") or ()),
        labels=tuple((k, str(v)) for k, v in (raw.get("labels") or {}).items()),
        stop_grace_period=duration(raw.get("stop_grace_period")),
        privileged=bool(raw.get("privileged", False)),
        network_mode=raw.get("network_mode"),
        pid=raw.get("pid"),
        watch=watch_rules(raw.get("watch"), lambda i: base_of(("services", name, "watch", i))),
    )
