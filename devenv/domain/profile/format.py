"""The profile format, v1, as one declarative spec: validation and `devenv profile schema` both come from it.

docs/profiles.md explains every key; a test checks that each key here is documented there.
"""

from __future__ import annotations

from devenv.domain.profile.code import CODE
from devenv.domain.profile.spec_engine import (
    AnyValue,
    Bool,
    Int,
    JsonSchema,
    ListOf,
    MapOf,
    Obj,
    OneOf,
    Scalar,
    Str,
)
from devenv.domain.profile.watch import WATCH

NAME = r"[a-z0-9][a-z0-9_-]*"
SERVICE_NAME = r"[a-z0-9][a-z0-9_-]*"
VARIABLE_NAME = r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*"
ENV_NAME = r"[A-Za-z_][A-Za-z0-9_.]*"
SEMVER = r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?"
REQUIRES = r"\s*(>=|<=|==|!=|>|<|~=)?\s*\d+(\.\d+){0,2}(\s*,\s*(>=|<=|==|!=|>|<|~=)?\s*\d+(\.\d+){0,2})*\s*"
DURATION = r"\d+(\.\d+)?(ms|s|m|h)(\d+(\.\d+)?(ms|s|m|h))*"
VARIABLE_TYPES = ("string", "int", "bool", "port", "choice", "secret")

COMMAND = OneOf(
    (
        Str(description="A command line, split like a shell would (no shell features)."),
        ListOf(Str(), description="The command as an argv list."),
    ),
    description="A command: a string, or an argv list.",
)
DURATION_SPEC = OneOf(
    (
        Str(pattern=DURATION, pattern_hint="a duration like 5s, 500ms or 1m30s"),
        Int(minimum=0, description="Seconds."),
    ),
    description="A duration: 5s, 500ms, 1m30s, or a number of seconds.",
)

BUILD = OneOf(
    (
        Str(description="The build context folder."),
        Obj(
            {
                "context": Str(description="The build context folder."),
                "dockerfile": Str(description="The Dockerfile, relative to the context."),
                "args": MapOf(Scalar(), key_pattern=ENV_NAME, key_hint="a build argument name"),
                "target": Str(description="The build stage to stop at."),
            },
            required=("context",),
            name="build",
        ),
    ),
    description="Build the image: a context folder (relative to the platform repo, or to the profile's "
    "folder when the profile has no repo), or a mapping with context, dockerfile, args, target.",
)

HEALTHCHECK = OneOf(
    (
        Str(description="A shell command run inside the container; exit 0 means healthy."),
        ListOf(Str(), description="An argv run inside the container (no shell)."),
        Obj(
            {
                "test": COMMAND,
                "interval": DURATION_SPEC,
                "timeout": DURATION_SPEC,
                "retries": Int(minimum=1),
                "start_period": DURATION_SPEC,
            },
            required=("test",),
            name="healthcheck",
        ),
    ),
    description="How to tell the service is ready: a command string, an argv, or a mapping.",
)

SERVICE = Obj(
    {
        "image": Str(description="The image to run, e.g. postgres:15."),
        "build": BUILD,
        "command": COMMAND,
        "entrypoint": COMMAND,
        "environment": MapOf(Scalar(), key_pattern=ENV_NAME, key_hint="an environment variable name"),
        "env_file": OneOf((Str(), ListOf(Str())), description="Env files, relative to the platform repo."),
        "ports": ListOf(
            OneOf((Str(), Int(minimum=1, maximum=65535))),
            description='Published ports: "HOST:CONTAINER", "IP:HOST:CONTAINER" or "CONTAINER".',
        ),
        "volumes": ListOf(
            Str(),
            description='Mounts: "name:/path" for a named volume, "./dir:/path" for a bind mount, ":ro" to '
            "make it read-only.",
        ),
        "healthcheck": HEALTHCHECK,
        "links": ListOf(
            Str(pattern=SERVICE_NAME, pattern_hint="a service name"),
            description="Services this one needs: started (and healthy) first, reachable by name, and their "
            "exports added to this service's environment.",
        ),
        "restart_with_links": Bool(
            description="Restart this service whenever devenv or compose restarts a service it links to (a "
            "snapshot restore, `docker compose restart db`): for an app that does not reconnect by itself."
        ),
        "exports": MapOf(
            Scalar(),
            key_pattern=ENV_NAME,
            key_hint="an environment variable name",
            description="Environment that services linking to this one receive.",
        ),
        "init": Bool(description="Run an init process (tini) as PID 1 to reap zombies and forward signals."),
        "working_dir": Str(),
        "user": Str(),
        "restart": Str(enum=("no", "always", "on-failure", "unless-stopped")),
        "profiles": ListOf(
            Str(pattern=NAME, pattern_hint="a group name"),
            description="Optional groups: the service starts only when one of its groups is enabled.",
        ),
        "labels": MapOf(Str()),
        "stop_grace_period": DURATION_SPEC,
        "privileged": Bool(description="Needs host_access approval."),
        "network_mode": Str(description='"host", or a container outside this stack, needs host_access approval.'),
        "pid": Str(description='"host", or a container outside this stack, needs host_access approval.'),
        "watch": WATCH,
    },
    name="a service",
    exclusive=(),
)

