"""Host access that cannot be bypassed: each way to reach the machine is refused by lint and by `up`
(exit 2, file:line, nothing written), whatever route the value takes into the rendered compose file.

`up` refuses before it talks to the engine, so these run without one; tests/stack/test_host_access.py
proves the main bypasses on a real engine."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from devenv.domain.profile.composesyntax import Volume, compose_literal, parse_volume
from tests.helpers.common import Result, write_yaml

SOCKET = "/var/run/docker.sock"


def profile(service: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "name": "probe",
        "version": "1.0.0",
        "services": {"a": {"image": "busybox:1.36", "command": "sleep 1000", **service}, "b": {"image": "x"}},
        **top,
    }


def var(default: str, kind: str = "string") -> dict[str, Any]:
    return {"variables": {"d": {"type": kind, "default": default}}}


# (id, profile, extra `up` args, extra environment, what the message says)
CASES: list[tuple[str, dict[str, Any], list[str], dict[str, str], str]] = [
    ("var-default-whole-volume", profile({"volumes": ["${d}"]}, **var("/etc:/host/etc")), [], {}, "mounts '/etc'"),
    (
        "var-set-socket",
        profile({"volumes": ["${d}"]}, **var("scratch")),
        ["--set", f"d={SOCKET}:{SOCKET}"],
        {},
        "the Docker socket",
    ),
    (
        "var-environment-socket",
        profile({"volumes": ["${d}"]}, **var("scratch")),
        [],
        {"DEVENV_VAR_D": f"{SOCKET}:/s"},
        "the Docker socket",
    ),
    (
        "dotted-variable",
        profile({"volumes": ["${host.dir}"]}, variables={"host.dir": {"default": "/root:/r"}}),
        [],
        {},
        "mounts '/root'",
    ),
    (
        "var-in-source",
        profile({"volumes": ["${d}:/x"]}, **var("/etc")),
        [],
        {},
        "a mount source cannot come from a variable",
    ),
    ("secret-in-volume", profile({"volumes": ["${d}"]}, **var("/etc:/e", "secret")), [], {}, "filled in by compose"),
    ("env-interpolation", profile({"volumes": ["$HOME:/h"]}), [], {}, "filled in by compose"),
    ("bind-options", profile({"volumes": ["/etc:/e:ro,rshared"]}), [], {}, "outside the platform repo"),
    ("long-syntax", profile({"volumes": [{"type": "bind", "source": "/", "target": "/h"}]}), [], {}, "volumes[0]"),
    ("tmpfs-key", profile({"tmpfs": ["/run"]}), [], {}, "tmpfs"),
    ("undeclared-volume", profile({"volumes": ["${d}"]}, **var("other:/x")), [], {}, "no mount of the profile"),
    ("env-file-outside", profile({"env_file": "/etc/environment"}), [], {}, "reads the env file '/etc/environment'"),
    ("env-file-from-variable", profile({"env_file": "${d}"}, **var("/etc/environment")), [], {}, "cannot come from"),
    ("build-context-outside", profile({"build": "/"}), [], {}, "builds from '/'"),
    (
        "dockerfile-absolute",
        profile({"build": {"context": ".", "dockerfile": "/etc/hostname"}}),
        [],
        {},
        "builds with the Dockerfile '/etc/hostname'",
    ),
    (
        "dockerfile-absolute-with-remote-context",
        profile({"build": {"context": "https://example.com/app.git", "dockerfile": "/etc/shadow"}}),
        [],
        {},
        "builds with the Dockerfile '/etc/shadow'",
    ),
    (
        "dockerfile-escaping",
        profile({"build": {"context": ".", "dockerfile": "../../../etc/hostname"}}),
        [],
        {},
        "builds with the Dockerfile",
    ),
    ("symlink-to-root", profile({"volumes": ["./rootlink:/hostroot"]}), [], {}, "the Docker socket"),
    ("symlink-to-etc", profile({"volumes": ["./etclink:/e"]}), [], {}, "(really '/etc')"),
    ("symlink-to-socket", profile({"volumes": ["./sock:/var/run/docker.sock"]}), [], {}, "the Docker socket"),
    ("symlink-build-context", profile({"build": "./rootlink"}), [], {}, "builds from"),
    (
        "path-grant-of-run-is-not-the-socket",
        profile({"volumes": ["/var/run:/h"]}, host_access={"a": {"reason": "r", "paths": ["/var/run"]}}),
        [],
        {},
        "the Docker socket",
    ),
    (
        "path-grant-of-socket-is-not-enough",
        profile({"volumes": [f"{SOCKET}:{SOCKET}"]}, host_access={"a": {"reason": "r", "paths": [SOCKET]}}),
        [],
        {},
        "the Docker socket",
    ),
    ("watch-outside", profile({"watch": [{"action": "sync", "path": "/etc", "target": "/e"}]}), [], {}, "watches"),
    ("watch-parent", profile({"watch": [{"action": "sync", "path": "../x", "target": "/x"}]}), [], {}, "watches"),
    (
        "watch-symlink",
        profile({"watch": [{"action": "sync", "path": "./etclink", "target": "/e"}]}),
        [],
        {},
        "etclink' (really '/etc')",
    ),
    (
        "watch-variable",
        profile({"watch": [{"action": "sync", "path": "${d}", "target": "/e"}]}, **var("/etc")),
        [],
        {},
        "cannot come from a variable",
    ),
    ("privileged", profile({"privileged": True}), [], {}, "privileged mode"),
    ("network-host", profile({"network_mode": "host"}), [], {}, "the host network"),
    ("network-other-container", profile({"network_mode": "container:someone-else"}), [], {}, "outside this stack"),
    ("network-unknown-service", profile({"network_mode": "service:zz"}), [], {}, "outside this stack"),
    ("pid-host", profile({"pid": "host"}), [], {}, "process namespace"),
    ("pid-other-container", profile({"pid": "container:someone-else"}), [], {}, "outside this stack"),
    (
        "secret-build-arg",
        profile({"build": {"context": ".", "args": {"TOKEN": "${d}"}}}, **var("t0ken", "secret")),
        [],
        {},
        "docker history",
    ),
]


def setup(tmp_path: Path, data: dict[str, Any]) -> Path:
    folder = tmp_path / "ws"
    folder.mkdir()
    os.symlink("/", folder / "rootlink")
    os.symlink("/etc", folder / "etclink")
    os.symlink(SOCKET, folder / "sock")
    return write_yaml(folder / "probe.yaml", data)


@pytest.mark.parametrize(("case", "data", "args", "env", "message"), CASES, ids=[c[0] for c in CASES])
def test_host_access_is_refused_by_lint_and_by_up(
    tmp_path: Path,
    cli: Callable[..., Result],
    case: str,
    data: dict[str, Any],
    args: list[str],
    env: dict[str, str],
    message: str,
) -> None:
    path = setup(tmp_path, data)
    sets = [a for a in args if a != "--set"]
    if not env:  # lint takes --set answers and defaults, not DEVENV_VAR_*
        lint = cli("profile", "lint", str(path), *[f"--set={s}" for s in sets], cwd=path.parent)
        assert lint.code != 0, lint.out
        assert message in lint.err
        assert f"{path}:" in lint.err  # file:line:col

    up = cli("up", "--profile", str(path), *args, cwd=path.parent, env=env)
    assert up.code == 2, up.out + up.err
    assert message in up.err
    assert f"{path}:" in up.err
    assert "Traceback" not in up.err
    assert not (path.parent / ".devenv" / "compose.yaml").exists()
    assert not (path.parent / ".devenv" / "state.json").exists()


def test_profiles_pass_when_the_access_is_inside_or_granted(tmp_path: Path, cli: Callable[..., Result]) -> None:
    """The checks refuse what reaches the host, not ordinary profiles: the control group."""
    data = profile(
        {
            "volumes": ["${d}", "./data:/data:ro,z", "cache:/cache", "/srv/shared/x:/x"],
            "env_file": "./app.env",
            "build": {"context": "./app", "dockerfile": "../Dockerfile.shared"},
            "network_mode": "service:b",
            "pid": "service:b",
        },
        host_access={"a": {"reason": "shared files", "paths": ["/srv/shared"]}},
        **var("./more:/more"),
    )
    path = setup(tmp_path, data)
    (path.parent / "app").mkdir()  # lint checks a build folder exists
    lint = cli("profile", "lint", str(path), cwd=path.parent)
    assert lint.code == 0, lint.out + lint.err


def test_a_granted_socket_may_be_mounted_but_a_path_grant_above_it_also_needs_the_socket_grant(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    socket_ok = profile({"volumes": [f"{SOCKET}:{SOCKET}"]}, host_access={"a": {"reason": "r", "docker_socket": True}})
    path = setup(tmp_path, socket_ok)
    assert cli("profile", "lint", str(path), cwd=path.parent).code == 0
    both = profile(
        {"volumes": ["/run:/h"]}, host_access={"a": {"reason": "r", "docker_socket": True, "paths": ["/run"]}}
    )
    write_yaml(path, both)
    assert cli("profile", "lint", str(path), cwd=path.parent).code == 0
    only_socket = copy.deepcopy(both)
    del only_socket["host_access"]["a"]["paths"]
    write_yaml(path, only_socket)
    lint = cli("profile", "lint", str(path), cwd=path.parent)
    assert lint.code != 0 and "mounts '/run'" in lint.err


def test_extends_cannot_widen_a_base_profiles_grant_unnoticed(tmp_path: Path, cli: Callable[..., Result]) -> None:
    base = profile({"volumes": ["/srv/data:/d"]}, host_access={"a": {"reason": "data", "paths": ["/srv/data"]}})
    setup(tmp_path, base)
    child = tmp_path / "ws" / "child.yaml"
    child_data = {**{"name": "child", "version": "1.0.0", "extends": "probe.yaml"}, **var("/etc:/e")}
    child_data["services"] = {"a": {"volumes": ["/srv/data:/d", "${d}"]}}
    write_yaml(child, child_data)
    up = cli("up", "--profile", str(child), cwd=child.parent)
    assert up.code == 2 and "mounts '/etc'" in up.err


@pytest.mark.parametrize(
    ("spec", "parsed"),
    [
        ("/x", Volume("volume", "", "/x")),
        ("data:/x", Volume("volume", "data", "/x")),
        ("./a:/x:ro", Volume("bind", "./a", "/x")),
        ("~/a:/x", Volume("bind", "~/a", "/x")),
        ("/etc:/host/etc", Volume("bind", "/etc", "/host/etc")),
        ("C:/w:/x", Volume("bind", "C:/w", "/x")),
        ("ab:cd:ef:gh", "too many colons"),
        ("ab::cd", "empty section between colons"),
    ],
)
def test_volumes_are_read_the_way_compose_reads_them(spec: str, parsed: Volume | str) -> None:
    assert parse_volume(spec) == parsed


def test_compose_literal_sees_what_compose_would_substitute() -> None:
    assert compose_literal("/price$$5") == "/price$5"
    assert compose_literal("${DEVENV_SECRET_X}:/x") is None
    assert compose_literal("$HOME/x") is None


def test_a_profiles_own_folder_is_free_only_when_it_is_a_profile_source(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    """A repo-less profile's paths start from its folder; that folder is not free to mount just because a
    profile file sits in it (a download folder, a home folder), only when it is a profile source."""
    data = profile({"volumes": ["./:/all"]})
    elsewhere = write_yaml(tmp_path / "downloads" / "probe.yaml", data)
    ws = tmp_path / "ws"
    ws.mkdir()
    up = cli("up", "--profile", str(elsewhere), cwd=ws)
    assert up.code == 2 and f"mounts '{tmp_path / 'downloads'}'" in up.err
    lint = cli("profile", "lint", "probe", cwd=ws, env={"DEVENV_PROFILE_SOURCES": str(tmp_path / "downloads")})
    assert lint.code == 0, lint.err
