"""git, as argv through the process runner: clone the platform repo, or reuse a clone that is already there.

A clone goes to a temporary sibling folder and is renamed into place when complete, so an interrupted
clone leaves nothing half-written and running again simply starts over.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from devenv.adapters.process import Completed, ProcessRunner
from devenv.errors import EnvironmentProblem, UserError

AUTH_MARKERS = (
    "permission denied (publickey",
    "authentication failed",
    "could not read username",
    "could not read password",
    "terminal prompts disabled",
    "invalid username or password",
    "http basic: access denied",
    "the requested url returned error: 403",
    "the requested url returned error: 401",
)
HOST_KEY_MARKERS = ("host key verification failed",)
NOT_FOUND_MARKERS = ("repository not found", "does not appear to be a git repository", "not found")
NETWORK_MARKERS = (
    "could not resolve host",
    "connection timed out",
    "connection refused",
    "network is unreachable",
)


@dataclass(frozen=True)
class CloneResult:
    path: Path
    url: str
    action: Literal["cloned", "reused"]


def remote_key(url: str) -> str:
    """A comparable form of a git remote: host/path without scheme, user, port, `.git` or slashes.

    `git@github.com:acme/platform.git`, `ssh://git@github.com/acme/platform` and
    `https://github.com/acme/platform` are the same repository; file:// and plain paths compare as paths.
    """
    text = url.strip()
    if "://" in text:
        parts = urlsplit(text)
        if parts.scheme == "file":
            return "file:" + _strip_repo(str(Path(parts.path).resolve()) if parts.path else "")
        host = (parts.hostname or "").lower()
        return f"{host}/{_strip_repo(parts.path)}"
    match = re.match(r"^(?:[^@/]+@)?([^:/]+):(.+)$", text)  # scp-like: user@host:path
    if match and not text.startswith("/"):
        return f"{match.group(1).lower()}/{_strip_repo(match.group(2))}"
    return "file:" + _strip_repo(str(Path(text).expanduser().resolve()))


def _strip_repo(path: str) -> str:
    path = path.strip("/")
    if path.endswith(".git"):
        path = path[: -len(".git")]
    return path.rstrip("/")


def same_remote(a: str, b: str) -> bool:
    return remote_key(a) == remote_key(b)


def _host_of(url: str) -> str:
    if "://" in url:
        return urlsplit(url).hostname or "the git host"
    match = re.match(r"^(?:[^@/]+@)?([^:/]+):", url)
    return match.group(1) if match else "the git host"


def _is_ssh(url: str) -> bool:
    return url.startswith("ssh://") or ("://" not in url and bool(re.match(r"^(?:[^@/]+@)?[^:/]+:", url)))


class Git:
    def __init__(self, runner: ProcessRunner) -> None:
        self.runner = runner

    # ---------------------------------------------------------------------------------------- queries

    def _git(self, *args: str, cwd: Path | None = None) -> Completed:
        return self.runner.run(["git", *args], cwd=cwd)

    def toplevel(self, path: Path) -> Path | None:
        done = self._git("rev-parse", "--show-toplevel", cwd=path)
        return Path(done.stdout.strip()).resolve() if done.ok else None

    def remote_url(self, path: Path, remote: str = "origin") -> str | None:
        done = self._git("remote", "get-url", remote, cwd=path)
        return done.stdout.strip() if done.ok else None

    def changed_files(self, path: Path) -> list[str]:
        """Tracked files with uncommitted changes (untracked files are left alone: fetch cannot harm them)."""
        done = self._git("status", "--porcelain", "--untracked-files=no", cwd=path)
        if not done.ok:
            raise EnvironmentProblem(f"`git status` failed in {path}", details=_tail(done.stdout + done.stderr))
        return [line[3:] for line in done.stdout.splitlines() if line.strip()]

    # ---------------------------------------------------------------------------------------- actions

    def clone_or_reuse(
        self,
        url: str,
        dest: Path,
        *,
        branch: str | None = None,
        progress: Callable[[str], None] | None = None,
        interactive: bool = False,
    ) -> CloneResult:
        """Clone `url` into `dest`, or reuse (and fetch) a clone of the same remote already there.

        `progress` receives git's progress output as it comes (the CLI passes the terminal's write).
        A folder holding something else, a clone of another remote, or uncommitted changes is a UserError
        that says what to do; an authentication failure says how to set up access.
        """
        if self.runner.which("git") is None:
            raise EnvironmentProblem(
                "git is not installed",
                hint="`devenv doctor --fix` installs it, or install git with your package manager",
            )
        dest = dest.expanduser()
        if dest.exists() and not dest.is_dir():
            raise UserError(
                f"{dest} exists and is a file, not a folder for the platform repo",
                hint="move it away or choose another workspace folder",
            )
        if dest.is_dir() and any(dest.iterdir()):
            return self._reuse(url, dest, progress=progress, interactive=interactive)
        return self._clone(url, dest, branch=branch, progress=progress, interactive=interactive)

    def _reuse(self, url: str, dest: Path, *, progress: Callable[[str], None] | None, interactive: bool) -> CloneResult:
        top = self.toplevel(dest)
        if top is None or top != dest.resolve():
            raise UserError(
                f"{dest} is not empty and is not a git clone of {url}",
                hint="choose an empty or new folder for the workspace, or move the existing files away",
            )
        current = self.remote_url(dest)
        if current is None:
            raise UserError(
                f"{dest} is a git repository with no 'origin' remote, not a clone of {url}",
                hint=f"add it with `git -C {dest} remote add origin {url}` if it is the same project, "
                "or choose another folder",
            )
        if not same_remote(current, url):
            raise UserError(
                f"{dest} already holds a clone of {current}, not of {url}",
                hint="choose another workspace folder, or move that clone away and run again",
            )
        changed = self.changed_files(dest)
        if changed:
            shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
            raise UserError(
                f"{dest} has uncommitted changes ({shown})",
                hint=f"commit or stash them first (`git -C {dest} stash`), then run again",
            )
        done = self.runner.stream(
            ["git", "fetch", "--prune", "--progress", "origin"],
            cwd=dest,
            on_output=progress,
            env=self._env(interactive),
        )
        if not done.ok:
            raise self._failure("fetch", current, done)
        return CloneResult(dest, url, "reused")

    def _clone(
        self,
        url: str,
        dest: Path,
        *,
        branch: str | None,
        progress: Callable[[str], None] | None,
        interactive: bool,
    ) -> CloneResult:
        dest.parent.mkdir(parents=True, exist_ok=True)
        partial = dest.parent / f".{dest.name}.devenv-partial"
        if partial.exists():
            shutil.rmtree(partial)  # an earlier clone was interrupted: start over
        argv = ["git", "clone", "--progress"]
        if branch:
            argv += ["--branch", branch]
        argv += ["--", url, str(partial)]
        try:
            done = self.runner.stream(argv, on_output=progress, env=self._env(interactive))
            if not done.ok:
                raise self._failure("clone", url, done)
            if dest.is_dir():
                dest.rmdir()  # it was empty
            partial.rename(dest)
        finally:
            if partial.exists():
                shutil.rmtree(partial, ignore_errors=True)
        return CloneResult(dest, url, "cloned")

    # ------------------------------------------------------------------- profile source repositories

    def sync(self, path: Path) -> None:
        """Fetch branches and tags (moved tags too) and move the checked-out branch to the remote's."""
        done = self._git("fetch", "--prune", "--tags", "--force", "origin", cwd=path)
        if not done.ok:
            raise self._failure("fetch", self.remote_url(path) or str(path), done)
        upstream = self._git("rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}", cwd=path)
        if upstream.ok:  # an empty remote has no branch yet
            self._must(path, "merge", "--ff-only", "--quiet", upstream.stdout.strip())

    def tags(self, path: Path) -> list[str]:
        return self._must(path, "tag", "--list").stdout.split()

    def tags_at(self, path: Path, commit: str) -> list[str]:
        return self._must(path, "tag", "--points-at", commit).stdout.split()

    def commit_of(self, path: Path, ref: str) -> str:
        return self._must(path, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").stdout.strip()

    def export(self, path: Path, commit: str, archive: Path) -> None:
        """The tree of `commit` as a tar file (the caller unpacks it: no checkout of old versions)."""
        self._must(path, "archive", "--format=tar", "-o", str(archive), commit)

    def unpushed(self, path: Path) -> bool:
        """Commits on the checked-out branch that its upstream does not have (an earlier publish failed)."""
        done = self._git("rev-list", "--count", "@{u}..HEAD", cwd=path)
        return done.ok and done.stdout.strip() not in ("", "0")

    def verify_tag(self, path: Path, tag: str, allowed_signers: Path) -> tuple[bool, str]:
        """git's ssh signature check of a tag against an allowed-signers file: (good, git's words)."""
        done = self._git("-c", f"gpg.ssh.allowedSignersFile={allowed_signers}", "verify-tag", tag, cwd=path)
        return done.ok, (done.stderr or done.stdout).strip()

    def commit_and_tag(self, path: Path, folder: str, message: str, tag: str, *, sign: bool) -> None:
        self._must(path, "add", "--all", "--", folder)
        self._must(path, "commit", "--quiet", "-m", message, "--", folder)
        self._must(path, "tag", "-s" if sign else "-a", tag, "-m", message)

    def push_tagged(self, path: Path, tag: str) -> Completed:
        """Push the branch and the tag together (atomically where the remote supports it)."""
        branch = self._must(path, "rev-parse", "--abbrev-ref", "HEAD").stdout.strip()
        return self._git("push", "--atomic", "--porcelain", "origin", f"HEAD:refs/heads/{branch}", tag, cwd=path)

    def undo_tagged_commit(self, path: Path, tag: str) -> None:
        """Take back a commit and tag that could not be pushed, so the clone is as it was."""
        self._git("tag", "-d", tag, cwd=path)
        self._git("reset", "--hard", "--quiet", "HEAD~1", cwd=path)

    def _must(self, path: Path, *args: str) -> Completed:
        done = self._git(*args, cwd=path)
        if not done.ok:
            raise EnvironmentProblem(
                f"`git {' '.join(args[:2])}` failed in {path}",
                hint="the output below says why",
                details=_tail(done.stdout + done.stderr),
            )
        return done

    @staticmethod
    def _env(interactive: bool) -> dict[str, str]:
        # without a terminal, a password prompt would hang forever: make git fail instead
        return {} if interactive else {"GIT_TERMINAL_PROMPT": "0"}

    def _failure(self, what: str, url: str, done: Completed) -> Exception:
        output = done.stdout + done.stderr
        text = output.lower()
        host = _host_of(url)
        details = _tail(output)
        if any(m in text for m in HOST_KEY_MARKERS):
            return EnvironmentProblem(
                f"git {what} of {url} failed: {host}'s SSH host key is not trusted yet",
                hint=f"run `ssh -T git@{host}` once, check the fingerprint against {host}'s "
                "documentation and accept it; then run again",
                details=details,
            )
        if any(m in text for m in AUTH_MARKERS):
            if _is_ssh(url):
                hint = (
                    f"set up an SSH key for {host}: `ssh-keygen -t ed25519`, add ~/.ssh/id_ed25519.pub "
                    f"to your account on {host}, check with `ssh -T git@{host}`; or use the https URL"
                )
            else:
                hint = (
                    f"set up credentials for {host}: a credential helper "
                    "(`git config --global credential.helper store`, or your platform's: osxkeychain, "
                    "libsecret, `gh auth setup-git`) with a personal access token; or use the ssh URL"
                )
            return EnvironmentProblem(
                f"git {what} of {url} failed: {host} refused the credentials", hint=hint, details=details
            )
        if any(m in text for m in NETWORK_MARKERS):
            return EnvironmentProblem(
                f"git {what} of {url} failed: cannot reach {host}",
                hint="check the network (and any proxy or VPN), then run again",
                details=details,
            )
        if any(m in text for m in NOT_FOUND_MARKERS):
            return UserError(
                f"git {what} of {url} failed: repository not found",
                hint="check the repo URL in the profile (a private repo says this too when you lack access)",
                details=details,
            )
        return EnvironmentProblem(
            f"git {what} of {url} failed (exit {done.returncode})",
            hint="the output above says why; fix it and run again",
            details=details,
        )


def _tail(output: str, lines: int = 15) -> list[str]:
    cleaned = [line.split("\r")[-1].rstrip() for line in output.splitlines()]
    kept = [line for line in cleaned if line]
    return kept[-lines:]
