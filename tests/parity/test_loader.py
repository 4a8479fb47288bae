"""Reading manifests from disk: templates, kind detection, and errors that name the file and line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from devenv.adapters import manifests
from devenv.domain.parity.config import AgainstEntry
from devenv.errors import UserError
from devenv.usecases.parity import check_parity
from tests.helpers.parity import FIXTURES, codes, compose, findings

DEV = compose(api={"image": "registry.example.com/shop/api:2.4.1", "environment": {"DATABASE_HOST": "db"}})


def test_template_without_values_is_a_check_not_made() -> None:
    report = check_parity(DEV, None, FIXTURES, [FIXTURES / "templates" / "api.yaml.j2"])
    assert codes(report) == {"template-unrendered"}
    (finding,) = findings(report, "template-unrendered")
    assert "--values-env" in finding.message
    assert report.failed()  # never a pass


def test_template_rendered_with_values_env() -> None:
    values = FIXTURES / "templates" / "values.env"
    report = check_parity(DEV, None, FIXTURES, [FIXTURES / "templates" / "api.yaml.j2"], values_env=values)
    assert "template-unrendered" not in codes(report)
    assert [(m.service, m.counterpart) for m in report.matches] == [("api", "Deployment/api")]
    assert codes(report) == {"replicas-differ"}


def test_template_with_missing_values_names_them_all_at_once() -> None:
    values = FIXTURES / "templates" / "partial-values.env"
    report = check_parity(DEV, None, FIXTURES, [FIXTURES / "templates" / "api.yaml.j2"], values_env=values)
    (finding,) = findings(report, "template-unrendered")
    assert finding.message.endswith("2 variable(s) missing from the values file: api_version, db_host")


def test_yaml_file_with_jinja_markers_is_a_template(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text((FIXTURES / "templates" / "api.yaml.j2").read_text())
    report = check_parity(DEV, None, tmp_path, [tmp_path / "api.yaml"])
    assert codes(report) == {"template-unrendered"}


def test_markers_in_ignored_kinds_are_not_templates() -> None:
    side = manifests.load_prod([(AgainstEntry(path="k8s/jobs.yaml"), None)], FIXTURES)  # has a PrometheusRule
    assert side.notes == [] and len(side.workloads) == 3


def test_values_env_per_against_entry(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "templates", tmp_path / "t")
    section = {"against": [{"kubernetes": "t/api.yaml.j2", "values_env": "t/values.env"}]}
    report = check_parity(DEV, section, tmp_path)
    assert "template-unrendered" not in codes(report)


def test_helm_chart_folder_says_how_to_render_it(tmp_path: Path) -> None:
    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    with pytest.raises(UserError) as caught:
        check_parity(DEV, None, tmp_path, [tmp_path / "chart"])
    assert "Helm chart" in caught.value.message and "helm template" in (caught.value.hint or "")


def test_go_template_file_gets_the_helm_hint(tmp_path: Path) -> None:
    (tmp_path / "d.yaml").write_text("kind: Deployment\nimage: {{ .Values.image }}\n")
    report = check_parity(DEV, None, tmp_path, [tmp_path / "d.yaml"])
    assert "helm template" in findings(report, "template-unrendered")[0].message


def test_invalid_yaml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata:\n  name: [unclosed\n")
    with pytest.raises(UserError) as caught:
        check_parity(DEV, None, tmp_path, [tmp_path / "bad.yaml"])
    assert caught.value.message.startswith(f"{tmp_path / 'bad.yaml'}:")
    assert "invalid YAML" in caught.value.message


def test_invalid_json_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "task.json").write_text('{\n  "containerDefinitions": [\n    {"name": "x",}\n  ]\n}\n')
    with pytest.raises(UserError, match=r"task.json:3: invalid JSON"):
        check_parity(DEV, None, tmp_path, [tmp_path / "task.json"])


def test_wrong_shape_names_file_line_and_path(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n"
        "    spec:\n      containers:\n        - name: api\n          image: app:1\n          env: oops\n"
    )
    with pytest.raises(UserError) as caught:
        check_parity(DEV, None, tmp_path, [tmp_path / "api.yaml"])
    assert caught.value.message == ("api.yaml:10: expected a list, found str at spec.template.spec.containers[0].env")


def test_missing_path_and_unknown_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="no such file or folder"):
        check_parity(DEV, None, tmp_path, [tmp_path / "nope"])
    (tmp_path / "notes.yaml").write_text("hello: world\n")
    with pytest.raises(UserError, match="not a manifest parity can read") as caught:
        check_parity(DEV, None, tmp_path, [tmp_path / "notes.yaml"])
    assert "Kubernetes" in (caught.value.hint or "")


def test_nothing_to_compare_against() -> None:
    with pytest.raises(UserError, match="nothing to compare against"):
        check_parity(DEV, None, FIXTURES)


def test_env_file_forms(tmp_path: Path) -> None:
    env = tmp_path / "a.env"
    env.write_text("# comment\nexport A=1\nB=\"two words\"\nC='x'\nD=plain # trailing\n\n")
    assert manifests.parse_env_file(env).values == {"A": "1", "B": "two words", "C": "x", "D": "plain"}
    assert manifests.parse_env_file(env, secret=True).values == dict.fromkeys("ABCD")
    (tmp_path / "bad.env").write_text("A=1\nthis is not\n")
    with pytest.raises(UserError, match=r"bad.env:2: expected KEY=VALUE"):
        manifests.parse_env_file(tmp_path / "bad.env")
    ebx = tmp_path / "env.config"
    ebx.write_text("option_settings:\n  aws:elasticbeanstalk:application:environment:\n    MODE: prod\n")
    assert manifests.parse_env_file(ebx).values == {"MODE": "prod"}


def test_dev_env_file_unreadable_is_reported(tmp_path: Path) -> None:
    dev = compose(api={"image": "app:1", "env_file": ["missing.env"]})
    prod = tmp_path / "prod.yml"
    prod.write_text("services:\n  api:\n    image: app:1\n    environment: {A: '1'}\n")
    report = check_parity(dev, None, tmp_path, [prod], dev_dir=tmp_path)
    assert codes(report) == {"env-unresolved"}  # and A is not reported missing: dev's keys are unknown


def test_dockerfile_base_follows_stages(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text(
        "ARG V=1\nFROM --platform=linux/amd64 postgres:15.4 AS pg\nFROM pg\nRUN true\n"
    )
    base = manifests.dockerfile_base(tmp_path, "Dockerfile")
    assert base is not None and str(base) == "postgres:15.4"
    (tmp_path / "Dockerfile.arg").write_text("ARG V\nFROM postgres:${V}\n")
    assert manifests.dockerfile_base(tmp_path, "Dockerfile.arg") is None
    assert manifests.dockerfile_base(tmp_path, "Nope") is None


def test_alias_bomb_in_a_manifest_is_refused(tmp_path: Path) -> None:
    """A few hundred bytes that expand to 9**9 scalars: refused with the file and line, not read."""
    bomb = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        ref = f"*{chr(96 + i)}"
        bomb += f"  {chr(97 + i)}: &{chr(97 + i)} [{', '.join([ref] * 9)}]\n"
    (tmp_path / "bomb.yaml").write_text(bomb)
    with pytest.raises(UserError) as caught:
        check_parity(DEV, None, tmp_path, [tmp_path / "bomb.yaml"])
    assert caught.value.exit_code == 2
    assert caught.value.message.startswith(f"{tmp_path / 'bomb.yaml'}:")
    assert "refused: the YAML's aliases expand to more than 200,000 values" in caught.value.message


def test_duplicate_keys_in_a_manifest_let_the_later_win(tmp_path: Path) -> None:
    """As kubectl and compose read them; devenv's own files (profiles) refuse duplicates instead."""
    located = manifests.parse_located("a: 1\na: 2\n", tmp_path / "m.yaml")
    assert located[0].value == {"a": 2}
