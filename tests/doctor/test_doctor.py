"""`devenv doctor` on this machine: against the real engine, a dead DOCKER_HOST, and a fake fresh Debian."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from devenv.adapters import engine as engine_adapter
from devenv.adapters.engine import Engine
from devenv.adapters.engine.endpoint import Endpoint, resolve_endpoint
from devenv.adapters.system import System
from devenv.cli.main import run
from devenv.context import AppContext
from devenv.errors import EnvironmentProblem, UserError
from devenv.settings import load_settings
from devenv.usecases.doctor import apply_fixes, check_ports, run_doctor
from tests.helpers.common import REPO_ROOT, Result
from tests.helpers.fakebin import FakeBin, make_fakebin

DEBIAN_12 = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n'
FAKE_DOCKER = """
case "$1" in
  --version) echo "Docker version 28.2.2, build e6534b4" ;;
  *) echo "docker: '$1' is not a docker command." >&2; exit 1 ;;
esac
"""


@pytest.fixture
def dead_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A machine with no engine at all: DOCKER_HOST at a socket nobody serves, and none of the usual sockets.

    Hiding the usual sockets matters in CI, where the real engine answers at /var/run/docker.sock: doctor
    would rightly say "unset DOCKER_HOST" rather than offer to start an engine.
    """
    monkeypatch.setattr(engine_adapter, "usual_sockets", lambda _env: [])
    return f"unix://{tmp_path}/no-engine-here.sock"


@pytest.mark.integration
def test_stale_docker_host_beside_a_running_engine_says_unset_it(cli: Callable[..., Result], tmp_path: Path) -> None:
    stale = f"unix://{tmp_path}/gone.sock"
    result = cli("doctor", "--json", env={"DOCKER_HOST": stale})
    report = json.loads(result.out)
    engine = next(c for c in report["checks"] if c["id"] == "engine")
    assert result.code == 3 and engine["status"] == "fail"
    assert engine["fix"] is None, engine  # the engine runs: nothing to install or start
    assert "DOCKER_HOST points docker elsewhere: unset it" in engine["hint"]
    dry = cli("doctor", "--dry-run", env={"DOCKER_HOST": stale})
    assert "systemctl" not in dry.out and "service docker start" not in dry.out, dry.out


@pytest.mark.integration
def test_all_green_against_the_real_engine(cli: Callable[..., Result]) -> None:
    result = cli("doctor", "--json")
    report = json.loads(result.out)
    statuses = {c["id"]: c["status"] for c in report["checks"]}
    for essential in ("docker-cli", "engine", "engine-api", "compose", "git", "access"):
        assert statuses[essential] == "ok", report
    assert "fail" not in statuses.values(), report
    assert result.code == 0 and report["ok"] is True


@pytest.mark.integration
def test_table_against_the_real_engine(cli: Callable[..., Result]) -> None:
    result = cli("doctor")
    assert result.code == 0, result.out + result.err
    for title in ("Engine reachable", "Compose v2", "Engine API version", "Memory for the engine"):
        assert title in result.out
    assert "fail" not in result.out


def test_missing_engine_fails_with_the_start_fix_not_a_traceback(cli: Callable[..., Result], dead_host: str) -> None:
    result = cli("doctor", env={"DOCKER_HOST": dead_host})
    assert result.code == 3
    assert "Traceback" not in result.out + result.err
    row = next(line for line in result.out.splitlines() if line.startswith("Engine reachable"))
    assert "fail" in row and "no engine answers at DOCKER_HOST" in row
    fix = next(line for line in result.out.splitlines() if line.startswith("Engine reachable: fix:"))
    # whichever engine this machine has installed, the fix starts (or installs and starts) it
    assert any(word in fix for word in ("systemctl enable --now docker.service", "service docker start", "colima"))


