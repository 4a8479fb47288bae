"""Compose files: a production compose file (with `deploy:` for `docker stack deploy`) and the dev side.

The dev side is always a plain compose document. In one devenv renders, secret values never appear:
a secret reads `${DEVENV_SECRET_<NAME>}`, so such a reference is source kind "secret". Any other
`${VAR}` is filled in from outside when compose runs: source kind "external", value unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from devenv.domain.parity.images import ImageRef, parse_image
from devenv.domain.parity.model import (
    Container,
    EnvFile,
    EnvVar,
    HealthCheck,
    Mount,
    MountKind,
    Port,
    Resources,
    Side,
    SourceKind,
    SourceNote,
    Workload,
)
from devenv.domain.parity.readers.common import (
    ManifestError,
    PathPart,
    command,
    cpu_millis,
    infer_dependencies,
    integer,
    mapping,
    memory_mib,
    sequence,
    text,
)

SECRET_PREFIX = "DEVENV_SECRET_"
_NAME = r"[A-Za-z_][A-Za-z0-9_]*"
_REFERENCE = re.compile(rf"(?<!\$)\$(\{{(?P<braced>{_NAME})[^}}]*\}}|(?P<bare>{_NAME}))")
_HOST_SOURCE = re.compile(r"^(\.|/|~|\$)")


def is_compose(doc: object) -> bool:
    return isinstance(doc, Mapping) and isinstance(doc.get("services"), Mapping) and "apiVersion" not in doc


def env_file_paths(doc: Mapping[str, Any]) -> list[str]:
    """Every env_file a compose document names, as written, for the loader to read first."""
    paths: list[str] = []
    for spec in mapping(doc.get("services"), ["services"]).values():
        if isinstance(spec, Mapping):
            paths.extend(path for path, _ in _env_file_entries(spec.get("env_file")))
    return list(dict.fromkeys(paths))


def build_contexts(doc: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Per service that builds: (context, dockerfile) as written, for the loader to read the FROM line."""
    found: dict[str, tuple[str, str]] = {}
    for name, spec in mapping(doc.get("services"), ["services"]).items():
        if not isinstance(spec, Mapping) or "build" not in spec:
            continue
        build = spec["build"]
        if isinstance(build, str):
            found[str(name)] = (build, "Dockerfile")
        elif isinstance(build, Mapping):
            found[str(name)] = (str(build.get("context", ".")), str(build.get("dockerfile", "Dockerfile")))
    return found


def read_compose(
    doc: object,
    source: str,
    *,
    env_files: Mapping[str, EnvFile | None] | None = None,
    base_images: Mapping[str, ImageRef | None] | None = None,
) -> Side:
    try:
        body = mapping(doc, [])
        services = mapping(body.get("services"), ["services"])
        named_volumes = mapping(body.get("volumes"), ["volumes"])
        side = Side(sources=[source])
        for name, spec in services.items():
            where: list[PathPart] = ["services", str(name)]
            context = (named_volumes, env_files or {})
            workload = _workload(str(name), mapping(spec, where), where, source, context)
            workload.main.base_image = (base_images or {}).get(str(name))
            side.workloads.append(workload)
            side.notes.extend(
                SourceNote("env-unresolved", source, f"service {name}: {what}", str(name))
                for what in workload.main.env_unresolved
            )
        infer_dependencies(side.workloads)
        return side
    except ManifestError as exc:
        exc.source = source
        raise


def _image(spec: Mapping[str, Any], at: list[PathPart]) -> ImageRef | None:
    """The image a service runs; for one devenv builds, the name its profile declares (a label)."""
    if spec.get("image"):
        return parse_image(text(spec["image"], [*at, "image"]))
    labels = spec.get("labels")
    declared = labels.get("devenv.image") if isinstance(labels, Mapping) else None
    return parse_image(str(declared)) if declared else None


