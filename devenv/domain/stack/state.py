"""What a workspace remembers between commands (`.devenv/state.json`). Never holds a secret.

Secrets enter state only as keyed digests (HMAC with the workspace's random key, kept 0600 beside it):
enough to notice that a secret changed, useless for guessing a weak password from state or labels.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass, field
from typing import Any

from devenv.domain.stack.names import valid_project_name

STATE_VERSION = 1


@dataclass
class ProfileRef:
    ref: str  # as the user gave it: a name or a path
    file: str  # the resolved file, absolute


@dataclass
class WorkspaceState:
    workspace_id: str
    project: str
    profile: ProfileRef
    answers: dict[str, str] = field(default_factory=dict)  # non-secret answers only
    repo_dir: str | None = None
    profile_files: list[str] = field(default_factory=list)
    render_key: str = ""  # what the rendered files were made from; equal key -> no need to re-render
    files_digest: str = ""  # sha256 of compose.yaml + .env as written: a damaged file means re-render
    secret_digests: dict[str, str] = field(default_factory=dict)  # secret variable -> keyed digest
    service_hashes: dict[str, str] = field(default_factory=dict)
    healthchecked: list[str] = field(default_factory=list)
    links: dict[str, list[str]] = field(default_factory=dict)  # service -> services it waits for
    restart_with_links: list[str] = field(default_factory=list)  # restarted when one of its links is
    volumes: dict[str, list[str]] = field(default_factory=dict)  # service -> named volumes it mounts
    optional: list[str] = field(default_factory=list)  # services in optional groups (`profiles:`)
    seed_tasks: int = 0
    seed_services: list[str] = field(default_factory=list)
    parity: bool = False  # the profile names production manifests: status shows a parity line
    # the parity report's one line as of the last `up`, and the render_key it was computed from: status
    # prints it without reading YAML, or says the profile changed since (docs/parity.md)
    parity_line: str = ""
    parity_key: str = ""
    contexts: dict[str, str] = field(default_factory=dict)  # service -> build context fingerprint at last up
    built: dict[str, str] = field(default_factory=dict)  # service -> fingerprint its image was built from
    seeded: bool = False
    # exactly-once seeding (devenv/domain/seeding.py): each task's progress, the identity of the volumes
    # the seeded data lives in, and a reset that deleted (some) data but did not finish
    seed_status: dict[str, str] = field(default_factory=dict)
    seed_volumes: dict[str, str] = field(default_factory=dict)
    reset_pending: bool = False
    ports: dict[str, list[int]] = field(default_factory=dict)
    # an engine over ssh (usecases/remote.py): bind-mounted local path -> its copy on the engine's host, and
    # each one's fingerprint when it was last copied
    remote_sync: dict[str, str] = field(default_factory=dict)
    remote_synced: dict[str, str] = field(default_factory=dict)
    # service -> the image it runs (the compose file's `image`, else compose's PROJECT-SERVICE for a build):
    # a snapshot's image check reads it here instead of parsing the compose file
    images: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"version": STATE_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: object, *, lenient: bool = False) -> WorkspaceState:
        """State read back from JSON, every field's type checked; raises ValueError naming the bad field.

        `lenient` drops optional fields of the wrong type instead (salvaging what a damaged file still says)."""
        if not isinstance(data, dict):
            raise ValueError("the file does not hold a JSON object")
        profile = data.get("profile")
        if not isinstance(profile, dict) or not all(isinstance(profile.get(k), str) for k in ("ref", "file")):
            raise ValueError("'profile' should be an object with 'ref' and 'file' strings")
        for key in ("workspace_id", "project"):
            if not isinstance(data.get(key), str):
                raise ValueError(f"'{key}' should be a string")
        if not valid_project_name(data["project"]):
            raise ValueError(f"'project' is not a compose project name: {data['project']!r}")
        values: dict[str, Any] = {}
        for name, kind in _FIELDS.items():
            if name in data:
                if _fits(data[name], kind):
                    values[name] = data[name]
                elif not lenient:
                    raise ValueError(f"'{name}' should be {_DESCRIBED[kind]}")
        return cls(
            workspace_id=data["workspace_id"],
            project=data["project"],
            profile=ProfileRef(ref=profile["ref"], file=profile["file"]),
            **values,
        )


# the optional fields and their JSON shapes; a value of another shape makes the state "damaged"
_FIELDS = {
    "answers": "dict-str",
    "repo_dir": "str-or-null",
    "profile_files": "list-str",
    "render_key": "str",
    "files_digest": "str",
    "secret_digests": "dict-str",
    "service_hashes": "dict-str",
    "healthchecked": "list-str",
    "links": "dict-list-str",
    "restart_with_links": "list-str",
    "volumes": "dict-list-str",
    "optional": "list-str",
    "seed_tasks": "int",
    "seed_services": "list-str",
    "parity": "bool",
    "parity_line": "str",
    "parity_key": "str",
    "contexts": "dict-str",
    "built": "dict-str",
    "seeded": "bool",
    "seed_status": "dict-str",
    "seed_volumes": "dict-str",
    "reset_pending": "bool",
    "ports": "dict-list-int",
    "remote_sync": "dict-str",
    "remote_synced": "dict-str",
    "images": "dict-str",
}
_DESCRIBED = {
    "str": "a string",
    "str-or-null": "a string or null",
    "int": "a whole number",
    "bool": "true or false",
    "list-str": "a list of strings",
    "dict-str": "an object of strings",
    "dict-list-str": "an object of string lists",
    "dict-list-int": "an object of number lists",
}


def _fits(value: object, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "str-or-null":
        return value is None or isinstance(value, str)
    if kind == "int":
        return _is_int(value)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list-str":
        return _list_of(value, str)
    if kind == "dict-str":
        return isinstance(value, dict) and all(isinstance(x, str) for x in value.values())
    if kind == "dict-list-str":
        return isinstance(value, dict) and all(_list_of(x, str) for x in value.values())
    return isinstance(value, dict) and all(_list_of(x, int) for x in value.values())  # dict-list-int


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _list_of(value: object, kind: type) -> bool:
    if not isinstance(value, list):
        return False
    if kind is int:
        return all(_is_int(x) for x in value)
    return all(isinstance(x, kind) for x in value)


def parity_status_line(state: WorkspaceState, profile_changed: bool) -> str:
    """What `status` says about parity: the line stored at the last `up`, unless it no longer applies."""
    if profile_changed or (state.parity_key and state.parity_key != state.render_key):
        return "parity: profile changed since last up"
    return state.parity_line or "parity: not checked yet: run `devenv up`"


def keyed_digest(key: bytes, name: str, value: str) -> str:
    """An HMAC of one secret: equal values give equal digests; without the key it reveals nothing."""
    return hmac.new(key, f"{name}\0{value}".encode(), hashlib.sha256).hexdigest()[:32]


def render_key(
    profile_texts: list[str], answers: dict[str, str], secrets: dict[str, str], extra: list[str], key: bytes
) -> str:
    """A digest of everything rendering depends on; secrets enter only through a keyed digest."""
    h = hashlib.sha256()
    for text in profile_texts:
        h.update(hashlib.sha256(text.encode()).digest())
    for name in sorted(answers):
        h.update(f"{name}={answers[name]}\0".encode())
    for name in sorted(secrets):
        h.update(f"{name}={keyed_digest(key, name, secrets[name])}\0".encode())
    for item in extra:
        h.update(item.encode() + b"\0")
    return h.hexdigest()
