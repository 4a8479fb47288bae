"""The names devenv and compose agree on: container/volume labels and compose project names.

One home for each: the renderer writes these labels, the engine queries filter on them, and status
reads them back. The three project-name rules differ on purpose and are kept apart by name.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

# set by compose on every container it creates
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
ONEOFF_LABEL = "com.docker.compose.oneoff"
# set by devenv's renderer
WORKSPACE_LABEL = "devenv.workspace"
PROFILE_LABEL = "devenv.profile"
DEVENV_SERVICE_LABEL = "devenv.service"
HASH_LABEL = "devenv.config-hash"  # a digest of a service's rendered config: differs -> the container is stale
IMAGE_LABEL = "devenv.image"  # the image name a profile declares beside build: (compose names the build)

_PROJECT = re.compile(r"[a-z0-9][a-z0-9_-]*")


def valid_project_name(name: str) -> bool:
    return bool(_PROJECT.fullmatch(name))


def service_image(project: str, service: str, image: object = None) -> str:
    """The image a service runs: its own `image`, else the name compose gives the one it builds for it."""
    return str(image or f"{project}-{service}")


def workspace_identity(root: Path) -> tuple[str, str]:
    """(workspace id, compose project name) of a workspace folder (resolved): stable for this folder,
    distinct for two folders. Existing workspaces depend on it: never change the rule."""
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9]+", "-", root.name.lower()).strip("-")[:30] or "ws"
    return f"{slug}-{digest}", f"devenv-{slug}-{digest}"


def project_name_for(text: str) -> str:
    """A compose project name from any text (`profile render` without a workspace: folder names have
    spaces and capitals)."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-_")
    return slug or "devenv"


def compose_project_name(doc: Mapping[str, Any], file: Path, env: Mapping[str, str]) -> str:
    """The project name compose itself would give a compose file devenv did not write: `name:`,
    COMPOSE_PROJECT_NAME, else the folder's name (compose drops what it does not allow)."""
    name = doc.get("name") or env.get("COMPOSE_PROJECT_NAME") or file.parent.name
    return re.sub(r"[^a-z0-9_-]", "", str(name).lower())
