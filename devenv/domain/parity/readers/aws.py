"""AWS: ECS task definitions (plain, `describe-task-definition` output, a bare containerDefinitions list)
and Elastic Beanstalk Dockerrun.aws.json v1 and v2 (v2's containerDefinitions are ECS-shaped).

Each container definition becomes one workload: containers of one task link to each other like
compose services. ECS `secrets` give their names only; the ARN they point at is not kept either.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devenv.domain.parity.images import parse_image
from devenv.domain.parity.model import (
    Container,
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
    infer_dependencies,
    integer,
    mapping,
    memory_mib,
    sequence,
    text,
)

ExtraEnv = Mapping[str, EnvVar] | None  # environment properties / env files given next to the manifest
NOT_VISIBLE = "env-not-visible"
EB_PROPERTIES = (
    "environment properties are set on the Elastic Beanstalk environment, not in this file: "
    "not visible here (give them with env: or --prod-env)"
)


def is_beanstalk(doc: object) -> bool:
    return isinstance(doc, Mapping) and "AWSEBDockerrunVersion" in doc


def is_ecs(doc: object) -> bool:
    if isinstance(doc, Mapping):
        return "containerDefinitions" in doc or isinstance(doc.get("taskDefinition"), Mapping)
    return (
        isinstance(doc, list)
        and bool(doc)
        and all(isinstance(d, Mapping) and "image" in d and "name" in d for d in doc)
    )


def read_ecs(doc: object, source: str, extra_env: ExtraEnv = None) -> Side:
    try:
        if isinstance(doc, list):
            task: Mapping[str, Any] = {"containerDefinitions": doc}
            at: list[PathPart] = []
        else:
            body = mapping(doc, [])
            at = ["taskDefinition"] if "taskDefinition" in body else []
            task = mapping(body["taskDefinition"], at) if at else body
        return _read_task(task, at, source, "ecs", extra_env)
    except ManifestError as exc:
        exc.source = source
        raise


def read_beanstalk(doc: object, source: str, name: str, extra_env: ExtraEnv = None) -> Side:
    try:
        body = mapping(doc, [])
        version = str(body.get("AWSEBDockerrunVersion")).strip()
        if version == "1":
            return _read_v1(body, source, name, extra_env)
        if version == "2":
            return _read_task(body, [], source, "beanstalk", extra_env)
        raise ManifestError(f"unknown AWSEBDockerrunVersion {version!r} (1 or 2)", ["AWSEBDockerrunVersion"])
    except ManifestError as exc:
        exc.source = source
        raise


def _read_v1(body: Mapping[str, Any], source: str, name: str, extra_env: ExtraEnv) -> Side:
    image = mapping(body.get("Image"), ["Image"]).get("Name")
    ports = [
        Port(int(integer(mapping(p, ["Ports", i]).get("ContainerPort"), ["Ports", i]) or 0))
        for i, p in enumerate(sequence(body.get("Ports"), ["Ports"]))
    ]
    mounts = [
        Mount(
            text(mapping(v, ["Volumes", i]).get("ContainerDirectory"), ["Volumes", i, "ContainerDirectory"]),
            MountKind.HOST,
            str(mapping(v, ["Volumes", i]).get("HostDirectory") or ""),
        )
        for i, v in enumerate(sequence(body.get("Volumes"), ["Volumes"]))
    ]
    container = Container(
        name=name,
        image=parse_image(text(image, ["Image", "Name"])) if image is not None else None,
        entrypoint=command(body.get("Entrypoint"), ["Entrypoint"]),
        command=command(body.get("Command"), ["Command"]),
        env=dict(extra_env or {}),
        env_unresolved=[EB_PROPERTIES] if extra_env is None else [],
        ports=tuple(p for p in ports if p.number),
        mounts=tuple(mounts),
    )
    workload = Workload(name=name, kind="beanstalk", source=source, containers=[container], replicas=None)
    notes = [SourceNote(NOT_VISIBLE, source, f"beanstalk {name}: {EB_PROPERTIES}", name)] if extra_env is None else []
    return Side(workloads=[workload], notes=notes)


def _read_task(task: Mapping[str, Any], at: list[PathPart], source: str, kind: str, extra_env: ExtraEnv) -> Side:
    volumes = _volumes(task, at)
    definitions = sequence(task.get("containerDefinitions"), [*at, "containerDefinitions"])
    family = str(task.get("family") or "")  # names the service when the task runs one container
    side = Side()
    for i, item in enumerate(definitions):
        where: list[PathPart] = [*at, "containerDefinitions", i]
        container, hostname, labels = _container(mapping(item, where), where, volumes, extra_env)
        if kind == "beanstalk" and extra_env is None:
            container.env_unresolved.append(EB_PROPERTIES)
        if container.resources.empty and len(definitions) == 1:
            container.resources = _task_resources(task, at)
        side.notes.extend(
            SourceNote(NOT_VISIBLE, source, f"{kind} container {container.name}: {what}", container.name)
            for what in container.env_unresolved
        )
        side.workloads.append(
            Workload(
                name=container.name,
                kind=kind,
                source=source,
                containers=[container],
                replicas=None,
                labels=labels,
                hostnames=(hostname,) if hostname else (),
                service_names=(family,) if family and len(definitions) == 1 else (),
                dependencies=container.depends_on,
            )
        )
    if not side.workloads:
        raise ManifestError("no containerDefinitions", [*at, "containerDefinitions"])
    infer_dependencies(side.workloads)
    return side


def _volumes(task: Mapping[str, Any], at: list[PathPart]) -> dict[str, MountKind]:
    kinds: dict[str, MountKind] = {}
    for i, item in enumerate(sequence(task.get("volumes"), [*at, "volumes"])):
        volume = mapping(item, [*at, "volumes", i])
        name = str(volume.get("name"))
        host = mapping(volume.get("host"), [*at, "volumes", i, "host"])
        docker = mapping(volume.get("dockerVolumeConfiguration"), [*at, "volumes", i])
        if "efsVolumeConfiguration" in volume or "fsxWindowsFileServerVolumeConfiguration" in volume:
            kinds[name] = MountKind.NETWORK
        elif docker:
            kinds[name] = MountKind.VOLUME if docker.get("scope") == "shared" else MountKind.EPHEMERAL
        elif host.get("sourcePath"):
            kinds[name] = MountKind.HOST
        else:
            kinds[name] = MountKind.EPHEMERAL  # a bind volume with no host path lives as long as the task
    return kinds


def _container(
    spec: Mapping[str, Any], at: list[PathPart], volumes: dict[str, MountKind], extra_env: ExtraEnv
) -> tuple[Container, str | None, dict[str, str]]:
    name = text(spec.get("name"), [*at, "name"])
    env: dict[str, EnvVar] = dict(extra_env or {})
    for i, item in enumerate(sequence(spec.get("environment"), [*at, "environment"])):
        var = mapping(item, [*at, "environment", i])
        key = text(var.get("name"), [*at, "environment", i, "name"])
        value = var.get("value")
        if isinstance(value, Mapping | list):
            raise ManifestError(f"expected a single value, found {type(value).__name__}", [*at, "environment", i])
        env[key] = EnvVar(key, SourceKind.LITERAL, "" if value is None else str(value))
    for i, item in enumerate(sequence(spec.get("secrets"), [*at, "secrets"])):
        var = mapping(item, [*at, "secrets", i])
        key = text(var.get("name"), [*at, "secrets", i, "name"])
        env[key] = EnvVar(key, SourceKind.SECRET, None, _secret_store(str(var.get("valueFrom") or "")))
    unresolved = []
    if extra_env is None:
        for i, item in enumerate(sequence(spec.get("environmentFiles"), [*at, "environmentFiles"])):
            where = mapping(item, [*at, "environmentFiles", i]).get("value")
            unresolved.append(
                f"environment file {where} is not visible here (give a local copy with env: or --prod-env)"
            )
    mounts = []
    for i, item in enumerate(sequence(spec.get("mountPoints"), [*at, "mountPoints"])):
        point = mapping(item, [*at, "mountPoints", i])
        volume = str(point.get("sourceVolume"))
        target = text(point.get("containerPath"), [*at, "mountPoints", i, "containerPath"])
        mounts.append(Mount(target, volumes.get(volume, MountKind.EPHEMERAL), volume))
    cpu = integer(spec.get("cpu"), [*at, "cpu"])
    memory = integer(spec.get("memory"), [*at, "memory"])
    container = Container(
        name=name,
        image=parse_image(text(spec["image"], [*at, "image"])) if spec.get("image") else None,
        entrypoint=command(spec.get("entryPoint"), [*at, "entryPoint"]),
        command=command(spec.get("command"), [*at, "command"]),
        env=env,
        env_unresolved=unresolved,
        ports=tuple(_ports(spec, at)),
        mounts=tuple(mounts),
        resources=Resources(cpu_millis=round(cpu * 1000 / 1024) if cpu else None, memory_mib=memory or None),
        health=_health(spec, at),
        depends_on=tuple(_depends_on(spec, at)),
    )
    hostname = spec.get("hostname")
    labels = {str(k): str(v) for k, v in mapping(spec.get("dockerLabels"), [*at, "dockerLabels"]).items()}
    return container, str(hostname) if hostname else None, labels


def _secret_store(value_from: str) -> str:
    if ":secretsmanager:" in value_from:
        return "secrets manager"
    if ":ssm:" in value_from or value_from.startswith("/"):
        return "ssm parameter"
    return "ecs secret"


def _ports(spec: Mapping[str, Any], at: list[PathPart]) -> list[Port]:
    ports = []
    for i, item in enumerate(sequence(spec.get("portMappings"), [*at, "portMappings"])):
        mapped = mapping(item, [*at, "portMappings", i])
        number = integer(mapped.get("containerPort"), [*at, "portMappings", i, "containerPort"])
        if number:
            ports.append(Port(number, str(mapped.get("protocol") or "tcp").lower()))
    return ports


def _depends_on(spec: Mapping[str, Any], at: list[PathPart]) -> list[str]:
    names: list[str] = []
    for i, link in enumerate(sequence(spec.get("links"), [*at, "links"])):
        names.append(text(link, [*at, "links", i]).split(":", 1)[0])
    for i, item in enumerate(sequence(spec.get("dependsOn"), [*at, "dependsOn"])):
        names.append(text(mapping(item, [*at, "dependsOn", i]).get("containerName"), [*at, "dependsOn", i]))
    return list(dict.fromkeys(names))


def _health(spec: Mapping[str, Any], at: list[PathPart]) -> HealthCheck | None:
    check = mapping(spec.get("healthCheck"), [*at, "healthCheck"])
    argv = command(check.get("command"), [*at, "healthCheck", "command"])
    if not argv:
        return None
    if argv[0] in {"CMD", "CMD-SHELL"}:
        argv = argv[1:]
    return HealthCheck("exec", " ".join(argv))


def _task_resources(task: Mapping[str, Any], at: Sequence[PathPart]) -> Resources:
    """Task-level `cpu` ("1024", "1 vCPU") and `memory` ("2048", "2 GB") for a one-container task."""
    cpu_raw, mem_raw = task.get("cpu"), task.get("memory")
    cpu: int | None = None
    if cpu_raw is not None:
        raw = str(cpu_raw).lower().replace("vcpu", "").strip()
        try:
            cpu = round(float(raw) * 1000) if "vcpu" in str(cpu_raw).lower() else round(int(raw) * 1000 / 1024)
        except ValueError as exc:
            raise ManifestError(f"not a task cpu: {cpu_raw!r}", [*at, "cpu"]) from exc
    memory: int | None = None
    if mem_raw is not None:
        raw = str(mem_raw).strip()
        memory = integer(raw, [*at, "memory"]) if raw.isdigit() else memory_mib(raw.replace(" ", ""), [*at])
    return Resources(cpu_millis=cpu, memory_mib=memory)
