"""Templates and charts (issue 11 class 4): Go templates detected in every form, Helm charts rendered with
`helm template` when helm is on PATH (else refused with the exact command), charts inside a manifests
folder not descended into.

helm is not installed on the test machine: a stand-in `helm` script on PATH (the house way for a tool
that must not, or cannot, really run) records its argv and prints a rendered manifest, so what is
tested is the command parity runs and what it does with the output.
"""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from devenv.domain.parity.templates import is_go_template
from tests.helpers.common import Result

Cli = Callable[..., Result]

RENDERED = (
    "---\\n# Source: shop/templates/api.yaml\\napiVersion: apps/v1\\nkind: Deployment\\nmetadata: {name: api}\\n"
    "spec:\\n  template:\\n    spec:\\n      containers:\\n      - {name: api, image: 'acme/api:2.0'}\\n"
)


@pytest.mark.parametrize(
    "text",
    [
        "image: {{ .Values.image }}",
        "{{- if .Values.enabled }}\nkind: Service\n{{- end }}",
        "{{ with .Values.env }}{{ toYaml . }}{{ end }}",
        "{{ end }}",
        'labels: {{ include "shop.labels" . | nindent 4 }}',
        "{{- range $k, $v := .Values.env }}",
        "{{/* a comment */}}",
        "{{ $name := .Release.Name }}",
        '{{ template "x" . }}',
    ],
)
def test_go_templates_are_detected_in_every_form(text: str) -> None:
    assert is_go_template(text)


@pytest.mark.parametrize(
    "text", ["image: {{ image }}", "{% if x %}a{% endif %}", "v: {{ x | default('a') }}", "{{- name -}}"]
)
def test_jinja_is_not_taken_for_go(text: str) -> None:
    assert not is_go_template(text)


def test_a_go_template_in_any_form_gets_the_helm_hint(cli: Cli, tmp_path: Path) -> None:
    dev = _dev(tmp_path)
    (tmp_path / "svc.yaml").write_text("{{- if .Values.service.enabled }}\napiVersion: v1\nkind: Service\n{{- end }}\n")
    result = cli("parity", "--dev", str(dev), "--against", str(tmp_path / "svc.yaml"), "--no-runtime")
    assert "template-unrendered" in result.out and "helm template" in result.out


def _dev(tmp_path: Path) -> Path:
    dev = tmp_path / "dev.yml"
    dev.write_text("services:\n  api:\n    image: acme/api:2.0\n")
    return dev


def _chart(folder: Path) -> Path:
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text("apiVersion: v2\nname: shop\nversion: 1.0.0\n")
    (folder / "templates" / "api.yaml").write_text("kind: Deployment\nimage: {{ .Values.image }}\n")
    return folder


def _fake_helm(bin_dir: Path, *, fail: bool = False) -> Path:
    bin_dir.mkdir()
    log = bin_dir / "argv.json"
    script = bin_dir / "helm"
    body = (
        "print('Error: values.yaml: missing required value image', file=sys.stderr); sys.exit(1)"
        if fail
        else (f"print({RENDERED!r}.replace(chr(92) + 'n', chr(10)), end='')")
    )
    script.write_text(
        f"#!/usr/bin/env python3\nimport json, sys\nopen({str(log)!r}, 'w').write(json.dumps(sys.argv[1:]))\n{body}\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return log


def test_a_chart_is_rendered_with_helm_template_and_its_values_files(cli: Cli, tmp_path: Path) -> None:
    chart = _chart(tmp_path / "shop")
    values = tmp_path / "prod-values.yaml"
    values.write_text("image: acme/api:2.0\n")
    log = _fake_helm(tmp_path / "bin")
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}
    result = cli(
        "parity",
        "--dev",
        str(_dev(tmp_path)),
        "--against",
        str(chart),
        "--helm-values",
        str(values),
        "--no-runtime",
        "--json",
        env=env,
    )
    assert result.code == 0, result.out + result.err
    assert json.loads(log.read_text()) == ["template", "shop", str(chart), "-f", str(values)]
    report = json.loads(result.out)
    assert report["matches"][0]["counterpart"] == "Deployment/api" and report["findings"] == []


def test_helm_failing_is_one_message(cli: Cli, tmp_path: Path) -> None:
    chart = _chart(tmp_path / "shop")
    _fake_helm(tmp_path / "bin", fail=True)
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin"}
    result = cli("parity", "--dev", str(_dev(tmp_path)), "--against", str(chart), "--no-runtime", env=env)
    assert result.code == 2
    assert "helm template failed: Error: values.yaml: missing required value image" in result.err


def test_without_helm_a_chart_is_refused_with_the_exact_command(cli: Cli, tmp_path: Path) -> None:
    chart = _chart(tmp_path / "shop")
    values = tmp_path / "prod values.yaml"
    values.write_text("image: x\n")
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = cli(
        "parity",
        "--dev",
        str(_dev(tmp_path)),
        "--against",
        str(chart),
        "--helm-values",
        str(values),
        "--no-runtime",
        env={"PATH": str(empty)},
    )
    assert result.code == 2
    assert "shop is a Helm chart and helm is not installed" in result.err
    assert f"helm template shop {chart} -f '{values}' > rendered.yaml" in result.err


def test_a_folder_with_a_chart_inside_does_not_descend_into_it(cli: Cli, tmp_path: Path) -> None:
    deploy = tmp_path / "deploy"
    _chart(deploy / "charts" / "shop")
    (deploy / "k8s").mkdir(parents=True)
    (deploy / "k8s" / "api.yaml").write_text(RENDERED.replace("\\n", "\n"))
    result = cli("parity", "--dev", str(_dev(tmp_path)), "--against", str(deploy), "--no-runtime", "--format", "lines")
    assert result.code == 0, result.out
    assert "template-unrendered" not in result.out
    assert "info    chart-skipped (manifests)[prod:deploy/charts/shop]" in result.out
