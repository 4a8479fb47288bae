"""Profiles as dicts that several test modules render, lint or validate."""

from __future__ import annotations

from typing import Any

PROFILE: dict[str, Any] = {
    "name": "shop",
    "version": "1.2.0",
    "variables": {
        "web_port": {"type": "port", "default": 8000, "help": "Port for the web app"},
        "db_password": {"type": "secret", "default": "s3cret$pw"},
        "debug": {"type": "bool", "default": True},
    },
    "services": {
        "db": {
            "build": "images/db",
            "environment": {"POSTGRES_PASSWORD": "${db_password}"},
            "volumes": ["db-data:/var/lib/postgresql/data"],
            "healthcheck": "pg_isready -h 127.0.0.1",
            "exports": {"DATABASE_URL": "postgres://app:${db_password}@db:5432/app"},
        },
        "cache": {"image": "redis:7", "exports": {"REDIS_URL": "redis://cache:6379/0"}},
        "web": {
            "build": {"context": "app", "dockerfile": "Dockerfile.dev", "args": {"PY": 3}},
            "command": "python3 -m app.web",
            "links": ["db", "cache"],
            "ports": ["${web_port}:8000"],
            "environment": {"DEBUG": "${debug}", "PRICE": "5$$"},
            "volumes": ["./src:/src:ro"],
        },
    },
    "seed": [{"service": "web", "run": ["python3", "-m", "app.seed", "--password", "${db_password}"]}],
}
