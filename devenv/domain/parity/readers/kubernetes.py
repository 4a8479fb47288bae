"""Kubernetes manifests (multi-document YAML, whole folders, `kubectl get -o yaml` lists, `helm template`).

Workloads: Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, Pod. Services attach their
names and target ports to the workloads they select; ConfigMaps resolve `configMapKeyRef` and
`envFrom`; Secrets give their keys only: their data is never decoded, never stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
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
    cpu_millis,
    infer_dependencies,
    integer,
    mapping,
    memory_mib,
    sequence,
    text,
)

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod")
KNOWN_KINDS = frozenset({*WORKLOAD_KINDS, "Service", "ConfigMap", "Secret", "List"})


@dataclass(frozen=True)
class Document:
    source: str
    index: int
    body: Mapping[str, Any]


def is_kubernetes(doc: object) -> bool:
    return isinstance(doc, Mapping) and isinstance(doc.get("kind"), str) and "apiVersion" in doc


@dataclass
class _Catalog:
    config_maps: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    secrets: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # keys only
    services: list[Document] = field(default_factory=list)


def read_kubernetes(documents: Sequence[Document]) -> Side:
    docs = list(_flatten(documents))
    catalog = _Catalog()
    for doc in docs:
        with _located(doc):
            _catalogue(doc, catalog)
    side = Side()
    placed: list[tuple[Workload, str]] = []
    for doc in docs:
        if doc.body.get("kind") in WORKLOAD_KINDS:
            with _located(doc):
                workload = _workload(doc, catalog, side.notes)
            side.workloads.append(workload)
            placed.append((workload, _namespace(doc.body)))
    for doc in catalog.services:
        with _located(doc):
            _attach_service(doc, placed)
    infer_dependencies(side.workloads)
    return side


@contextmanager
def _located(doc: Document) -> Iterator[None]:
    """Pin a ManifestError raised while reading `doc` to its file and document number."""
    try:
        yield
    except ManifestError as exc:
        exc.source, exc.doc_index = doc.source, doc.index
        raise


def _flatten(documents: Sequence[Document]) -> Iterator[Document]:
    for doc in documents:
        if doc.body.get("kind") == "List":
            for item in sequence(doc.body.get("items"), ["items"]):
                if isinstance(item, Mapping):
                    yield Document(doc.source, doc.index, item)
        else:
            yield doc


def _namespace(body: Mapping[str, Any]) -> str:
    meta = mapping(body.get("metadata"), ["metadata"])
    return str(meta.get("namespace") or "default")


def _name(body: Mapping[str, Any]) -> str:
    meta = mapping(body.get("metadata"), ["metadata"])
    return text(meta.get("name"), ["metadata", "name"])


def _catalogue(doc: Document, catalog: _Catalog) -> None:
    kind = doc.body.get("kind")
    if kind == "ConfigMap":
        data = mapping(doc.body.get("data"), ["data"])
        catalog.config_maps[(_namespace(doc.body), _name(doc.body))] = {
            str(k): "" if v is None else str(v) for k, v in data.items()
        }
    elif kind == "Secret":
        # Keys only: `data` stays base64 and is dropped here, never decoded.
        data = mapping(doc.body.get("data"), ["data"])
        keys = [*data, *mapping(doc.body.get("stringData"), ["stringData"])]
        catalog.secrets[(_namespace(doc.body), _name(doc.body))] = sorted({str(k) for k in keys})
    elif kind == "Service":
        catalog.services.append(doc)


_TEMPLATE_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": (),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
}


def _pod_template(body: Mapping[str, Any]) -> tuple[Mapping[str, Any], list[PathPart]]:
    """The pod template (for a Pod, the Pod itself) and where it sits in the document."""
    path = _TEMPLATE_PATHS.get(str(body["kind"]), ("spec", "template"))
    node: Mapping[str, Any] = body
    for depth, key in enumerate(path):
        node = mapping(node.get(key), path[: depth + 1])
    return node, list(path)


def _workload(doc: Document, catalog: _Catalog, notes: list[SourceNote]) -> Workload:
    body = doc.body
    kind = str(body["kind"])
    name = _name(body)
    template, at = _pod_template(body)
    pod = mapping(template.get("spec"), [*at, "spec"])
    labels = {
        **_labels(mapping(body.get("metadata"), ["metadata"]).get("labels")),
        **_labels(mapping(template.get("metadata"), [*at, "metadata"]).get("labels")),
    }
    volumes = _volumes(pod, body, [*at, "spec"])
    containers = [
        _container(item, [*at, "spec", "containers", i], volumes, catalog, _namespace(body))
        for i, item in enumerate(sequence(pod.get("containers"), [*at, "spec", "containers"]))
    ]
    if not containers:
        raise ManifestError(f"{kind} {name} has no containers", [*at, "spec", "containers"])
    for container in containers:
        notes.extend(
            SourceNote("env-not-visible", doc.source, f"{kind}/{name}: {what}", name)
            for what in container.env_unresolved
        )
    return Workload(
        name=name,
        kind=kind,
        source=doc.source,
        containers=containers,
        replicas=_replicas(body),
        per_node=kind == "DaemonSet",
        labels=labels,
    )


def _labels(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in mapping(value, ["metadata", "labels"]).items()}


def _replicas(body: Mapping[str, Any]) -> int | None:
    spec = mapping(body.get("spec"), ["spec"])
    kind = body["kind"]
    if kind == "DaemonSet":
        return None
    if kind in {"Deployment", "StatefulSet", "ReplicaSet"}:
        found = integer(spec.get("replicas"), ["spec", "replicas"])
        return 1 if found is None else found
    if kind == "Job":
        return integer(spec.get("parallelism"), ["spec", "parallelism"]) or 1
    return 1


def _volumes(pod: Mapping[str, Any], body: Mapping[str, Any], at: list[PathPart]) -> dict[str, MountKind]:
    kinds: dict[str, MountKind] = {}
    for i, item in enumerate(sequence(pod.get("volumes"), [*at, "volumes"])):
        volume = mapping(item, [*at, "volumes", i])
        kinds[str(volume.get("name"))] = _volume_kind(volume)
    claims = mapping(body.get("spec"), ["spec"]).get("volumeClaimTemplates")
    for i, item in enumerate(sequence(claims, ["spec", "volumeClaimTemplates"])):
        meta = mapping(mapping(item, ["spec", "volumeClaimTemplates", i]).get("metadata"), [])
        kinds[str(meta.get("name"))] = MountKind.CLAIM
    return kinds


def _volume_kind(volume: Mapping[str, Any]) -> MountKind:
    if "persistentVolumeClaim" in volume:
        return MountKind.CLAIM
    if "hostPath" in volume:
        return MountKind.HOST
    if "emptyDir" in volume or "ephemeral" in volume:
        return MountKind.EPHEMERAL
    if any(k in volume for k in ("configMap", "secret", "projected", "downwardAPI")):
        return MountKind.CONFIG
    return MountKind.NETWORK  # nfs, csi, awsElasticBlockStore, ...: storage outside the pod


def _container(
    value: object, at: list[PathPart], volumes: dict[str, MountKind], catalog: _Catalog, namespace: str
) -> Container:
    spec = mapping(value, at)
    name = text(spec.get("name"), [*at, "name"])
    env, unresolved = _env(spec, at, catalog, namespace)
    mounts = []
    for i, item in enumerate(sequence(spec.get("volumeMounts"), [*at, "volumeMounts"])):
        mount = mapping(item, [*at, "volumeMounts", i])
        volume = str(mount.get("name"))
        target = text(mount.get("mountPath"), [*at, "volumeMounts", i, "mountPath"])
        mounts.append(Mount(target, volumes.get(volume, MountKind.NETWORK), volume))
    limits = mapping(mapping(spec.get("resources"), [*at, "resources"]).get("limits"), [*at, "resources"])
    image = spec.get("image")
    return Container(
        name=name,
        image=parse_image(text(image, [*at, "image"])) if image is not None else None,
        entrypoint=command(spec.get("command"), [*at, "command"]),
        command=command(spec.get("args"), [*at, "args"]),
        env=env,
        env_unresolved=unresolved,
        ports=tuple(_ports(spec, at)),
        mounts=tuple(mounts),
        resources=Resources(
            cpu_millis=cpu_millis(limits.get("cpu"), [*at, "resources", "limits", "cpu"]),
            memory_mib=memory_mib(limits.get("memory"), [*at, "resources", "limits", "memory"]),
        ),
        health=_probe(spec, at),
    )


def _ports(spec: Mapping[str, Any], at: list[PathPart]) -> Iterator[Port]:
    for i, item in enumerate(sequence(spec.get("ports"), [*at, "ports"])):
        port = mapping(item, [*at, "ports", i])
        number = integer(port.get("containerPort"), [*at, "ports", i, "containerPort"])
        if number is not None:
            yield Port(number, str(port.get("protocol") or "TCP").lower())


def _env(
    spec: Mapping[str, Any], at: list[PathPart], catalog: _Catalog, namespace: str
) -> tuple[dict[str, EnvVar], list[str]]:
    env: dict[str, EnvVar] = {}
    unresolved: list[str] = []
    for i, item in enumerate(sequence(spec.get("envFrom"), [*at, "envFrom"])):
        source = mapping(item, [*at, "envFrom", i])
        prefix = str(source.get("prefix") or "")
        if "configMapRef" in source:
            ref = text(mapping(source["configMapRef"], [*at, "envFrom", i]).get("name"), [*at, "envFrom", i])
            data = catalog.config_maps.get((namespace, ref))
            if data is None:
                unresolved.append(
                    f"envFrom configMap {ref!r} is not in these files (made by a script?): its keys are not visible"
                )
                continue
            for key, val in data.items():
                env[prefix + key] = EnvVar(prefix + key, SourceKind.CONFIGMAP, val, f"configmap {ref}")
        elif "secretRef" in source:
            ref = text(mapping(source["secretRef"], [*at, "envFrom", i]).get("name"), [*at, "envFrom", i])
            keys = catalog.secrets.get((namespace, ref))
            if keys is None:
                unresolved.append(
                    f"envFrom secret {ref!r} is not in these files (made by a script?): its keys are not visible"
                )
                continue
            for key in keys:
                env[prefix + key] = EnvVar(prefix + key, SourceKind.SECRET, None, f"secret {ref}")
    for i, item in enumerate(sequence(spec.get("env"), [*at, "env"])):
        var = mapping(item, [*at, "env", i])
        key = text(var.get("name"), [*at, "env", i, "name"])
        env[key] = _env_var(key, var, [*at, "env", i], catalog, namespace)
    return env, unresolved


def _env_var(key: str, var: Mapping[str, Any], at: list[PathPart], catalog: _Catalog, namespace: str) -> EnvVar:
    if "valueFrom" not in var:
        value = var.get("value")
        if isinstance(value, Mapping | list):
            raise ManifestError(f"env {key}: expected a single value, found {type(value).__name__}", [*at, "value"])
        return EnvVar(key, SourceKind.LITERAL, "" if value is None else str(value))
    source = mapping(var["valueFrom"], [*at, "valueFrom"])
    if "secretKeyRef" in source:
        ref = mapping(source["secretKeyRef"], [*at, "valueFrom", "secretKeyRef"])
        return EnvVar(key, SourceKind.SECRET, None, f"secret {ref.get('name')}/{ref.get('key')}")
    if "configMapKeyRef" in source:
        ref = mapping(source["configMapKeyRef"], [*at, "valueFrom", "configMapKeyRef"])
        name, item = str(ref.get("name")), str(ref.get("key"))
        value = catalog.config_maps.get((namespace, name), {}).get(item)
        return EnvVar(key, SourceKind.CONFIGMAP, value, f"configmap {name}/{item}")
    if "fieldRef" in source:
        path = mapping(source["fieldRef"], [*at, "valueFrom", "fieldRef"]).get("fieldPath")
        return EnvVar(key, SourceKind.FIELD, str(path), "fieldRef")
    if "resourceFieldRef" in source:
        resource = mapping(source["resourceFieldRef"], [*at, "valueFrom", "resourceFieldRef"]).get("resource")
        return EnvVar(key, SourceKind.FIELD, str(resource), "resourceFieldRef")
    raise ManifestError(f"env {key}: valueFrom has none of secretKeyRef, configMapKeyRef, fieldRef", at)


def _probe(spec: Mapping[str, Any], at: list[PathPart]) -> HealthCheck | None:
    for name in ("readinessProbe", "livenessProbe", "startupProbe"):
        if name not in spec:
            continue
        probe = mapping(spec[name], [*at, name])
        if "httpGet" in probe:
            http = mapping(probe["httpGet"], [*at, name, "httpGet"])
            return HealthCheck("http", f"{http.get('path', '/')} port {http.get('port')}")
        if "tcpSocket" in probe:
            return HealthCheck("tcp", f"port {mapping(probe['tcpSocket'], [*at, name]).get('port')}")
        if "grpc" in probe:
            return HealthCheck("grpc", f"port {mapping(probe['grpc'], [*at, name]).get('port')}")
        if "exec" in probe:
            argv = command(mapping(probe["exec"], [*at, name]).get("command"), [*at, name, "exec"])
            return HealthCheck("exec", " ".join(argv or ()))
        return HealthCheck("probe", name)
    return None


def _attach_service(doc: Document, placed: list[tuple[Workload, str]]) -> None:
    spec = mapping(doc.body.get("spec"), ["spec"])
    selector = {str(k): str(v) for k, v in mapping(spec.get("selector"), ["spec", "selector"]).items()}
    if not selector:
        return  # ExternalName or selector-less: points outside the cluster, not at a workload
    namespace, name = _namespace(doc.body), _name(doc.body)
    for workload, ns in placed:
        if ns != namespace or any(workload.labels.get(k) != v for k, v in selector.items()):
            continue
        if name not in workload.service_names:
            workload.service_names = (*workload.service_names, name)
        main = workload.main
        named = {p.number for p in main.ports}
        for i, item in enumerate(sequence(spec.get("ports"), ["spec", "ports"])):
            port = mapping(item, ["spec", "ports", i])
            target = port.get("targetPort", port.get("port"))
            if isinstance(target, int) and target not in named:
                proto = str(port.get("protocol") or "TCP").lower()
                main.ports = (*main.ports, Port(target, proto))
                named.add(target)
