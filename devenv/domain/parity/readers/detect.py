"""Which production format a file's parsed documents are, and reading one non-Kubernetes file into a Side."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from devenv.domain.parity.model import EnvFile, EnvVar, Side
from devenv.domain.parity.readers import aws, compose, kubernetes
from devenv.domain.parity.readers.common import ManifestError
from devenv.errors import UserError

FORMATS_HINT = "parity reads Kubernetes YAML, Dockerrun.aws.json (v1, v2), ECS task definitions and compose files"


def detect(docs: Sequence[Any]) -> str | None:
    if docs and all(kubernetes.is_kubernetes(d) for d in docs):
        return "kubernetes" if any(d["kind"] in kubernetes.KNOWN_KINDS for d in docs) else None
    if len(docs) == 1:
        doc = docs[0]
        if aws.is_beanstalk(doc):
            return "beanstalk"
        if aws.is_ecs(doc):
            return "ecs"
        if compose.is_compose(doc):
            return "compose"
    return None


def read_one(
    kind: str,
    docs: Sequence[Any],
    shown: str,
    *,
    app_name: str,
    extra_env: dict[str, EnvVar] | None,
    env_files: Mapping[str, EnvFile | None],
) -> Side:
    """One ECS, Beanstalk or compose file (Kubernetes documents are read together, across files).

    `extra_env` (the entry's env files, for ECS and Beanstalk) and `env_files` (a compose file's own)
    were read by the caller."""
    if len(docs) != 1:
        raise ManifestError(f"expected one document, found {len(docs)}", source=shown)
    doc = docs[0]
    if kind == "ecs":
        return aws.read_ecs(doc, shown, extra_env)
    if kind == "beanstalk":
        return aws.read_beanstalk(doc, shown, app_name, extra_env)
    if kind == "compose":
        side = compose.read_compose(doc, shown, env_files=dict(env_files))
        side.sources = []
        return side
    raise UserError(f"{shown}: unknown kind {kind!r}", hint=FORMATS_HINT)
