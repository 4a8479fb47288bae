"""Malformed profiles: each gives the right message at the right file:line, and never a traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from devenv import __version__
from devenv.adapters.profile_files import ProfileFiles
from devenv.domain.profile.loader import load_profile
from devenv.errors import ProfileError
from tests.helpers.common import Result

BASE = """\
name: demo
version: 1.0.0
"""

# (case id, profile text, line of the first problem, words the message must contain)
CASES: list[tuple[str, str, int, str]] = [
    ("yaml-syntax", "name: demo\nversion: [1.0.0\n", 3, "YAML syntax error"),
    ("yaml-tab", "name: demo\n\tversion: 1.0.0\n", 2, "YAML syntax error"),
    ("not-a-mapping", "- a\n- b\n", 1, "expected a mapping, got a list"),
    ("empty", "", 1, "the profile is empty"),
    ("duplicate-key", BASE + "name: again\n", 3, "duplicate key 'name'"),
    ("missing-version", "name: demo\nservices: {a: {image: x}}\n", 1, "missing required key 'version'"),
    ("bad-version", "name: demo\nversion: one\nservices: {a: {image: x}}\n", 2, "semantic version"),
    ("bad-name", "name: Demo App\nversion: 1.0.0\nservices: {a: {image: x}}\n", 1, "profile name"),
    ("unknown-top-key", BASE + "servces: {}\n", 3, "did you mean 'services'?"),
    ("unknown-service-key", BASE + "services:\n  web:\n    imag: x\n", 5, "did you mean 'image'?"),
    ("no-services", BASE + "services: {}\n", 3, "defines no services"),
    ("no-image", BASE + "services:\n  web:\n    command: run\n", 4, "neither 'image' nor 'build'"),
    ("wrong-type-ports", BASE + "services:\n  web:\n    image: x\n    ports: 8000\n", 6, "expected a list"),
    (
        "wrong-type-init",
        BASE + "services:\n  web:\n    image: x\n    init: maybe\n",
        6,
        "expected true or false",
    ),
    (
        "link-unknown",
        BASE + "services:\n  db: {image: x}\n  web:\n    image: x\n    links: [dbb]\n",
        7,
        "unknown service 'dbb' (did you mean 'db'?)",
    ),
    ("link-self", BASE + "services:\n  web:\n    image: x\n    links: [web]\n", 6, "links to itself"),
    (
        "link-cycle",
        BASE + "services:\n  a: {image: x, links: [b]}\n  b: {image: x, links: [c]}\n  c: {image: x, links: [a]}\n",
        4,
        "links form a cycle: a -> b -> c -> a",
    ),
    (
        "undefined-variable",
        BASE + "variables:\n  web_port: {type: port, default: 8000}\n"
        "services:\n  web:\n    image: x\n    ports: ['${web_prot}:80']\n",
        8,
        "undefined variable 'web_prot'",
    ),
    (
        "unclosed-reference",
        BASE + "services:\n  web:\n    image: x\n    command: echo ${oops\n",
        6,
        "'${' is not closed",
    ),
    (
        "duplicate-host-port",
        BASE + "services:\n  a: {image: x, ports: ['8000:80']}\n  b: {image: x, ports: ['8000:81']}\n",
        5,
        "host port 8000/tcp is published twice (a and b)",
    ),
    (
        "duplicate-port-from-variables",
        BASE + "variables:\n  p1: {type: port, default: 9000}\n  p2: {type: port, default: 9000}\n"
        "services:\n  a: {image: x, ports: ['${p1}:80']}\n  b: {image: x, ports: ['${p2}:80']}\n",
        8,
        "host port 9000/tcp is published twice",
    ),
    ("bad-port", BASE + "services:\n  a: {image: x, ports: ['80:eighty']}\n", 4, "is not a port mapping"),
    (
        "bad-variable-type",
        BASE + "variables:\n  level: {type: colour}\nservices: {a: {image: x}}\n",
        4,
        "'colour' is not allowed here",
    ),
    (
        "default-out-of-range",
        BASE + "variables:\n  p: {type: port, default: 70000}\nservices: {a: {image: x}}\n",
        4,
        "above the maximum 65535",
    ),
    (
        "choice-without-choices",
        BASE + "variables:\n  c: {type: choice}\nservices: {a: {image: x}}\n",
        4,
        "no choices",
    ),
    (
        "seed-unknown-service",
        BASE + "services: {web: {image: x}}\nseed:\n  - {service: wbe, run: seed}\n",
        5,
        "seed task runs in unknown service 'wbe' (did you mean 'web'?)",
    ),
    ("seed-missing-run", BASE + "services: {web: {image: x}}\nseed:\n  - {service: web}\n", 5, "'run'"),
    ("privileged", BASE + "services:\n  a:\n    image: x\n    privileged: true\n", 6, "privileged mode"),
    ("host-network", BASE + "services:\n  a:\n    image: x\n    network_mode: host\n", 6, "the host network"),
    ("host-pid", BASE + "services:\n  a:\n    image: x\n    pid: host\n", 6, "process namespace"),
    (
        "docker-socket",
        BASE + "services:\n  a:\n    image: x\n    volumes: ['/var/run/docker.sock:/var/run/docker.sock']\n",
        6,
        "the Docker socket",
    ),
    (
        "bind-outside",
        BASE + "services:\n  a:\n    image: x\n    volumes: ['../secrets:/s']\n",
        6,
        "outside the platform repo",
    ),
    (
        "mount-from-variable",
        BASE + "variables: {d: {default: /etc}}\nservices:\n  a:\n    image: x\n    volumes: ['${d}:/d']\n",
        7,
        "mount source cannot come from a variable",
    ),
    ("requires-newer", BASE + "requires: '>=99.0'\nservices: {a: {image: x}}\n", 3, "needs devenv >=99.0"),
    (
        "bad-duration",
        BASE + "services:\n  a:\n    image: x\n    healthcheck: {test: ok, interval: soon}\n",
        6,
        "a duration like 5s",
    ),
    (
        "extends-missing",
        BASE + "extends: ./nope.yaml\nservices: {a: {image: x}}\n",
        3,
        "cannot load extended",
    ),
    ("restart-enum", BASE + "services:\n  a: {image: x, restart: allways}\n", 4, "did you mean 'always'?"),
    (
        "link-into-optional-group",
        BASE + "services:\n  web: {image: x, links: [mail]}\n  mail: {image: x, profiles: [mail]}\n",
        4,
        "which only starts with group mail",
    ),
    (
        "variable-env-name-clash",
        BASE + "variables:\n  db.password: {type: secret}\n  db_password: {type: secret}\nservices: {a: {image: x}}\n",
        5,
        "would share the environment name DEVENV_VAR_DB_PASSWORD",
    ),
    (
        "variable-key-for-other-type",
        BASE + "variables:\n  name: {default: x, min: 3}\nservices: {a: {image: x}}\n",
        4,
        "'min' does not apply to a string variable",
    ),
    (
        "env-file-outside",
        BASE + "services:\n  a:\n    image: x\n    env_file: ~/.aws/credentials\n",
        6,
        "reads the env file '~/.aws/credentials', outside the platform repo",
    ),
    ("build-outside", BASE + "services:\n  a:\n    build: ../../\n", 5, "builds from '../../', outside"),
    ("key-not-text", BASE + "services:\n  ? [a, b]\n  : {image: x}\n", 4, "keys must be plain text"),
]


@pytest.mark.parametrize(("text", "line", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_profile_message(
    tmp_path: Path, cli: Callable[..., Result], text: str, line: int, words: str
) -> None:
    path = tmp_path / "profile.yaml"
    path.write_text(text)
    result = cli("profile", "lint", str(path))
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    assert words in result.err
    first = result.err.splitlines()[0]
    assert first.startswith(f"{path}:{line}:"), first


def test_there_are_at_least_twenty_cases() -> None:
    assert len(CASES) >= 20


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BASE + "servces: {}\nservices:\n  web:\n    imag: x\n    init: maybe\n")
    files = ProfileFiles([], tmp_path)
    with pytest.raises(ProfileError) as info:
        load_profile(str(path), files.read, devenv_version=__version__)
    messages = [p.message for p in info.value.problems]
    assert len(messages) == 3, messages
    assert [p.location.line for p in info.value.problems if p.location] == [3, 6, 7]


def test_lint_json_lists_problems_with_locations(tmp_path: Path, cli: Callable[..., Result]) -> None:
    import json

    path = tmp_path / "p.yaml"
    path.write_text(BASE + "services:\n  web:\n    imag: x\n")
    result = cli("profile", "lint", "--json", str(path))
    assert result.code == 1
    [entry] = json.loads(result.out)
    assert entry["ok"] is False
    [problem] = entry["problems"]
    assert problem["line"] == 5
    assert problem["column"] == 5
    assert problem["code"] == "unknown-key"
    assert problem["hint"] == "did you mean 'image'?"


def test_extends_cycle_is_an_error(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "a.yaml").write_text(BASE + "extends: b.yaml\nservices: {a: {image: x}}\n")
    (tmp_path / "b.yaml").write_text(BASE + "extends: a.yaml\nservices: {b: {image: x}}\n")
    result = cli("profile", "lint", str(tmp_path / "a.yaml"))
    assert result.code == 1
    assert "'extends' forms a cycle" in result.err
    assert "a.yaml -> " in result.err


def test_render_with_bad_set_flag_names_the_flag(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BASE + "variables: {web_port: {type: port, default: 8000}}\nservices: {a: {image: x}}\n")
    result = cli("profile", "render", str(path), "--set", "web_port=http")
    assert result.code == 2
    assert result.err.startswith("error: --set web_port: 'http' is not a whole number")
    result = cli("profile", "render", str(path), "--set", "web_prot=1")
    assert result.code == 2
    assert "did you mean 'web_port'?" in result.err
    result = cli("profile", "render", str(path), "--set", "oops")
    assert "is not NAME=VALUE" in result.err


def test_render_without_answer_names_the_flag(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BASE + "variables: {token: {type: secret}}\nservices: {a: {image: x}}\n")
    result = cli("profile", "render", str(path))
    assert result.code == 2
    assert "variable 'token' has no default" in result.err
    assert "--set token=VALUE" in result.err
    assert "DEVENV_VAR_TOKEN" in result.err


def test_unquoted_port_pair_is_not_read_as_base_60(tmp_path: Path, cli: Callable[..., Result]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(BASE + "services:\n  a:\n    image: x\n    ports: [22:22]\n")
    result = cli("profile", "render", str(path))
    assert result.code == 0, result.err
    assert "- '22:22'" in result.out


def test_extending_profile_may_override_part_of_a_healthcheck(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "base.yaml").write_text(
        BASE + "services:\n  db:\n    image: x\n    healthcheck: {test: ok, retries: 3}\n"
    )
    (tmp_path / "child.yaml").write_text(
        "name: child\nversion: 1.0.0\nextends: base.yaml\nservices:\n  db:\n    healthcheck: {interval: 1s}\n"
    )
    result = cli("profile", "render", str(tmp_path / "child.yaml"))
    assert result.code == 0, result.err
    assert "interval: 1s" in result.out
    assert "retries: 3" in result.out
    (tmp_path / "lonely.yaml").write_text(BASE + "extends: base.yaml\nservices:\n  db:\n    build: {dockerfile: D}\n")
    result = cli("profile", "lint", str(tmp_path / "lonely.yaml"))
    assert result.code == 1
    assert "missing required key 'context' in build" in result.err


def test_unknown_extended_profile_keeps_the_hint(tmp_path: Path, cli: Callable[..., Result]) -> None:
    (tmp_path / "p.yaml").write_text(BASE + "extends: nosuch\nservices: {a: {image: x}}\n")
    result = cli("profile", "lint", str(tmp_path / "p.yaml"))
    assert "no profile named 'nosuch'" in result.err
    assert "available: example" in result.err
