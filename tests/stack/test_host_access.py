"""Host access on a real engine: the bypasses create no container; declared access is approved once per
profile content (a changed profile asks again; --trust-host-access without a terminal; a real pty prompt);
a built image never re-tags an image it did not build."""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from devenv.adapters.workspace import Workspace
from tests.helpers.init import PYTHON
from tests.helpers.stack import BUSYBOX, Stack, busybox_profile, docker, make_stack

# no engine: skipped locally, a failure in CI (tests/conftest.py)
pytestmark = [pytest.mark.integration, pytest.mark.slow]
SOCKET = "/var/run/docker.sock"


@pytest.fixture
def stacks(tmp_path: Path) -> Iterator[list[Stack]]:
    made: list[Stack] = []
    yield made
    for stack in made:
        stack.cleanup()
        project = Workspace(stack.root).identity()[1]
        for image in docker("images", "-q", "--filter", f"reference={project}-*").split():
            docker("rmi", "-f", image)


def one_service(service: dict[str, Any], **top: Any) -> dict[str, Any]:
    return {
        "name": "probe",
        "version": "1.0.0",
        "services": {"a": {"image": BUSYBOX, "command": ["sleep", "1000"], **service}},
        **top,
    }


def containers_of(stack: Stack) -> list[str]:
    project = Workspace(stack.root).identity()[1]
    return docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={project}").split()


BYPASSES = [
    ("variable-default", one_service({"volumes": ["${d}"]}, variables={"d": {"default": "/etc:/host/etc"}}), []),
    (
        "set-socket",
        one_service({"volumes": ["${d}"]}, variables={"d": {"default": "scratch"}}),
        ["--set", f"d={SOCKET}:{SOCKET}"],
    ),
    ("symlink-root", one_service({"volumes": ["./rootlink:/hostroot"]}), []),
]


@pytest.mark.parametrize(("case", "data", "args"), BYPASSES, ids=[b[0] for b in BYPASSES])
def test_bypasses_are_refused_before_any_container_exists(
    tmp_path: Path, stacks: list[Stack], case: str, data: dict[str, Any], args: list[str]
) -> None:
    stack = make_stack(tmp_path, data)
    stacks.append(stack)
    os.symlink("/", stack.root / "rootlink")
    done = stack.devenv("up", "--profile", str(stack.profile), *args)
    assert done.code == 2, done.out + done.err
    assert f"{stack.profile}:" in done.err and "Traceback" not in done.err
    assert containers_of(stack) == []
    assert not (stack.root / ".devenv" / "compose.yaml").exists()


def granted_profile(tmp_path: Path) -> dict[str, Any]:
    shared = tmp_path / "shared"
    shared.mkdir(exist_ok=True)
    (shared / "hello.txt").write_text("hi\n")
    data = busybox_profile(name="granted")
    data["services"]["web"]["volumes"] = [f"{shared}:/shared:ro"]
    data["host_access"] = {"web": {"reason": "reads the shared folder", "paths": [str(shared)]}}
    return data


def test_declared_host_access_needs_approval_once_per_profile_content(tmp_path: Path, stacks: list[Stack]) -> None:
    data = granted_profile(tmp_path)
    stack = make_stack(tmp_path, data)
    stacks.append(stack)

    refused = stack.devenv("up", "--profile", str(stack.profile))
    assert refused.code == 2, refused.out + refused.err
    assert "--trust-host-access" in refused.err and "reads the shared folder" not in refused.out
    assert "web: " in refused.err and str(tmp_path / "shared") in refused.err
    assert containers_of(stack) == [] and not (stack.root / ".devenv" / "compose.yaml").exists()

    trusted = stack.devenv("up", "--profile", str(stack.profile), "--trust-host-access")
    assert trusted.code == 0, trusted.out + trusted.err
    assert len(containers_of(stack)) == 2

    stack.devenv("down")
    again = stack.devenv("up")  # the same content: approved before
    assert again.code == 0, again.out + again.err

    data["host_access"]["web"]["reason"] = "reads the shared folder, and more"
    stack.profile.write_text(yaml.safe_dump(data, sort_keys=False))
    changed = stack.devenv("up")
    assert changed.code == 2 and "--trust-host-access" in changed.err


