"""devenv: from a bare laptop to a running, seeded, healthy copy of your platform in one command."""

__version__ = "0.1.0"
