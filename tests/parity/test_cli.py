"""`devenv parity` through the real CLI: the report, --json, exit codes for CI, and bad input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.helpers.common import Result
from tests.helpers.parity import FIXTURES

Cli = Callable[..., Result]
DEV = str(FIXTURES / "dev" / "docker-compose.yml")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_report_is_grouped_by_service_and_fails_on_errors(cli: Cli) -> None:
    result = cli("parity", "--dev", DEV, "--against", str(FIXTURES / "k8s"), "--no-runtime", "--format", "table")
    assert result.code == 1
    out = result.out
    assert "db  ~  StatefulSet/postgres  (image name" in out
    assert "version-minor-drift" in out and "postgres:15.4" in out and "postgres:15.10" in out
    assert "workload-missing-in-dev" in out
    assert out.rstrip().endswith("FAILED (fails on errors)")
    assert result.err == ""


def test_json_report_for_tools(cli: Cli, tmp_path: Path) -> None:
    config = write(
        tmp_path / "parity.yml",
        "parity:\n  services:\n    web: {workload: api}\n    mailhog: {dev_only: true}\n",
    )
    result = cli(
        "parity",
        "--dev",
        DEV,
        "-a",
        str(FIXTURES / "k8s"),
        "--parity-config",
        str(config),
        "--json",
        "--no-runtime",
    )
    assert result.code == 1
    data = json.loads(result.out)
    assert data["summary"]["failed"] is True
    api = str(FIXTURES / "k8s" / "api.yaml")  # outside the parity config's folder: shown in full
    assert {"service": "web", "counterpart": "Deployment/api", "how": "explicit", "source": api} in data["matches"]
    web = [f for f in data["findings"] if f["service"] == "web"]
    by_code = {f["code"]: f for f in web}
    assert by_code["env-only-in-dev"]["keys"] == ["DEBUG"]
    assert by_code["env-value-differs"]["dev"] == "'debug' [literal]"
    assert by_code["env-value-differs"]["prod"] == "'info' [literal]"
    assert by_code["digest-unchecked"]["severity"] == "info"
    assert by_code["command-differs"]["workload"] == "Deployment/api"
    assert set(by_code["digest-unchecked"]) >= {"code", "severity", "message", "summary", "allowed", "source"}


def test_clean_stack_passes_and_strict_fails_on_warnings(cli: Cli, tmp_path: Path) -> None:
    prod = write(tmp_path / "prod.yml", "services:\n  api:\n    image: app:1.0\n    environment: {MODE: prod}\n")
    clean = write(tmp_path / "dev.yml", "services:\n  api:\n    image: app:1.0\n    environment: {MODE: prod}\n")
    warned = write(tmp_path / "dev2.yml", "services:\n  api:\n    image: app:1.0\n    environment: {MODE: dev}\n")
    ok = cli("parity", "--dev", str(clean), "--against", str(prod), "--no-runtime", "--format", "table")
    assert ok.code == 0, ok.out
    assert "no differences" in ok.out and "parity: clean against prod.yml" in ok.out
    text = cli("parity", "--dev", str(warned), "--against", str(prod), "--no-runtime")
    assert text.code == 0
    assert "'dev' [literal]" in text.out and "'prod' [literal]" in text.out  # values, not rich markup
    strict = cli("parity", "--dev", str(warned), "--against", str(prod), "--no-runtime", "--strict", "--json")
    assert strict.code == 1
    assert json.loads(strict.out)["summary"] == {
        "errors": 0,
        "warnings": 1,
        "info": 0,
        "allowed": 0,
        "failed": True,
        "strict": True,
    }


def test_allow_list_in_parity_config_makes_ci_pass(cli: Cli, tmp_path: Path) -> None:
    write(tmp_path / "prod.yml", "services:\n  api:\n    image: app:1.0\n")
    dev = write(tmp_path / "dev.yml", "services:\n  api:\n    image: app:1.0\n    environment: {DEBUG: '1'}\n")
    config = write(
        tmp_path / "parity.yml",
        "parity:\n  against: [{compose: prod.yml, name: swarm}]\n  allow:\n"
        "    - {rule: env-only-in-dev, service: api, keys: [DEBUG], reason: dev-only switch,\n"
        "       expires: 2999-01-01}\n",
    )
    result = cli("parity", "--dev", str(dev), "--parity-config", str(config), "--strict", "--no-runtime")
    assert result.code == 0, result.out
    assert "allowed-warning env-only-in-dev api[DEBUG]:" in result.out and "dev-only switch" in result.out
    assert "(1 allowed)" in result.out
    by_name = cli("parity", "--dev", str(dev), "--parity-config", str(config), "-a", "swarm", "--no-runtime")
    assert by_name.code == 0


def test_a_dev_compose_file_of_the_wrong_shape_names_its_line(cli: Cli, tmp_path: Path) -> None:
    dev = write(tmp_path / "dev.yml", "services:\n  web:\n    image: app:1\n    environment: 5\n")
    result = cli("parity", "--dev", str(dev), "--against", str(FIXTURES / "k8s"), "--no-runtime")
    assert result.code == 2
    assert result.err.startswith("error: dev.yml:4: expected a mapping, found int at services.web.environment")


def test_bad_input_is_a_message_with_a_hint_not_a_traceback(cli: Cli, tmp_path: Path) -> None:
    bad = write(tmp_path / "k8s" / "api.yaml", "kind: Deployment\napiVersion: apps/v1\nmetadata: [\n")
    result = cli("parity", "--dev", DEV, "--against", str(tmp_path / "k8s"), "--no-runtime")
    assert result.code == 2
    assert result.err.startswith(f"error: {bad}:4: invalid YAML")
    assert "hint: " in result.err and "Traceback" not in result.err
    missing = cli("parity", "--dev", DEV, "--against", "deploy/nowhere/", "--no-runtime")
    assert missing.code == 2 and "no such file or folder" in missing.err


def test_dev_is_required_until_a_workspace_exists(cli: Cli) -> None:
    result = cli("parity", "--against", str(FIXTURES / "k8s"), "--no-runtime")
    assert result.code == 2
    assert "--dev FILE" in result.err


def test_unknown_against_name(cli: Cli) -> None:
    result = cli("parity", "--dev", DEV, "--against", "production", "--no-runtime")
    assert result.code == 2
    assert "no such file, folder or parity.against name" in result.err


def test_summary_line_for_status(cli: Cli, tmp_path: Path) -> None:
    from devenv.usecases.parity import check_parity

    dev = {"services": {"api": {"image": "app:1.0", "environment": {"X": "1"}}}}
    prod = write(tmp_path / "prod.yml", "services:\n  api:\n    image: app:2.0\n")
    report = check_parity(dev, None, tmp_path, [prod])
    assert report.summary_line() == "parity: 2 warnings against prod.yml"  # X only in dev; app 1.0 vs 2.0
    write(tmp_path / "prod.yml", "services:\n  api:\n    image: app:1.0\n    environment: {X: '1'}\n")
    assert check_parity(dev, None, tmp_path, [prod]).summary_line() == "parity: clean against prod.yml"


# ------------------------------------------------------------------------------- output for CI (class 6)

TWELVE_PROD = "services:\n" + "".join(
    f"  s{i:02}:\n    image: app/s{i:02}:1.0\n    deploy: {{resources: {{limits: {{memory: 512M}}}}}}\n"
    for i in range(12)
)
TWELVE_DEV = "services:\n" + "".join(f"  s{i:02}:\n    image: app/s{i:02}:1.0\n" for i in range(12))


def test_not_on_a_terminal_one_finding_per_line_never_wrapped(cli: Cli, tmp_path: Path) -> None:
    """Piped (as in CI), even at 40 columns: each finding is one whole line, its code never split."""
    long_value = "x" * 150
    prod = write(
        tmp_path / "prod.yml", f"services:\n  api:\n    image: app:1.0\n    environment: {{MODE: {long_value}}}\n"
    )
    dev = write(tmp_path / "dev.yml", "services:\n  api:\n    image: app:1.0\n    environment: {MODE: dev}\n")
    result = cli("parity", "--dev", str(dev), "--against", str(prod), "--no-runtime", env={"COLUMNS": "40"})
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "dev: dev.yml" and lines[1] == "against: prod.yml"
    assert "match api ~ compose/api (service name, prod.yml)" in lines
    (finding,) = [line for line in lines if "env-value-differs" in line]
    assert finding.startswith("warning env-value-differs api[MODE]: 'dev' [literal] -> ")
    assert long_value in finding
    assert lines[-1] == "parity: 1 warning against prod.yml: passed (fails on errors)"


def test_identical_findings_on_many_services_are_one_line(cli: Cli, tmp_path: Path) -> None:
    prod = write(tmp_path / "prod.yml", TWELVE_PROD)
    dev = write(tmp_path / "dev.yml", TWELVE_DEV)
    result = cli("parity", "--dev", str(dev), "--against", str(prod), "--no-runtime", "--format", "lines")
    resources = [line for line in result.out.splitlines() if "resources-differ" in line]
    assert len(resources) == 1
    services = ", ".join(f"s{i:02}" for i in range(12))
    assert f"info    resources-differ {services} (12 services)" in resources[0]
    table = cli("parity", "--dev", str(dev), "--against", str(prod), "--no-runtime", "--format", "table")
    assert table.out.count("resources-differ") == 12  # the table still shows each service's own


def test_github_annotations(cli: Cli, tmp_path: Path) -> None:
    prod = write(tmp_path / "prod.yml", "services:\n  api:\n    image: app:1.0\n    environment: {MODE: a:b}\n")
    dev = write(tmp_path / "dev.yml", "services:\n  api:\n    image: app:1.0\n    environment: {MODE: dev}\n")
    result = cli("parity", "--dev", str(dev), "--against", str(prod), "--no-runtime", "--format", "github")
    first, last = result.out.splitlines()
    assert first.startswith("::warning file=prod.yml,title=parity env-value-differs%3A api::warning env-value-differs")
    assert last.startswith("parity: 1 warning")


def test_json_errors_are_json_on_stdout(cli: Cli, tmp_path: Path) -> None:
    result = cli("parity", "--dev", str(tmp_path / "nope.yml"), "-a", str(tmp_path), "--no-runtime", "--json")
    assert result.code == 2
    assert result.err == ""
    error = json.loads(result.out)["error"]
    assert error["message"].endswith("nope.yml: no such file or folder")
    assert error["hint"] and error["exit_code"] == 2 and error["exit_name"] == "user_error"


def test_an_unknown_format_is_a_user_error(cli: Cli) -> None:
    result = cli("parity", "--dev", DEV, "--format", "sarif", "--no-runtime")
    assert result.code == 2
    assert "--format sarif: not a format" in result.err and "table, lines, json, github" in result.err