def test_missing_engine_json(cli: Callable[..., Result], dead_host: str) -> None:
    result = cli("doctor", "--json", env={"DOCKER_HOST": dead_host})
    report = json.loads(result.out)
    engine = next(c for c in report["checks"] if c["id"] == "engine")
    assert result.code == 3 and report["ok"] is False
    assert engine["status"] == "fail" and engine["fix"]["steps"]


def test_dry_run_prints_the_plan_and_changes_nothing(cli: Callable[..., Result], dead_host: str) -> None:
    result = cli("doctor", "--dry-run", env={"DOCKER_HOST": dead_host})
    assert "Plan: " in result.out and "dry run: nothing was changed" in result.out
    assert result.code == 3


def test_fix_without_a_terminal_and_without_yes_runs_nothing(cli: Callable[..., Result], dead_host: str) -> None:
    """The one no-terminal policy: a confirmation nobody can give stops the command, naming --yes (exit 2)."""
    result = cli("doctor", "--fix", env={"DOCKER_HOST": dead_host})
    assert "Plan: " in result.out and "[1/" not in result.out  # shown, not run
    assert "needs confirmation, and there is no terminal to ask" in result.err
    assert "hint: pass --yes" in result.err and result.code == 2


# ------------------------------------------------------------------------------------ a fresh Debian 12


@pytest.fixture
def fresh(tmp_path: Path, dead_host: str) -> Iterator[tuple[AppContext, FakeBin]]:
    """This project's fresh machine: Debian 12, root, no systemd, a docker CLI, no engine, no compose."""
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/os-release").write_text(DEBIAN_12)
    fake = make_fakebin(tmp_path)
    fake.add("docker", FAKE_DOCKER, record=False)
    fake.add("dpkg-query", "exit 1\n", record=False)  # none of the docker packages is installed
    for tool in ("git", "mkdir", "sha256sum"):
        fake.link(tool)
    env = {**os.environ, **fake.env(DOCKER_HOST=dead_host)}
    ctx = AppContext(settings=load_settings(env), cwd=tmp_path, env=env, interactive=False)
    ctx.system = System(ctx.runner, root=root, system="Linux", machine="x86_64")
    yield ctx, fake


def test_fresh_debian_reports_the_missing_engine_with_the_install_fix(
    fresh: tuple[AppContext, FakeBin], capsys: pytest.CaptureFixture[str]
) -> None:
    ctx, fake = fresh
    code = run(["doctor", "--dry-run"], obj=ctx, raise_bugs=True)
    out = capsys.readouterr().out
    assert code == 3
    downloads = ctx.settings.paths.cache_dir / "downloads"
    binary = downloads / "docker-compose-linux-x86_64-2.40.3"
    plan = out[out.index("Plan: ") :]
    commands = [line.split(". ", 1)[1] for line in plan.splitlines() if line[:4].strip().rstrip(".").isdigit()]
    assert commands == [
        "apt-get update",
        "apt-get install -y docker.io",
        f"mkdir -p {downloads}",
        f"curl -fsSL --proto =https --tlsv1.2 -o {binary} "
        "https://github.com/docker/compose/releases/download/v2.40.3/docker-compose-linux-x86_64",
        commands[4],
        f"install -D -m 0755 {binary} /usr/local/lib/docker/cli-plugins/docker-compose",
        "service docker start",
    ]
    assert commands[4].startswith("sha256sum --check --strict - <<< ")
    assert "Engine reachable       fail" in out and "Compose v2             fail" in out
    assert fake.calls() == []  # a dry run runs nothing


