"""Remote engines: which endpoint (DOCKER_HOST + TLS variables, docker contexts, --context) and how it is
reached (stdlib TLS, `ssh HOST docker system dial-stdio` on one shared connection) - against a real sshd and
a real TLS listener in front of the real engine."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from devenv.adapters.engine import Engine
from devenv.adapters.engine.endpoint import resolve_endpoint
from devenv.errors import EnvironmentProblem, UserError
from tests.helpers.common import Result
from tests.helpers.sshd import Sshd
from tests.helpers.tls import TlsEndpoint, tls_listener


def _context(config: Path, name: str, host: str, tls_from: Path | None = None, skip_verify: bool = False) -> None:
    digest = hashlib.sha256(name.encode()).hexdigest()
    meta = config / "contexts" / "meta" / digest
    meta.mkdir(parents=True)
    endpoint = {"Host": host, "SkipTLSVerify": skip_verify}
    (meta / "meta.json").write_text(json.dumps({"Name": name, "Endpoints": {"docker": endpoint}}))
    if tls_from is not None:
        tls = config / "contexts" / "tls" / digest / "docker"
        tls.mkdir(parents=True)
        for pem in ("ca.pem", "cert.pem", "key.pem"):
            (tls / pem).write_bytes((tls_from / pem).read_bytes())


def test_tls_variables_name_the_docker_cli_files(tmp_path: Path) -> None:
    for pem in ("ca.pem", "cert.pem", "key.pem"):
        (tmp_path / pem).write_text("x")
    env = {"DOCKER_HOST": "tcp://dev.box:2376", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path)}
    endpoint = resolve_endpoint(env)
    assert endpoint.tls is not None and endpoint.tls.verify
    assert endpoint.tls.ca == str(tmp_path / "ca.pem") and endpoint.tls.key == str(tmp_path / "key.pem")
    assert endpoint.remote and endpoint.host == "dev.box"
    home = {"DOCKER_HOST": "tcp://dev.box:2376", "DOCKER_TLS": "1", "HOME": str(tmp_path / "home")}
    tls = resolve_endpoint(home).tls
    assert tls is not None and not tls.verify and tls.folder == str(tmp_path / "home" / ".docker")
    assert resolve_endpoint({"DOCKER_HOST": "tcp://dev.box:2375"}).tls is None
    assert not resolve_endpoint({"DOCKER_HOST": "tcp://127.0.0.1:2375"}).remote
    assert resolve_endpoint({"DOCKER_HOST": "ssh://me@127.0.0.1"}).remote  # ports and paths are the far side's


def test_a_context_brings_its_own_tls_files(tmp_path: Path) -> None:
    certs = tmp_path / "certs"
    certs.mkdir()
    for pem in ("ca.pem", "cert.pem", "key.pem"):
        (certs / pem).write_text("x")
    config = tmp_path / ".docker"
    _context(config, "box", "tcp://dev.box:2376", tls_from=certs)
    _context(config, "lax", "tcp://dev.box:2376", skip_verify=True)
    endpoint = resolve_endpoint({"HOME": str(tmp_path), "DOCKER_CONTEXT": "box"})
    assert endpoint.source == "docker context box" and endpoint.tls is not None and endpoint.tls.verify
    assert endpoint.tls.cert is not None and "contexts/tls" in endpoint.tls.cert
    lax = resolve_endpoint({"HOME": str(tmp_path), "DOCKER_CONTEXT": "lax"}).tls
    assert lax is not None and not lax.verify


def test_missing_ca_is_named_not_a_silent_plain_connection(tmp_path: Path) -> None:
    engine = Engine({"DOCKER_HOST": "tcp://127.0.0.1:9", "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(tmp_path)})
    with pytest.raises(EnvironmentProblem) as caught:
        engine.containers({"a": "b"})
    assert f"{tmp_path} has no ca.pem" in caught.value.message and "DOCKER_CERT_PATH" in str(caught.value.hint)


def test_a_bad_ssh_endpoint_is_a_user_error(tmp_path: Path) -> None:
    engine = Engine({"DOCKER_HOST": "ssh://me@box:notaport"})
    with pytest.raises(UserError) as caught:
        engine.containers({"a": "b"})
    assert "ssh://user@host:port" in str(caught.value.hint)


@pytest.fixture
def tls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsEndpoint]:
    with tls_listener(tmp_path_factory.mktemp("tls")) as endpoint:
        yield endpoint


@pytest.mark.integration
def test_ssh_refusal_quotes_ssh(sshd: Sshd) -> None:
    engine = Engine({**sshd.env, "DOCKER_HOST": sshd.url.replace("//", "//nobody-here@")}, timeout=10)
    with pytest.raises(EnvironmentProblem) as caught:
        engine.containers({"a": "b"})
    assert "Permission denied" in caught.value.message and caught.value.hint


@pytest.mark.integration
def test_tls_engine_is_spoken_to_without_the_docker_sdk(tls: TlsEndpoint) -> None:
    code = (
        "import sys; from devenv.adapters.engine import Engine; import os;"
        "e = Engine(os.environ); print(e.version()['Version']); print('docker' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, **tls.env}, capture_output=True, text=True, check=True
    )
    version, sdk_loaded = done.stdout.split()
    assert version and sdk_loaded == "False" and tls.handshakes


@pytest.mark.integration
def test_tls_refuses_an_engine_it_cannot_verify(tls: TlsEndpoint, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.mkdir()
    (other / "ca.pem").write_bytes((tls.certs / "client-cert.pem").read_bytes())  # not the CA that signed it
    engine = Engine({**tls.env, "DOCKER_CERT_PATH": str(other)}, timeout=5)
    with pytest.raises(EnvironmentProblem) as caught:
        engine.containers({"a": "b"})
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.message or "certificate" in caught.value.message.lower()


@pytest.mark.integration
def test_context_option_wins_over_docker_host(tls: TlsEndpoint, tmp_path: Path, cli: Callable[..., Result]) -> None:
    """`devenv --context box doctor`: the context's endpoint and TLS files, whatever DOCKER_HOST says."""
    _context(tmp_path / ".docker", "box", tls.url, tls_from=tls.certs)
    env = {"HOME": str(tmp_path), "DOCKER_CONFIG": str(tmp_path / ".docker"), "DOCKER_HOST": "unix:///nowhere.sock"}
    without = cli("doctor", env=env)
    assert "unix:///nowhere.sock" in without.out + without.err
    result = cli("--context", "box", "doctor", env=env)
    assert tls.url in result.out, result.out + result.err
    assert tls.handshakes
    gone = cli("--context", "nope", "doctor", env=env)
    assert gone.code != 0 and "docker context 'nope'" in gone.out + gone.err


