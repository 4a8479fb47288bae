"""Generated profiles come up healthy with `devenv up` on the real engine, wired as the compose file was."""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.gitrepos import git_env, make_remote, sh
from tests.helpers.init import teardown
from tests.helpers.stack import devenv, free_port

PROJECTS = Path(__file__).parent / "projects"

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def checkout(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "platform"
    yield root
    teardown(root, images=True)


def generate(root: Path, name: str, tmp_path: Path) -> Path:
    shutil.copytree(PROJECTS / name, root)
    done = devenv("profile", "new", name, "--from-compose", "compose.yaml", "-o", str(tmp_path / name), cwd=root)
    assert done.code == 0, done.err
    return tmp_path / name / "profile.yaml"


def states(root: Path) -> dict[str, str]:
    """`devenv status`: service -> state, from the rows under the SERVICE header."""
    lines = devenv("status", cwd=root).out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("SERVICE"))
    return {row.split()[0]: row.split()[1] for row in lines[start + 1 :] if row.strip()}


def test_the_wired_stack_comes_up_healthy_with_exports_secrets_and_ports(checkout: Path, tmp_path: Path) -> None:
    profile = generate(checkout, "wiring", tmp_path)
    port = free_port()
    done = devenv("up", "--profile", str(profile), "--set", f"web_port={port}", cwd=checkout)
    assert done.code == 0, done.err + done.out
    env = urllib.request.urlopen(f"http://127.0.0.1:{port}/env.txt", timeout=5).read().decode()
    assert "DATABASE_URL=postgres://shop:s3cret@db:5432/shop" in env.splitlines()  # exported by db, secret in .env
    assert "REDIS_URL=redis://cache:6379/0" in env.splitlines()
    assert "API_TOKEN=tok-123" in env.splitlines()
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/static/index.html", timeout=5).read() == b"hi\n"
    assert states(checkout) == {"cache": "healthy", "db": "healthy", "web": "healthy", "worker": "running"}


def test_the_built_stack_comes_up_with_its_build_args_and_target(checkout: Path, tmp_path: Path) -> None:
    profile = generate(checkout, "buildargs", tmp_path)
    text = profile.read_text()
    assert "target: dev" in text and "dockerfile: Dockerfile.dev" in text
    done = devenv("up", "--profile", str(profile), cwd=checkout)
    assert done.code == 0, done.err + done.out
    assert states(checkout) == {"app": "running", "tool": "running"}
    page = devenv("exec", "app", "cat", "/www/index.html", cwd=checkout)
    assert page.out.strip() == "hello 3"  # the build args reached the dev stage


@pytest.fixture
def new_hire_ws(tmp_path: Path) -> Iterator[Path]:
    ws = tmp_path / "new-hire"
    yield ws
    teardown(ws)


def test_a_colleague_inits_the_generated_profile_from_the_platform_repo(tmp_path: Path, new_hire_ws: Path) -> None:
    env = git_env(tmp_path)
    bare = make_remote(env, tmp_path, "platform")
    lead = tmp_path / "lead-checkout"
    sh(env, "git", "clone", "-q", str(bare), str(lead))
    shutil.copytree(PROJECTS / "wiring", lead, dirs_exist_ok=True)
    sh(env, "git", "add", "-A", cwd=lead)
    sh(env, "git", "commit", "-q", "-m", "the platform's compose file", cwd=lead)
    sh(env, "git", "push", "-q", "origin", "HEAD:main", cwd=lead)
    done = devenv("profile", "new", "shop", "--from-compose", "lead-checkout/compose.yaml", cwd=tmp_path, env=env)
    assert done.code == 0, done.err
    profile = tmp_path / "shop" / "profile.yaml"
    text = profile.read_text()
    assert f"repo: {bare}" in text and "./static:/www/static:ro" in text  # the origin, paths from the checkout

    port = free_port()
    args = ["init", "--profile", str(profile), "--dir", str(new_hire_ws), "--set", f"web_port={port}", "--yes"]
    done = devenv(*args, cwd=tmp_path, env=env)
    assert done.code == 0, done.err + done.out
    assert (new_hire_ws / ".git").is_dir()  # cloned from the repo the profile names
    assert urllib.request.urlopen(f"http://127.0.0.1:{port}/static/index.html", timeout=5).read() == b"hi\n"
