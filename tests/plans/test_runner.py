"""Running plans for real, against fake package managers that record their argv."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest

from devenv.domain.doctor.platform import Platform
from devenv.domain.setup import compose_release
from devenv.domain.setup.model import Options, Plan, SetupState, Step
from devenv.domain.setup.plans import setup_plan
from devenv.errors import EnvironmentProblem
from devenv.usecases.plans import render_plan, run_plan
from tests.helpers.fakebin import FakeBin, make_fakebin
from tests.helpers.platforms import ARCH, DEBIAN_12, DEBIAN_13, FEDORA_41, MAC_ARM, UBUNTU_2404


@pytest.fixture
def fake(tmp_path: Path) -> FakeBin:
    fb = make_fakebin(tmp_path)
    fb.link("mkdir")
    fb.link("sha256sum")
    return fb


class Recorder:
    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.lines: list[str] = []
        self.questions: list[str] = []

    def out(self, text: str) -> None:
        self.lines.append(text)

    def confirm(self, question: str) -> bool:
        self.questions.append(question)
        return self.answer

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def expected_log(plan: Plan, *, as_root: bool) -> list[str]:
    """What the fakes record: `sudo ...` then the command itself for root steps; tee adds its stdin."""
    lines: list[str] = []
    for step in plan.steps:
        if step.needs_root and not as_root:
            lines.append(" ".join(("sudo", *step.argv)))
        lines.append(" ".join((Path(step.argv[0]).name, *step.argv[1:])))
        if step.argv[0] == "tee" and step.stdin:
            lines += [f"stdin: {line}" for line in step.stdin.splitlines()]
    return lines


def test_dry_run_prints_the_plan_and_runs_nothing(fake: FakeBin) -> None:
    plan = setup_plan(DEBIAN_12, SetupState(), Options(download_dir=str(fake.bin.parent / "dl")))
    rec = Recorder()
    result = run_plan(plan, fake.runner(), as_root=False, out=rec.out, confirm=rec.confirm, dry_run=True)
    assert result.dry_run and result.steps_run == 0
    assert fake.calls() == [] and rec.questions == []
    assert "1. sudo apt-get update" in rec.text and "dry run: nothing was changed" in rec.text
    assert not (fake.bin.parent / "dl").exists()


@pytest.mark.parametrize(
    ("platform", "state"),
    [
        (DEBIAN_12, SetupState()),
        (UBUNTU_2404, SetupState()),
        (FEDORA_41, SetupState()),
        (ARCH, SetupState()),
        (DEBIAN_12, SetupState(cli=True, engine=True, running=False, compose=True)),
    ],
    ids=["debian12-nothing", "ubuntu-nothing", "fedora-nothing", "arch-nothing", "debian-stopped"],
)
def test_plan_runs_every_step_in_order_with_sudo(
    fake: FakeBin, monkeypatch: pytest.MonkeyPatch, platform: Platform, state: SetupState
) -> None:
    monkeypatch.setitem(compose_release.COMPOSE_RELEASE_SHA256, "x86_64", hashlib.sha256(b"binary").hexdigest())
    plan = setup_plan(platform, state, Options(download_dir=str(fake.bin.parent / "dl")))
    rec = Recorder()
    result = run_plan(plan, fake.runner(), as_root=False, out=rec.out, confirm=rec.confirm)
    assert result.steps_run == len(plan.steps) > 0
    assert len(rec.questions) == 1  # asked once
    assert fake.calls() == [
        line for line in expected_log(plan, as_root=False) if not line.startswith(("mkdir", "sha256sum"))
    ]


def test_macos_plan_runs_through_homebrew(fake: FakeBin, tmp_path: Path) -> None:
    prefix = tmp_path / "homebrew"
    (prefix / "bin").mkdir(parents=True)
    (prefix / "bin" / "brew").symlink_to(fake.bin / "brew")
    mac = replace(MAC_ARM, brew_prefix=str(prefix), home=str(tmp_path / "home"))
    fake.link("ln")
    plan = setup_plan(mac, SetupState(), Options(download_dir=str(tmp_path / "dl")))
    rec = Recorder()
    run_plan(plan, fake.runner(), as_root=False, out=rec.out, confirm=rec.confirm)
    assert fake.calls() == [
        "brew install colima docker",
        "brew install docker-compose",
        "colima start --memory 4",
    ]
    link = tmp_path / "home/.docker/cli-plugins/docker-compose"
    assert link.is_symlink() and str(link.readlink()) == f"{prefix}/opt/docker-compose/bin/docker-compose"


def test_as_root_runs_without_sudo(fake: FakeBin) -> None:
    plan = setup_plan(DEBIAN_12, SetupState(cli=True, engine=True, compose=True), Options())
    rec = Recorder()
    run_plan(plan, fake.runner(), as_root=True, out=rec.out, confirm=rec.confirm, assume_yes=True)
    assert fake.calls() == ["systemctl enable --now docker.service"]
    assert rec.questions == []  # --yes


def test_a_failing_step_stops_the_plan_with_its_command_and_output(fake: FakeBin) -> None:
    plan = setup_plan(DEBIAN_13, SetupState(), Options())
    rec = Recorder()
    with pytest.raises(EnvironmentProblem) as caught:
        run_plan(plan, fake.runner(FAKE_FAIL="apt-get"), as_root=False, out=rec.out, confirm=rec.confirm)
    err = caught.value
    assert err.message == "step 1 of 4 failed (exit 100): sudo apt-get update"
    assert err.details == [
        "output of `sudo apt-get update` (last lines):",
        "E: simulated failure of apt-get",
        "W: and a line on stderr",
    ]
    assert err.hint is not None and "run the same devenv command again" in err.hint
    assert fake.calls() == ["sudo apt-get update", "apt-get update"]  # nothing after the failure


def test_a_later_failure_keeps_earlier_steps_and_names_the_failing_one(fake: FakeBin) -> None:
    plan = setup_plan(DEBIAN_13, SetupState(), Options())
    with pytest.raises(EnvironmentProblem) as caught:
        run_plan(plan, fake.runner(FAKE_FAIL="systemctl"), as_root=True, out=print, confirm=lambda _q: True)
    assert caught.value.message == "step 4 of 4 failed (exit 100): systemctl enable --now docker.service"
    assert fake.calls()[-1] == "systemctl enable --now docker.service"


def test_declining_runs_nothing(fake: FakeBin) -> None:
    rec = Recorder(answer=False)
    result = run_plan(setup_plan(DEBIAN_12, SetupState(), Options()), fake.runner(), as_root=False,
                      out=rec.out, confirm=rec.confirm)  # fmt: skip
    assert result.declined and fake.calls() == []
    assert rec.questions == ["Run these 7 steps?"]


def test_a_blocked_plan_raises_with_its_hint_and_runs_nothing(fake: FakeBin) -> None:
    no_sudo = replace(DEBIAN_12, commands=frozenset())
    plan = setup_plan(no_sudo, SetupState(), Options())
    rec = Recorder()
    with pytest.raises(EnvironmentProblem) as caught:
        run_plan(plan, fake.runner(), as_root=False, out=rec.out, confirm=rec.confirm)
    assert "sudo is not available" in caught.value.message
    assert caught.value.hint is not None and "apt-get install -y docker.io" in caught.value.hint
    assert fake.calls() == [] and rec.questions == []


def test_bad_checksum_stops_before_install(fake: FakeBin, tmp_path: Path) -> None:
    plan = compose_release.compose_release_steps(DEBIAN_12, Options(download_dir=str(tmp_path / "dl")))
    rec = Recorder()
    with pytest.raises(EnvironmentProblem) as caught:
        run_plan(plan, fake.runner(FAKE_CURL_BODY="tampered"), as_root=True, out=rec.out, confirm=rec.confirm)
    assert caught.value.message.startswith("step 3 of 4 failed")
    assert "sha256sum --check --strict -" in caught.value.message
    assert any("FAILED" in line for line in caught.value.details)
    assert not any(call.startswith("install") for call in fake.calls())


def test_good_checksum_installs(fake: FakeBin, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(compose_release.COMPOSE_RELEASE_SHA256, "x86_64", hashlib.sha256(b"binary").hexdigest())
    plan = compose_release.compose_release_steps(DEBIAN_12, Options(download_dir=str(tmp_path / "dl")))
    run_plan(plan, fake.runner(), as_root=True, out=print, confirm=lambda _q: True)
    bin_path = tmp_path / "dl/docker-compose-linux-x86_64-2.40.3"
    assert fake.calls()[-1] == f"install -D -m 0755 {bin_path} /usr/local/lib/docker/cli-plugins/docker-compose"


def test_stdin_reaches_the_command(fake: FakeBin) -> None:
    plan = Plan("t", (Step(("tee", "/etc/apt/sources.list.d/docker.list"), True, "repo", stdin="deb x y\n"),))
    run_plan(plan, fake.runner(), as_root=False, out=print, confirm=lambda _q: True)
    assert fake.calls() == [
        "sudo tee /etc/apt/sources.list.d/docker.list",
        "tee /etc/apt/sources.list.d/docker.list",
        "stdin: deb x y",
    ]


def test_missing_sudo_is_explained(tmp_path: Path) -> None:
    fb = make_fakebin(tmp_path, commands=("apt-get",))
    (fb.bin / "sudo").unlink()
    plan = Plan("t", (Step(("apt-get", "update"), True, "lists"),))
    with pytest.raises(EnvironmentProblem) as caught:
        run_plan(plan, fb.runner(), as_root=False, out=print, confirm=lambda _q: True)
    assert "step 1 of 1 failed: sudo apt-get update" in caught.value.message
    assert caught.value.hint is not None and "run devenv as root" in caught.value.hint


def test_render_shows_why_notes_and_the_sudo_warning() -> None:
    text = render_plan(setup_plan(replace(DEBIAN_12, has_systemd=False), SetupState(), Options()), as_root=False)
    assert "why: install Debian's Docker engine and CLI (docker.io)" in text
    assert "sudo may ask for your password" in text
    assert "note: this Linux does not run systemd" in text
