"""Clone the platform repo: real git, real bare repositories over file://."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from devenv.adapters.git import Git, remote_key, same_remote
from devenv.adapters.process import ProcessRunner
from devenv.errors import EnvironmentProblem, UserError
from tests.helpers.gitrepos import git_env, make_remote, sh


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return git_env(tmp_path)


@pytest.fixture
def git(env: dict[str, str]) -> Git:
    return Git(ProcessRunner(env=env))


def push_commit(env: dict[str, str], bare: Path, root: Path) -> str:
    work = root / "pusher"
    if not work.exists():
        sh(env, "git", "clone", "-q", str(bare), str(work))
    (work / "CHANGES").write_text("more\n")
    sh(env, "git", "add", "CHANGES", cwd=work)
    sh(env, "git", "commit", "-q", "-m", "more", cwd=work)
    sh(env, "git", "push", "-q", "origin", "HEAD:main", cwd=work)
    return sh(env, "git", "rev-parse", "HEAD", cwd=work)


@pytest.fixture
def remote(env: dict[str, str], tmp_path: Path) -> Path:
    return make_remote(env, tmp_path / "remotes", "platform")


def test_fresh_clone_with_progress(git: Git, remote: Path, tmp_path: Path) -> None:
    dest = tmp_path / "ws" / "platform"
    chunks: list[str] = []
    result = git.clone_or_reuse(f"file://{remote}", dest, progress=chunks.append)
    assert result.action == "cloned" and result.path == dest
    assert (dest / "README.md").read_text() == "# platform\n"
    assert "Cloning into" in "".join(chunks)
    assert [p.name for p in dest.parent.iterdir()] == ["platform"]  # no partial folder left behind
    assert git.remote_url(dest) == f"file://{remote}"


def test_clone_into_an_existing_empty_folder(git: Git, remote: Path, tmp_path: Path) -> None:
    dest = tmp_path / "empty"
    dest.mkdir()
    assert git.clone_or_reuse(f"file://{remote}", dest).action == "cloned"
    assert (dest / "README.md").exists()


def test_reuse_fetches(git: Git, remote: Path, tmp_path: Path, env: dict[str, str]) -> None:
    dest = tmp_path / "platform"
    git.clone_or_reuse(f"file://{remote}", dest)
    newer = push_commit(env, remote, tmp_path)
    (dest / "notes.txt").write_text("untracked files are left alone\n")
    result = git.clone_or_reuse(f"file://{remote}", dest)
    assert result.action == "reused"
    assert sh(env, "git", "rev-parse", "origin/main", cwd=dest) == newer


def test_same_remote_spelt_differently_is_reused(git: Git, remote: Path, tmp_path: Path) -> None:
    dest = tmp_path / "platform"
    git.clone_or_reuse(str(remote), dest)
    assert git.clone_or_reuse(f"file://{remote}/", dest).action == "reused"


def test_a_different_remote_is_an_error_that_says_what_to_do(
    git: Git, remote: Path, tmp_path: Path, env: dict[str, str]
) -> None:
    other = make_remote(env, tmp_path / "remotes", "other")
    dest = tmp_path / "platform"
    git.clone_or_reuse(f"file://{other}", dest)
    with pytest.raises(UserError) as caught:
        git.clone_or_reuse(f"file://{remote}", dest)
    assert caught.value.message == f"{dest} already holds a clone of file://{other}, not of file://{remote}"
    assert caught.value.hint is not None and "another workspace folder" in caught.value.hint


def test_a_dirty_tree_is_an_error_that_says_what_to_do(git: Git, remote: Path, tmp_path: Path) -> None:
    dest = tmp_path / "platform"
    git.clone_or_reuse(f"file://{remote}", dest)
    (dest / "README.md").write_text("local edit\n")
    with pytest.raises(UserError) as caught:
        git.clone_or_reuse(f"file://{remote}", dest)
    assert caught.value.message == f"{dest} has uncommitted changes (README.md)"
    assert caught.value.hint == f"commit or stash them first (`git -C {dest} stash`), then run again"


def test_a_folder_with_other_files_is_not_touched(git: Git, remote: Path, tmp_path: Path) -> None:
    dest = tmp_path / "stuff"
    dest.mkdir()
    (dest / "mine.txt").write_text("keep me")
    with pytest.raises(UserError, match="is not empty and is not a git clone"):
        git.clone_or_reuse(f"file://{remote}", dest)
    assert [p.name for p in dest.iterdir()] == ["mine.txt"]


def test_a_file_in_the_way(git: Git, remote: Path, tmp_path: Path) -> None:
    dest = tmp_path / "platform"
    dest.write_text("")
    with pytest.raises(UserError, match="is a file"):
        git.clone_or_reuse(f"file://{remote}", dest)


def test_a_missing_repository_leaves_nothing_behind(git: Git, tmp_path: Path) -> None:
    dest = tmp_path / "ws" / "platform"
    with pytest.raises(UserError) as caught:
        git.clone_or_reuse(f"file://{tmp_path}/nothing-here.git", dest)
    assert "repository not found" in caught.value.message
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def fake_ssh(tmp_path: Path, message: str) -> str:
    script = tmp_path / "fake-ssh"
    script.write_text(f"#!/bin/sh\necho '{message}' >&2\nexit 255\n")
    script.chmod(0o755)
    return str(script)


def test_ssh_auth_failure_says_how_to_set_up_keys(env: dict[str, str], tmp_path: Path) -> None:
    ssh = fake_ssh(tmp_path, "git@github.com: Permission denied (publickey).")
    git = Git(ProcessRunner(env={**env, "GIT_SSH_COMMAND": ssh}))
    with pytest.raises(EnvironmentProblem) as caught:
        git.clone_or_reuse("git@github.com:acme/platform.git", tmp_path / "platform")
    assert (
        caught.value.message
        == "git clone of git@github.com:acme/platform.git failed: github.com refused the credentials"
    )
    assert caught.value.hint is not None
    assert "ssh-keygen -t ed25519" in caught.value.hint and "ssh -T git@github.com" in caught.value.hint
    assert any("Permission denied (publickey)" in line for line in caught.value.details)
    assert not (tmp_path / "platform").exists()


def test_unknown_host_key_says_how_to_accept_it(env: dict[str, str], tmp_path: Path) -> None:
    ssh = fake_ssh(tmp_path, "Host key verification failed.")
    git = Git(ProcessRunner(env={**env, "GIT_SSH_COMMAND": ssh}))
    with pytest.raises(EnvironmentProblem) as caught:
        git.clone_or_reuse("ssh://git@git.example.com/acme/platform.git", tmp_path / "platform")
    assert "host key is not trusted" in caught.value.message
    assert caught.value.hint is not None and "ssh -T git@git.example.com" in caught.value.hint


class _Unauthorized(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_401() -> Iterator[str]:
    server = HTTPServer(("127.0.0.1", 0), _Unauthorized)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/acme/platform.git"
    server.shutdown()
    server.server_close()


def test_https_auth_failure_says_how_to_set_up_credentials(git: Git, http_401: str, tmp_path: Path) -> None:
    with pytest.raises(EnvironmentProblem) as caught:
        git.clone_or_reuse(http_401, tmp_path / "platform")  # not interactive: git may not prompt
    assert "refused the credentials" in caught.value.message
    assert caught.value.hint is not None and "credential helper" in caught.value.hint


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("git@github.com:acme/platform.git", "https://github.com/acme/platform"),
        ("ssh://git@github.com/acme/platform.git", "git@github.com:acme/platform"),
        ("https://GitHub.com/acme/platform.git/", "https://github.com/acme/platform"),
        ("/srv/git/platform.git", "file:///srv/git/platform"),
    ],
)
def test_same_remote(a: str, b: str) -> None:
    assert same_remote(a, b)


def test_different_remotes() -> None:
    assert not same_remote("git@github.com:acme/platform.git", "git@github.com:acme/other.git")
    assert not same_remote("git@github.com:acme/platform.git", "git@gitlab.com:acme/platform.git")
    assert remote_key("git@github.com:acme/platform.git") == "github.com/acme/platform"