def _workload(
    name: str,
    spec: Mapping[str, Any],
    at: list[PathPart],
    source: str,
    context: tuple[Mapping[str, Any], Mapping[str, EnvFile | None]],
) -> Workload:
    named_volumes, env_files = context
    deploy = mapping(spec.get("deploy"), [*at, "deploy"])
    env, unresolved = _env(spec, at, env_files)
    container = Container(
        name=str(spec.get("container_name") or name),
        image=_image(spec, at),
        built="build" in spec,
        entrypoint=command(spec.get("entrypoint"), [*at, "entrypoint"]),
        command=command(spec.get("command"), [*at, "command"]),
        env=env,
        env_unresolved=unresolved,
        ports=tuple(dict.fromkeys(_ports(spec, at))),
        mounts=tuple(_mounts(spec, at, named_volumes)),
        resources=_resources(spec, deploy, at),
        health=_health(spec, at),
        depends_on=tuple(_depends_on(spec, at)),
    )
    labels = {
        **_labels(spec.get("labels"), [*at, "labels"]),
        **_labels(deploy.get("labels"), [*at, "deploy"]),
    }
    replicas = integer(deploy.get("replicas", spec.get("scale")), [*at, "deploy", "replicas"])
    network_mode = spec.get("network_mode")
    return Workload(
        name=name,
        kind="compose",
        source=source,
        containers=[container],
        replicas=1 if replicas is None else replicas,
        per_node=deploy.get("mode") == "global",
        labels=labels,
        hostnames=(str(spec["hostname"]),) if spec.get("hostname") else (),
        dependencies=container.depends_on,
        networks=(f"mode:{network_mode}",) if network_mode else tuple(_networks(spec, at)),
    )


def _labels(value: object, at: list[PathPart]) -> dict[str, str]:
    if isinstance(value, list):
        pairs = (str(item).partition("=") for item in value)
        return {k: v for k, _, v in pairs}
    return {str(k): "" if v is None else str(v) for k, v in mapping(value, at).items()}


def _env_file_entries(value: object) -> Iterator[tuple[str, bool]]:
    """(path, required) for each env_file entry: a string, a list of strings, or {path, required}."""
    items: list[object] = [value] if isinstance(value, str) else (value if isinstance(value, list) else [])
    for item in items:
        if isinstance(item, str):
            yield item, True
        elif isinstance(item, Mapping) and item.get("path"):
            yield str(item["path"]), bool(item.get("required", True))


def _env(
    spec: Mapping[str, Any], at: list[PathPart], env_files: Mapping[str, EnvFile | None]
) -> tuple[dict[str, EnvVar], list[str]]:
    env: dict[str, EnvVar] = {}
    unresolved: list[str] = []
    for path, required in _env_file_entries(spec.get("env_file")):
        found = env_files.get(path)
        if found is None:
            if required:
                unresolved.append(f"env_file {path} could not be read; its keys are unknown")
            continue
        env.update(found.env_vars())
    raw = spec.get("environment")
    if isinstance(raw, list):
        pairs: list[tuple[str, object]] = []
        for i, item in enumerate(raw):
            key, sep, value = text(item, [*at, "environment", i]).partition("=")
            pairs.append((key, value if sep else None))
    else:
        pairs = [(str(k), v) for k, v in mapping(raw, [*at, "environment"]).items()]
        for name, given in pairs:
            if isinstance(given, Mapping | list):
                raise ManifestError(
                    f"expected a single value, found {type(given).__name__}", [*at, "environment", name]
                )
    for name, given in pairs:
        env[name] = _env_var(name, given)
    return env, unresolved


def _env_var(key: str, value: object) -> EnvVar:
    if value is None:
        return EnvVar(key, SourceKind.EXTERNAL, None, "from the shell")
    raw = str(value).lower() if isinstance(value, bool) else str(value)
    names = [m.group("braced") or m.group("bare") for m in _REFERENCE.finditer(raw)]
    if any(n.startswith(SECRET_PREFIX) for n in names):
        return EnvVar(key, SourceKind.SECRET, None, "devenv secret")
    if names:
        return EnvVar(key, SourceKind.EXTERNAL, None, "${" + names[0] + "}")
    return EnvVar(key, SourceKind.LITERAL, raw.replace("$$", "$"))


def _ports(spec: Mapping[str, Any], at: list[PathPart]) -> Iterator[Port]:
    for i, item in enumerate(sequence(spec.get("ports"), [*at, "ports"])):
        if isinstance(item, Mapping):
            target = integer(item.get("target"), [*at, "ports", i, "target"])
            if target:
                yield Port(target, str(item.get("protocol") or "tcp"))
            continue
        yield from _short_ports(text(item, [*at, "ports", i]), [*at, "ports", i])
    for i, item in enumerate(sequence(spec.get("expose"), [*at, "expose"])):
        yield from _short_ports(text(item, [*at, "expose", i]), [*at, "expose", i])


