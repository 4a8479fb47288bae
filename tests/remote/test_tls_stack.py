"""A stack on an engine reached over tcp with TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH): devenv and compose both
go through the TLS listener (tests/helpers/tls.py: a Python TLS terminator in front of the shared engine's
socket, since that engine cannot be restarted with --tlsverify; scripts/engine.sh can start a real one)."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.stack import Stack, busybox_profile, devenv, free_port, make_stack
from tests.helpers.tls import TlsEndpoint, tls_listener

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsEndpoint]:
    with tls_listener(tmp_path_factory.mktemp("tls")) as endpoint:
        yield endpoint


def test_a_stack_over_tcp_with_tls(tmp_path: Path, tls: TlsEndpoint) -> None:
    stack: Stack = make_stack(tmp_path, busybox_profile())
    env = {**os.environ, **tls.env}
    env.pop("DOCKER_CONTEXT", None)
    try:
        up = devenv("up", "--profile", str(stack.profile), cwd=stack.root, env=env)
        assert up.code == 0, up.err
        connections = len(tls.handshakes)
        assert connections > 0  # compose and devenv both spoke TLS to the listener
        status = devenv("status", cwd=stack.root, env=env)
        assert status.code == 0 and "healthy" in status.out, status.err
        assert len(tls.handshakes) > connections
        exec_ = devenv("exec", "web", "cat", "/www/env.txt", cwd=stack.root, env=env)
        assert exec_.code == 0 and "GREETING=hello" in exec_.out
        plain = devenv("status", cwd=stack.root, env={**env, "DOCKER_TLS_VERIFY": ""})
        assert plain.code != 0 and "does not answer" in plain.err  # no TLS, no engine: never a silent fallback
        down = devenv("down", cwd=stack.root, env=env)
        assert down.code == 0 and stack.containers() == {}
    finally:
        stack.cleanup()


def test_the_example_over_tcp_with_tls(tmp_path: Path, tls: TlsEndpoint) -> None:
    """The shipped example (five services built from the profile's folder) through the TLS listener: built
    and run on the engine behind it, its web app answering at the URL devenv prints."""
    root = tmp_path / "platform"
    root.mkdir()
    stack = Stack(root, root / "unused.yaml")
    env = {**os.environ, **tls.env}
    env.pop("DOCKER_CONTEXT", None)
    port = free_port()
    try:
        done = devenv("up", "--profile", "example", "--set", f"web_port={port}", cwd=root, env=env, timeout=900)
        assert done.code == 0, done.err
        assert tls.handshakes  # it went through the listener
        url = f"http://127.0.0.1:{port}/"
        assert f"http://localhost:{port}" in done.out  # a tcp engine on this machine: local URLs
        with urllib.request.urlopen(url, timeout=10) as response:
            report = json.loads(response.read().decode())
        assert report["db"]["ok"] and report["cache"]["ok"] and report["broker"]["ok"], report
        assert report["seeded_rows"] > 0
        assert devenv("down", cwd=root, env=env).code == 0
    finally:
        stack.cleanup()