VARIABLE = Obj(
    {
        "type": Str(enum=VARIABLE_TYPES),
        "default": Scalar(),
        "help": Str(description="The question shown when asking for this value."),
        "choices": ListOf(Scalar(), description="Allowed values (type: choice)."),
        "pattern": Str(description="A regular expression the whole value must match (string, secret)."),
        "min": Int(description="Smallest allowed value (int, port)."),
        "max": Int(description="Largest allowed value (int, port)."),
        "auto": Bool(
            description="A port that is busy when `devenv up` starts the stack is replaced by a free one, "
            "remembered as the answer (type port)."
        ),
    },
    name="a variable",
)

HOST_ACCESS = Obj(
    {
        "reason": Str(description="Why the service needs this power; shown to the user for approval."),
        "privileged": Bool(),
        "host_network": Bool(),
        "host_pid": Bool(),
        "other_containers": Bool(
            description="Joining the network or processes of a container outside this stack (container:NAME)."
        ),
        "docker_socket": Bool(),
        "paths": ListOf(Str(), description="Host paths outside the platform repo that may be bind-mounted."),
    },
    required=("reason",),
    name="host_access",
)

SEED_TASK = Obj(
    {
        "service": Str(pattern=SERVICE_NAME, pattern_hint="a service name"),
        "run": COMMAND,
        "name": Str(description="A short name shown while seeding."),
        "user": Str(),
    },
    required=("service", "run"),
    name="a seed task",
)

REPO = OneOf(
    (
        Str(description="The platform repository's clone URL."),
        Obj(
            {
                "url": Str(description="Clone URL (https, ssh or file)."),
                "branch": Str(description="Branch to check out; the remote's default when absent."),
            },
            required=("url",),
            name="repo",
        ),
    ),
    description="The platform repository to clone.",
)

PROFILE = Obj(
    {
        "name": Str(pattern=NAME, pattern_hint="a profile name (lower case letters, digits, - and _)"),
        "description": Str(),
        "version": Str(pattern=SEMVER, pattern_hint="a semantic version like 1.2.0"),
        "requires": Str(pattern=REQUIRES, pattern_hint="a version requirement like >=0.1"),
        "extends": Str(description="Another profile this one builds on: a path or a profile name."),
        "repo": REPO,
        "code": CODE,
        "variables": MapOf(VARIABLE, key_pattern=VARIABLE_NAME, key_hint="a variable name"),
        "services": MapOf(
            SERVICE,
            key_pattern=SERVICE_NAME,
            key_hint="a service name (lower case letters, digits, - and _)",
            nullable_values=True,
        ),
        "seed": ListOf(SEED_TASK, description="Tasks run inside services the first time the stack comes up."),
        "host_access": MapOf(HOST_ACCESS, key_pattern=SERVICE_NAME, key_hint="a service name"),
        "parity": AnyValue(description="Production manifests to compare with (see docs/parity.md)."),
    },
    required=("name", "version"),
    name="the profile",
    exclusive=(("repo", "code"),),
)


def json_schema() -> JsonSchema:
    schema = PROFILE.schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://devenv.dev/schema/profile-v1.json",
        "title": "devenv profile (format v1)",
        **schema,
    }