def test_fresh_debian_fix_runs_the_plan_through_the_package_manager(
    fresh: tuple[AppContext, FakeBin], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from devenv.domain.setup import compose_release

    monkeypatch.setitem(compose_release.COMPOSE_RELEASE_SHA256, "x86_64", hashlib.sha256(b"binary").hexdigest())
    ctx, fake = fresh
    report = run_doctor(ctx)
    lines: list[str] = []
    after = apply_fixes(ctx, report, out=lines.append, confirm=lambda _q: False, assume_yes=True, wait_seconds=0)
    binary = ctx.settings.paths.cache_dir / "downloads/docker-compose-linux-x86_64-2.40.3"
    assert fake.calls() == [
        "apt-get update",
        "apt-get install -y docker.io",
        f"curl -fsSL --proto =https --tlsv1.2 -o {binary} "
        "https://github.com/docker/compose/releases/download/v2.40.3/docker-compose-linux-x86_64",
        f"install -D -m 0755 {binary} /usr/local/lib/docker/cli-plugins/docker-compose",
        "service docker start",
    ]
    assert binary.read_text() == "binary"
    assert not after.ok  # the fakes install nothing real: the engine still does not answer
    assert any("did not answer within 0 s" in line for line in lines)


def test_fresh_debian_failing_apt_stops_with_the_command(fresh: tuple[AppContext, FakeBin]) -> None:
    ctx, fake = fresh
    ctx.runner.env = {**ctx.runner.env, "FAKE_FAIL": "apt-get"}
    with pytest.raises(EnvironmentProblem) as caught:
        apply_fixes(ctx, run_doctor(ctx), out=lambda _t: None, confirm=lambda _q: True)
    assert caught.value.message == "step 1 of 7 failed (exit 100): apt-get update"
    assert fake.calls() == ["apt-get update"]


# ------------------------------------------------------------------------------------ ports and endpoints


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_check_ports(listening: int) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    busy, ok = check_ports([listening, free])
    assert (busy.status, ok.status) == ("fail", "ok")
    assert busy.id == f"port-{listening}" and busy.hint is not None
    with pytest.raises(UserError):
        check_ports([70000])


def test_port_option_on_the_cli(cli: Callable[..., Result], listening: int, dead_host: str) -> None:
    result = cli("doctor", "--json", "--port", str(listening), env={"DOCKER_HOST": dead_host})
    port = next(c for c in json.loads(result.out)["checks"] if c["id"] == f"port-{listening}")
    assert port["status"] == "fail"


def test_resolve_endpoint_like_the_docker_cli(tmp_path: Path) -> None:
    assert resolve_endpoint({"DOCKER_HOST": "tcp://h:2375"}) == Endpoint("tcp://h:2375", "DOCKER_HOST", True)
    assert resolve_endpoint({"HOME": str(tmp_path)}) == Endpoint("unix:///var/run/docker.sock", "default socket")
    import hashlib

    config = tmp_path / ".docker"
    meta = config / "contexts/meta" / hashlib.sha256(b"colima").hexdigest()
    meta.mkdir(parents=True)
    sock = "unix:///Users/dev/.colima/default/docker.sock"
    (meta / "meta.json").write_text(json.dumps({"Name": "colima", "Endpoints": {"docker": {"Host": sock}}}))
    (config / "config.json").write_text(json.dumps({"currentContext": "colima"}))
    assert resolve_endpoint({"HOME": str(tmp_path)}) == Endpoint(sock, "docker context colima", True)
    with pytest.raises(EnvironmentProblem, match="'gone'"):
        resolve_endpoint({"HOME": str(tmp_path), "DOCKER_CONTEXT": "gone"})


def test_probe_says_why_an_endpoint_is_silent(tmp_path: Path) -> None:
    engine = Engine({"HOME": str(tmp_path)}, probe_timeout=1)
    missing = engine.probe(Endpoint(f"unix://{tmp_path}/none.sock", "x"))
    assert (missing.answered, missing.error) == (False, "no such socket")
    path = tmp_path / "stale.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))  # a socket file nobody listens on any more
    stale = engine.probe(Endpoint(f"unix://{path}", "x"))
    assert not stale.answered and stale.error == "connection refused"


@pytest.mark.integration
def test_engine_adapter_against_the_real_engine() -> None:
    engine = Engine(dict(os.environ))
    assert engine.ping()
    info = engine.describe()
    assert info.api_version >= "1.41" and info.mem_total > 0
    assert engine.version()["ApiVersion"] == info.api_version
    assert "ServerVersion" in engine.info()
    engine.close()


def test_engine_client_error_is_an_environment_problem(dead_host: str) -> None:
    engine = Engine({"DOCKER_HOST": dead_host}, timeout=2)
    assert not engine.ping()
    with pytest.raises(EnvironmentProblem) as caught:
        engine.info()
    assert "no Docker engine answers" in caught.value.message and caught.value.hint


def test_tls_endpoints_fail_the_same_way(tmp_path: Path, listening: int) -> None:
    """TLS is spoken with the standard library too; an engine that never completes the handshake reads like
    any engine that does not answer."""
    from tests.helpers.tls import make_certs

    host = f"tcp://127.0.0.1:{listening}"  # accepts, never answers: a TLS handshake times out
    env = {"DOCKER_HOST": host, "DOCKER_TLS_VERIFY": "1", "DOCKER_CERT_PATH": str(make_certs(tmp_path / "c"))}
    engine = Engine(env, timeout=1, probe_timeout=1)
    assert not engine.ping()
    with pytest.raises(EnvironmentProblem) as caught:
        engine.containers({"x": "y"})
    assert caught.value.message.startswith(f"the Docker engine at {host} does not answer") and caught.value.hint


def test_interactive_fix_asks_once_and_declining_changes_nothing(dead_host: str, tmp_path: Path) -> None:
    import sys

    import pexpect

    env = {**os.environ, "DOCKER_HOST": dead_host, "NO_COLOR": "1", "COLUMNS": "200"}
    child = pexpect.spawn(
        sys.executable,
        ["-m", "tests.helpers.engineless", "doctor", "--fix"],
        env={**env, "PYTHONPATH": str(REPO_ROOT)},
        encoding="utf-8",
        timeout=60,
        cwd=str(tmp_path),
    )
    child.expect(r"Plan: ")
    child.expect(r"Run (this step|these \d+ steps)\? \[y/N\]")
    child.sendline("n")
    child.expect("nothing was changed")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 3


def test_ensure_engine_raises_what_is_still_wrong_after_the_plan(
    fresh: tuple[AppContext, FakeBin], monkeypatch: pytest.MonkeyPatch
) -> None:
    import hashlib

    from devenv.domain.setup import compose_release
    from devenv.usecases.doctor import ensure_engine

    monkeypatch.setitem(compose_release.COMPOSE_RELEASE_SHA256, "x86_64", hashlib.sha256(b"binary").hexdigest())
    ctx, fake = fresh
    with pytest.raises(EnvironmentProblem) as caught:
        ensure_engine(ctx, out=lambda _t: None, confirm=lambda _q: True, wait_seconds=0)
    assert caught.value.message.startswith("Engine reachable: no engine answers at DOCKER_HOST")
    assert "apt-get install -y docker.io" in fake.calls()


def test_ensure_engine_dry_run_runs_nothing(fresh: tuple[AppContext, FakeBin]) -> None:
    from devenv.usecases.doctor import ensure_engine

    ctx, fake = fresh
    lines: list[str] = []
    report = ensure_engine(ctx, out=lines.append, confirm=lambda _q: True, dry_run=True)
    assert not report.ok and fake.calls() == []
    assert any(line.startswith("Plan: ") for line in lines)


@pytest.mark.integration
def test_ensure_engine_with_a_working_engine_does_nothing() -> None:
    from devenv.usecases.doctor import ensure_engine

    env = dict(os.environ)
    ctx = AppContext(settings=load_settings(env), cwd=Path.cwd(), env=env, interactive=False)
    report = ensure_engine(ctx, out=lambda _t: pytest.fail("nothing to show"), confirm=lambda _q: False)
    assert not report.failing(("docker-cli", "engine", "engine-api", "compose", "git", "access"))
