"""install.sh, run for real with `sh` (dash on Debian) in a temporary HOME."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.common import REPO_ROOT

SCRIPT = REPO_ROOT / "install.sh"
Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def pip_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pip-cache")  # dependencies download once per session


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def run(home: Path, tmp_path: Path, pip_cache: Path) -> Run:
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()

    def invoke(
        *args: str, env: dict[str, str | None] | None = None, script: Path = SCRIPT
    ) -> subprocess.CompletedProcess[str]:
        """Run install.sh in a clean environment; a None value in env unsets that variable."""
        base: dict[str, str | None] = {
            "HOME": str(home),
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "SHELL": "/bin/bash",
            "TMPDIR": str(tmpdir),
            "PIP_CACHE_DIR": str(pip_cache),
            "LANG": "C.UTF-8",
            **(env or {}),
        }
        environ = {key: value for key, value in base.items() if value is not None}
        return subprocess.run(
            ["sh", str(script), *args], env=environ, capture_output=True, text=True, timeout=600, check=False
        )

    return invoke


def tree(root: Path) -> dict[str, str]:
    """Every path under root with what it is (file content digest, link target, or dir)."""
    found: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        key = str(path.relative_to(root))
        if path.is_symlink():
            found[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def data_dir(home: Path) -> Path:
    return home / ".local/share/devenv"


def version_of(home: Path) -> str:
    done = subprocess.run([str(home / ".local/bin/devenv"), "--version"], capture_output=True, text=True, check=True)
    return done.stdout.strip()


# ------------------------------------------------------------------------------------------ static


def test_shellcheck_clean() -> None:
    if shutil.which("shellcheck") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("shellcheck is not installed (scripts/engine.sh start installs it)")
        pytest.skip("shellcheck is not installed")
    done = subprocess.run(["shellcheck", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout


def test_posix_sh_and_the_body_runs_only_from_the_last_line() -> None:
    assert SCRIPT.read_text().startswith("#!/bin/sh\n")
    subprocess.run(["sh", "-n", str(SCRIPT)], check=True)
    lines: list[str] = []
    heredoc = False
    for line in SCRIPT.read_text().splitlines():
        if heredoc:
            heredoc = line != "EOF"
        elif line.strip():
            lines.append(line)
            heredoc = "<<'EOF'" in line
    assert lines[-1] == 'main "$@"'
    # at top level there are only comments, function definitions and that last call
    top = [line for line in lines if not line.startswith((" ", "\t", "#", "}"))]
    assert all(line.endswith("() {") or line.endswith("}") for line in top[:-1]), top


def test_a_truncated_download_runs_nothing(tmp_path: Path, run: Run, home: Path) -> None:
    cut = tmp_path / "cut.sh"
    text = SCRIPT.read_text()
    cut.write_text(text[: text.index("link_command() {")])  # as if curl stopped half-way
    done = run("--yes", script=cut)
    assert tree(home) == {}
    assert "installing" not in done.stdout


def test_help(run: Run) -> None:
    done = run("--help")
    assert done.returncode == 0 and "--no-modify-path" in done.stdout


# ------------------------------------------------------------------------------------------ checkout


@pytest.mark.slow
def test_install_from_a_checkout_then_rerun_does_nothing(run: Run, home: Path) -> None:
    first = run("--yes")
    assert first.returncode == 0, first.stderr
    assert "installing devenv 0.1.0 (linux/" in first.stdout
    # after "Proceed?" each long step says what it is doing, in order, and pip how long it took
    steps = ["  creating a virtual environment in ", "  upgrading pip in it...", "    done in ", "  installing devenv"]
    assert [first.stdout.find(step) for step in steps] == sorted(first.stdout.find(step) for step in steps)
    assert first.stdout.count("s (pip's log: ") == 2 and -1 not in [first.stdout.find(step) for step in steps]
    link = home / ".local/bin/devenv"
    assert link.is_symlink() and os.readlink(link) == str(data_dir(home) / "venv/bin/devenv")
    assert version_of(home) == "devenv 0.1.0"
    assert (data_dir(home) / "receipt").read_text() == f"version=0.1.0 source=checkout:{REPO_ROOT.resolve()}\n"
    bashrc = (home / ".bashrc").read_text()
    assert bashrc == '\n# added by devenv install.sh\nexport PATH="$HOME/.local/bin:$PATH"\n'
    before = tree(home)

    again = run("--yes")
    assert again.returncode == 0, again.stderr
    assert "already installed" in again.stdout and "nothing to do" in again.stdout
    assert tree(home) == before  # the rc line is not added twice, no new venv

    dry = run("--dry-run", "--force")
    assert dry.returncode == 0 and "dry run: nothing was changed" in dry.stdout
    assert "would run:" in dry.stdout and "upgrading pip in it..." not in dry.stdout
    assert tree(home) == before

    forced = run("--yes", "--force")
    assert forced.returncode == 0, forced.stderr
    venvs = list((data_dir(home) / "venvs").iterdir())
    assert len(venvs) == 1 and os.readlink(data_dir(home) / "venv") == f"venvs/{venvs[0].name}"
    assert version_of(home) == "devenv 0.1.0"


def test_dry_run_on_a_fresh_home_changes_nothing(run: Run, home: Path, tmp_path: Path) -> None:
    done = run("--dry-run")
    assert done.returncode == 0, done.stderr
    assert "would add to" in done.stdout and "dry run: nothing was changed" in done.stdout
    assert tree(home) == {} and tree(tmp_path / "tmp") == {}


@pytest.mark.slow
def test_no_modify_path_prints_the_line_instead(run: Run, home: Path) -> None:
    done = run("--yes", "--no-modify-path")
    assert done.returncode == 0, done.stderr
    assert 'export PATH="$HOME/.local/bin:$PATH"' in done.stdout
    assert not (home / ".bashrc").exists() and not (home / ".profile").exists()
    assert version_of(home) == "devenv 0.1.0"


def test_path_already_set_or_rc_already_adding_it_is_left_alone(run: Run, home: Path) -> None:
    done = run("--dry-run", env={"PATH": f"{home}/.local/bin:/usr/local/bin:/usr/bin:/bin"})
    assert "would add to" not in done.stdout
    (home / ".profile").write_text('PATH="$HOME/.local/bin:$PATH"\n')
    done = run("--dry-run")
    assert "already puts ~/.local/bin on PATH" in done.stdout and "would add to" not in done.stdout


def test_zsh_users_get_zshrc(run: Run, home: Path) -> None:
    done = run("--dry-run", env={"SHELL": "/bin/zsh"})
    assert f"would add to {home}/.zshrc" in done.stdout


def test_fish_users_get_a_conf_d_file(run: Run, home: Path) -> None:
    done = run("--dry-run", env={"SHELL": "/usr/bin/fish"})
    assert f"would add to {home}/.config/fish/conf.d/devenv.fish" in done.stdout


def test_no_shell_variable_means_profile(run: Run, home: Path) -> None:
    """CI, cron and `env -i` leave SHELL unset; the script runs under `set -u` and must not trip on it."""
    done = run("--dry-run", env={"SHELL": None})
    assert done.returncode == 0, done.stderr
    assert f"would add to {home}/.profile" in done.stdout


@pytest.mark.slow
def test_someone_elses_file_in_the_way_is_not_overwritten(run: Run, home: Path) -> None:
    (home / ".local/bin").mkdir(parents=True)
    (home / ".local/bin/devenv").write_text("#!/bin/sh\necho mine\n")
    done = run("--yes")
    assert done.returncode == 1 and "is not devenv's link" in done.stderr
    assert (home / ".local/bin/devenv").read_text() == "#!/bin/sh\necho mine\n"


def test_data_dir_follows_xdg(run: Run, home: Path, tmp_path: Path) -> None:
    done = run("--dry-run", env={"XDG_DATA_HOME": str(tmp_path / "xdg")})
    assert f"virtual environment: {tmp_path}/xdg/devenv/venvs/0.1.0-" in done.stdout


# ------------------------------------------------------------------------------------------ release


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory, pip_cache: Path) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        ["python3", "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(REPO_ROOT)],
        env={**os.environ, "PIP_CACHE_DIR": str(pip_cache)},
        capture_output=True,
        check=True,
    )
    (found,) = out.glob("devenv-*.whl")
    return found


@pytest.mark.slow
def test_a_bad_checksum_leaves_nothing_installed(run: Run, home: Path, tmp_path: Path, wheel: Path) -> None:
    done = run("--yes", "--url", str(wheel), "--sha256", "0" * 64)
    assert done.returncode == 1
    assert "sha256 mismatch" in done.stderr and "Nothing was installed" in done.stderr
    assert tree(home) == {} and tree(tmp_path / "tmp") == {}


@pytest.mark.slow
def test_a_verified_release_artifact_installs(run: Run, home: Path, wheel: Path) -> None:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    done = run("--yes", "--no-modify-path", "--url", str(wheel), "--sha256", digest.upper())
    assert done.returncode == 0, done.stderr
    assert "verified sha256" in done.stdout
    assert version_of(home) == "devenv 0.1.0"
    assert (data_dir(home) / "receipt").read_text().startswith(f"version=0.1.0 source={wheel}#sha256=")


def test_url_without_sha256_fails_closed(run: Run, home: Path, wheel: Path) -> None:
    done = run("--yes", "--url", str(wheel))
    assert done.returncode == 1 and "needs --sha256" in done.stderr
    assert tree(home) == {}


def test_plain_http_is_refused(run: Run, home: Path) -> None:
    done = run("--yes", "--version", "1.0.0", "--url", "http://example.com/devenv-1.0.0.whl", "--sha256", "a" * 64)
    assert done.returncode == 1 and "only https://" in done.stderr
    assert tree(home) == {}
