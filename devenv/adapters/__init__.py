"""Adapters: the only modules that touch an outside thing (processes, docker, compose, git, files)."""
