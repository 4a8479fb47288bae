"""Seed command lines never carry a secret, and the rules of exactly-once seeding (pure, no engine)."""

from __future__ import annotations

import subprocess

import pytest

from devenv.domain import seeding
from devenv.redact import redact

ENV = "DEVENV_SECRET_DB_PASSWORD"


def test_a_secret_in_a_shell_script_is_expanded_by_that_shell_from_its_environment() -> None:
    argv, used = seeding.seed_argv(["sh", "-c", 'psql -c "${who}" ${db_password}'], {"who": "me"}, {"db_password"})
    assert argv == ["sh", "-c", 'psql -c "me" ${' + ENV + "}"]
    assert used == [ENV]


def test_a_secret_in_a_plain_argument_is_passed_through_the_environment() -> None:
    words = ["app", "--password=${db_password}", "it's ${who}"]
    argv, used = seeding.seed_argv(words, {"who": "me"}, {"db_password"})
    assert used == [ENV]
    assert "s3cr3t" not in " ".join(argv) and argv[:2] == ["sh", "-c"]
    # the shell in the container rebuilds exactly the words the profile meant
    shown = subprocess.run(
        ["sh", "-c", argv[2].replace("exec app", "exec printf '%s\\n'"), "sh"],
        env={ENV: "s3 'cr3t"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert shown == "--password=s3 'cr3t\nit's me\n"


def test_a_task_without_secrets_runs_as_written() -> None:
    assert seeding.seed_argv(["python3", "-m", "seed", "${who}"], {"who": "me"}, {"pw"}) == (
        ["python3", "-m", "seed", "me"],
        [],
    )


def test_a_started_or_failed_task_asks_for_a_clean_start() -> None:
    assert seeding.clean_start_reason(False, {"1. a": "done"}, True) is None
    assert seeding.clean_start_reason(False, {}, False) is None
    started = seeding.clean_start_reason(False, {"1. a": "done", "2. b": "started"}, False)
    assert "was interrupted (task 2. b)" in str(started)
    assert "the seed failed (task 1. a)" in str(seeding.clean_start_reason(False, {"1. a": "failed"}, False))
    assert "`devenv reset` did not finish" in str(seeding.clean_start_reason(True, {}, True))


def test_killed_between_two_tasks_is_interrupted_too() -> None:
    """Task 1 done, task 2 never recorded: running both again would repeat task 1."""
    reason = seeding.clean_start_reason(False, {"1. a": "done"}, False)
    assert "was interrupted (after task 1. a)" in str(reason)


def test_lost_volumes_are_those_missing_before_the_start_or_now_another_volume() -> None:
    recorded = {"db": "p_db", "cache": "p_cache"}
    assert seeding.lost_volumes(recorded, dict(recorded)) == []
    assert seeding.lost_volumes(recorded, {"db": "q_db"}) == ["cache", "db"]
    # a state from before: `name@creation time`, and a creation time that moved (a database started)
    assert seeding.lost_volumes({"db": "p_db@2026-01-01"}, {"db": "p_db"}) == []


def test_redact_hides_every_value_longest_first_and_skips_tiny_ones() -> None:
    assert redact("pw=abcdef and abc, 1", {"abc", "abcdef", "1"}) == "pw=*** and ***, 1"


def test_the_error_handler_hides_secrets_in_message_details_and_hint(capsys: pytest.CaptureFixture[str]) -> None:
    from devenv.cli.main import report_error
    from devenv.errors import StackFailure

    report_error(StackFailure("db said pw-XYZ", hint="try pw-XYZ", details=["a", "log: pw-XYZ"]), {"pw-XYZ"})
    err = capsys.readouterr().err
    assert "pw-XYZ" not in err and err.count("***") == 3
