"""Manifests kept as templates: which files and texts are templates (devenv.adapters.manifests renders them).

Jinja2, because it is what teams use for such manifests (Ansible, cookiecutter, j2cli); rendered in
its sandbox (a repository's templates run no arbitrary code) with StrictUndefined, so a variable the
values file lacks is reported instead of silently rendered as an empty string.
Helm charts are Go templates: render them with `helm template` and check the output instead.
"""

from __future__ import annotations

import re

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".tpl")
_MARKERS = re.compile(r"\{\{|\{%")
# A Go template action: `{{ .X`, `{{- $var`, `{{/* comment */}}`, or a Go keyword or Helm function first
# (`{{ if`, `{{- with`, `{{ end }}`, `{{ range`, `{{ include "x" . }}`). Jinja2 never starts an
# expression like that (its `if`/`for` live in `{% %}`), so this tells the two apart in every form.
_GO_TEMPLATE = re.compile(
    r"\{\{-?\s*(\.|\$|/\*|(if|else|end|range|with|define|template|block|include|toYaml|tpl|required|printf)\b)"
)
HELM_HINT = "for a Helm chart, run `helm template RELEASE CHART -f values.yaml > rendered.yaml` and check that"
JINJA_HINT = "render it with --values-env FILE (the values its variables take)"


def has_markers(text: str) -> bool:
    return bool(_MARKERS.search(text))


def is_go_template(text: str) -> bool:
    return bool(_GO_TEMPLATE.search(text))