def test_binds_on_a_tcp_engine_elsewhere_are_refused_by_name(tmp_path: Path) -> None:
    from devenv.context import AppContext
    from devenv.settings import load_settings
    from devenv.usecases.remote import place_code

    env = {"DOCKER_HOST": "tcp://dev.box:2376", "HOME": str(tmp_path)}
    ctx = AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=False)
    compose = {"services": {"web": {"volumes": [f"{tmp_path}/code:/app", "data:/data"]}}}
    with pytest.raises(UserError) as caught:
        place_code(ctx, compose, (str(tmp_path),), "p")
    assert f"service 'web' bind-mounts {tmp_path}/code" in caught.value.message and "ssh://" in str(caught.value.hint)
    named_only = {"services": {"db": {"volumes": ["data:/data"]}}}
    assert place_code(ctx, named_only, (str(tmp_path),), "p") == {}
    local = {**env, "DOCKER_HOST": "tcp://127.0.0.1:2376"}  # the same machine: binds work as they are
    ctx_local = AppContext(settings=load_settings(local), cwd=tmp_path, env=local, interactive=False)
    assert place_code(ctx_local, compose, (str(tmp_path),), "p") == {}


@pytest.mark.integration
def test_doctor_reports_the_remote_engine_and_its_hosts_disk(sshd: Sshd, cli: Callable[..., Result]) -> None:
    result = cli("doctor", env=sshd.env)
    row = next((line for line in result.out.splitlines() if line.startswith("Remote engine")), "")
    assert sshd.url in row and "(DOCKER_HOST)" in row and "ms per request" in row, result.out
    assert "GiB memory" in row and "GiB free at /var/lib/docker on 127.0.0.1" in row
    assert "df -Pk /var/lib/docker" in sshd.commands()  # the far host's disk, asked over ssh
    disk = next(line for line in result.out.splitlines() if line.startswith("Free disk"))
    assert "on 127.0.0.1" in disk


