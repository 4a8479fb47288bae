"""The small, commented profile `devenv profile new NAME` writes from a few answers (no compose file).

Written as text, not dumped: the comments are the point, they teach the format where it is used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass


@dataclass(frozen=True)
class Starter:
    description: str
    service: str  # the first service's name
    image: str
    port: int | None  # the port the service listens on inside its container; None: publishes nothing
    database: bool  # add a PostgreSQL service the first one links to


def _q(text: str) -> str:
    return json.dumps(text)  # a YAML double-quoted scalar


def starter_text(name: str, s: Starter) -> str:
    lines = [
        "# A devenv profile: the stack a developer gets with `devenv init` / `devenv up`.",
        "# Reference: docs/profiles.md. Check it with `devenv profile lint`, see the compose file devenv",
        "# runs with `devenv profile render`.",
        f"name: {name}",
        f"description: {_q(s.description)}",
        "version: 0.1.0          # raise it each time you publish a change",
        "",
    ]
    variables = []
    if s.port is not None:
        variables += [
            f"  {s.service}_port:",
            "    type: port",
            f"    default: {s.port}",
            f"    help: {_q(f'Port on your machine for {s.service}')}",
        ]
    if s.database:
        variables += [
            "  db_password:",
            "    type: secret        # kept out of the compose file, in a .env only its owner can read",
            "    default: devpassword",
        ]
    if variables:
        lines += [
            "# Questions each developer may answer differently (devenv init asks; --set NAME=VALUE).",
            "variables:",
        ]
        lines += [*variables, ""]
    lines += ["services:"]
    if s.database:
        lines += [
            "  db:",
            "    image: postgres:16",
            "    environment:",
            "      POSTGRES_PASSWORD: ${db_password}",
            "      POSTGRES_DB: app",
            '    volumes: ["db-data:/var/lib/postgresql/data"]   # a named volume: data survives `devenv down`',
            "    healthcheck: pg_isready -h 127.0.0.1 -U postgres",
            "    exports:               # what every service that links to db receives",
            "      DATABASE_URL: postgres://postgres:${db_password}@db:5432/app",
            "",
        ]
    lines += [f"  {s.service}:", f"    image: {_q(s.image)}"]
    if s.database:
        lines += ["    links: [db]            # starts after db is healthy, and gets DATABASE_URL"]
    if s.port is not None:
        lines += [f'    ports: ["${{{s.service}_port}}:{s.port}"]']
    lines += [
        "    # build: .              # or build the image from a folder (relative to this file, or to `repo:`)",
        "    # command: ...          # the command, if not the image's own",
        "    # healthcheck: ...      # how to tell it is ready: services linking to it wait for it",
        "",
        "# Run once, inside a running service, the first time the stack is up:",
        f"# seed:\n#   - {{service: {s.service}, run: ./load-demo-data}}",
    ]
    return "\n".join(lines) + "\n"