def _short_ports(raw: str, at: list[PathPart]) -> Iterator[Port]:
    """`[ip:][host:]container[/proto]`, container may be a range `8000-8002`."""
    spec, _, proto = raw.partition("/")
    container = spec.rsplit(":", 1)[-1]
    if "$" in container:
        return  # interpolated: compose fills it in; nothing to compare
    low, _, high = container.partition("-")
    first = integer(low, at) or 0
    last = integer(high, at) if high else first
    if last is None or last - first > 100:
        raise ManifestError(f"port range {raw!r} is too wide to compare", at)
    for number in range(first, last + 1):
        yield Port(number, proto or "tcp")


def _mounts(spec: Mapping[str, Any], at: list[PathPart], named_volumes: Mapping[str, Any]) -> Iterator[Mount]:
    for i, item in enumerate(sequence(spec.get("volumes"), [*at, "volumes"])):
        if isinstance(item, Mapping):
            kind = str(item.get("type") or "volume")
            target = text(item.get("target"), [*at, "volumes", i, "target"])
            source = str(item.get("source") or "")
            if kind == "bind":
                yield Mount(target, MountKind.HOST, source)
            elif kind == "volume" and source:
                yield Mount(target, MountKind.VOLUME, source)
            else:
                yield Mount(target, MountKind.EPHEMERAL, source)
            continue
        parts = text(item, [*at, "volumes", i]).split(":")
        if len(parts) == 1:  # an anonymous volume: gone when the container is recreated
            yield Mount(parts[0], MountKind.EPHEMERAL)
        elif _HOST_SOURCE.match(parts[0]) and parts[0] not in named_volumes:
            yield Mount(parts[1], MountKind.HOST, parts[0])
        else:
            yield Mount(parts[1], MountKind.VOLUME, parts[0])
    tmpfs = spec.get("tmpfs")
    for item in [tmpfs] if isinstance(tmpfs, str) else sequence(tmpfs, [*at, "tmpfs"]):
        yield Mount(str(item).split(":", 1)[0], MountKind.EPHEMERAL, "tmpfs")


def _resources(spec: Mapping[str, Any], deploy: Mapping[str, Any], at: list[PathPart]) -> Resources:
    limits = mapping(mapping(deploy.get("resources"), [*at, "deploy", "resources"]).get("limits"), at)
    cpus = limits.get("cpus", spec.get("cpus"))
    memory = limits.get("memory", spec.get("mem_limit"))
    return Resources(
        cpu_millis=cpu_millis(cpus, [*at, "deploy", "resources", "limits", "cpus"]),
        memory_mib=memory_mib(memory, [*at, "deploy", "resources", "limits", "memory"], docker_units=True),
    )


def _health(spec: Mapping[str, Any], at: list[PathPart]) -> HealthCheck | None:
    check = mapping(spec.get("healthcheck"), [*at, "healthcheck"])
    if not check or check.get("disable"):
        return None
    test = check.get("test")
    argv = command(test, [*at, "healthcheck", "test"]) if not isinstance(test, str) else ("CMD-SHELL", test)
    if not argv or argv[0] == "NONE":
        return None
    if argv[0] in {"CMD", "CMD-SHELL"}:
        argv = argv[1:]
    return HealthCheck("exec", " ".join(argv))


def _depends_on(spec: Mapping[str, Any], at: list[PathPart]) -> list[str]:
    raw = spec.get("depends_on")
    names = [str(k) for k in raw] if isinstance(raw, Mapping) else [str(n) for n in sequence(raw, at)]
    for i, link in enumerate(sequence(spec.get("links"), [*at, "links"])):
        names.append(text(link, [*at, "links", i]).split(":", 1)[0])
    return list(dict.fromkeys(names))


def _networks(spec: Mapping[str, Any], at: list[PathPart]) -> Iterator[str]:
    raw = spec.get("networks")
    if raw is None:
        yield "default"
    elif isinstance(raw, Mapping):
        yield from (str(k) for k in raw)
    else:
        yield from (str(n) for n in sequence(raw, [*at, "networks"]))