def test_on_a_remote_engine_projects_and_resources_carry_the_user(tmp_path: Path) -> None:
    from devenv.context import AppContext
    from devenv.settings import load_settings
    from devenv.usecases.remote import label_owner, project_for, user_name

    def ctx_for(host: str) -> AppContext:
        env = {"DOCKER_HOST": host, "HOME": str(tmp_path), "DEVENV_USER": "Alice.B"}
        return AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=False)

    remote, local = ctx_for("ssh://me@devbox"), ctx_for("unix:///var/run/docker.sock")
    assert user_name(remote.env) == "alice-b"
    assert project_for(remote, "devenv-shop-1a2b3c4d") == "devenv-shop-1a2b3c4d-alice-b"
    assert project_for(local, "devenv-shop-1a2b3c4d") == "devenv-shop-1a2b3c4d"  # local names never move
    compose: dict[str, Any] = {"services": {"web": {"labels": {"x": "1"}}}, "volumes": {"data": {"labels": {}}}}
    label_owner(remote, compose)
    assert compose["services"]["web"]["labels"] == {"x": "1", "devenv.user": "alice-b"}
    assert compose["volumes"]["data"]["labels"] == {"devenv.user": "alice-b"}
    untouched: dict[str, Any] = {"services": {"web": {}}}
    label_owner(local, untouched)
    assert untouched == {"services": {"web": {}}}


def test_urls_name_a_tcp_engines_host_and_a_tunnels_local_port(tmp_path: Path) -> None:
    import json as json_

    from devenv.adapters.workspace import Workspace
    from devenv.context import AppContext
    from devenv.domain.stack.health import ServiceStatus
    from devenv.settings import load_settings
    from devenv.usecases.remote import shown, tunnel_line

    def ctx_for(host: str) -> AppContext:
        env = {"DOCKER_HOST": host, "HOME": str(tmp_path)}
        return AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=False)

    ws = Workspace(tmp_path)
    statuses = {"web": ServiceStatus("web", "running", ports=(("0.0.0.0", 8000, 80, "tcp"),))}
    tcp = ctx_for("tcp://devbox.internal:2376")
    assert shown(tcp, ws, statuses)["web"].urls() == ["http://devbox.internal:8000"]
    assert tunnel_line(tcp, ws) == "engine: tcp://devbox.internal:2376 (ports open on devbox.internal)"
    ssh = ctx_for("ssh://me@devbox.internal")
    assert shown(ssh, ws, statuses)["web"].urls() == []  # no tunnel: no URL that would not answer
    assert "ports tunnel: not running" in str(tunnel_line(ssh, ws))
    ws.state_dir.mkdir()
    # a record whose process is gone (above the largest pid Linux hands out) is no tunnel
    (ws.state_dir / "tunnel.json").write_text(json_.dumps({"pid": 2**22 + 1, "ports": {"8000": 18000}}))
    assert shown(ssh, ws, statuses)["web"].urls() == []
    assert shown(ctx_for("unix:///var/run/docker.sock"), ws, statuses)["web"].urls() == ["http://localhost:8000"]