def test_init_yes_does_not_approve_host_access(tmp_path: Path, stacks: list[Stack]) -> None:
    stack = make_stack(tmp_path, granted_profile(tmp_path))
    stacks.append(stack)
    done = stack.devenv("init", "--yes", "--profile", str(stack.profile))
    assert done.code == 2, done.out + done.err
    assert "--trust-host-access" in done.err
    assert containers_of(stack) == []


def test_approval_is_asked_on_a_terminal(tmp_path: Path, stacks: list[Stack]) -> None:
    import pexpect

    stack = make_stack(tmp_path, granted_profile(tmp_path))
    stacks.append(stack)
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "120"}

    def run(answer: str) -> tuple[int, str]:
        child = pexpect.spawn(
            PYTHON,
            ["-m", "devenv", "up", "--profile", str(stack.profile)],
            env=env,
            cwd=str(stack.root),
            encoding="utf-8",
            timeout=120,
            dimensions=(40, 120),
        )
        child.expect("asks for power over this machine")
        child.expect("why web: reads the shared folder")
        child.expect(r"Allow it\?")
        child.send(answer)
        child.expect(pexpect.EOF)
        child.close()
        return int(child.exitstatus if child.exitstatus is not None else -1), str(child.before)

    code, out = run("n")
    assert code == 2, out
    assert "not approved" in out and containers_of(stack) == []
    code, out = run("y")
    assert code == 0, out
    assert len(containers_of(stack)) == 2
    approvals = json.loads((Path(os.environ["DEVENV_DATA_DIR"]) / "host-access-approvals.json").read_text())
    assert [a["profile"] for a in approvals.values()] == ["granted"]


def test_a_built_image_never_retags_the_image_it_names(tmp_path: Path, stacks: list[Stack]) -> None:
    """`image: NAME` + `build:` must leave the machine's NAME alone. NAME is a private copy of busybox:1.36
    here, so that a regression cannot re-tag the image other tests on this engine share."""
    shared = f"devenv-test-shared-{uuid.uuid4().hex[:8]}:1.36"
    docker("tag", BUSYBOX, shared)
    try:
        before = docker("image", "inspect", "--format", "{{.Id}}", shared).strip()
        stack = make_stack(tmp_path, one_service({"image": shared, "build": "app"}))
        stacks.append(stack)
        (stack.root / "app").mkdir()
        (stack.root / "app" / "Dockerfile").write_text(f"FROM {shared}\nRUN echo {uuid.uuid4().hex} > /built\n")
        done = stack.devenv("up", "--profile", str(stack.profile))
        assert done.code == 0, done.out + done.err
        assert docker("image", "inspect", "--format", "{{.Id}}", shared).strip() == before
        [container] = stack.containers().values()
        assert container["Config"]["Labels"]["devenv.image"] == shared
        assert container["Image"] != before  # it runs what it built, under the workspace's own name
    finally:
        docker("rmi", shared)


def test_init_asks_on_a_terminal_before_anything_changes(tmp_path: Path, stacks: list[Stack]) -> None:
    import pexpect

    stack = make_stack(tmp_path, granted_profile(tmp_path))
    stacks.append(stack)
    ws = tmp_path / "new-ws"
    env = {**os.environ, "TERM": "xterm", "NO_COLOR": "1", "COLUMNS": "120"}
    child = pexpect.spawn(
        PYTHON,
        ["-m", "devenv", "init", "--yes", "--profile", str(stack.profile), "--dir", str(ws)],
        env=env,
        cwd=str(tmp_path),
        encoding="utf-8",
        timeout=120,
        dimensions=(40, 120),
    )
    child.expect("asks for power over this machine")  # even with --yes
    child.expect(r"Allow it\?")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2, child.before
    assert not (ws / ".devenv" / "compose.yaml").exists() and not (ws / ".devenv" / "init.json").exists()
