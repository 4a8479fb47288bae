"""Manifests kept as templates: which files are templates, and rendering Jinja2 ones with values.

Jinja2, because it is what teams use for such manifests (Ansible, cookiecutter, j2cli); rendered in
its sandbox (a repository's templates run no arbitrary code) with StrictUndefined, so a variable the
values file lacks is reported instead of silently rendered as an empty string.
Helm charts are Go templates: render them with `helm template` and check the output instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".tpl")
_MARKERS = re.compile(r"\{\{|\{%")
_GO_TEMPLATE = re.compile(r"\{\{-?\s*(\.Values|\.Release|\.Chart|include\s|template\s|toYaml)")
HELM_HINT = "for a Helm chart, run `helm template RELEASE CHART -f values.yaml > rendered.yaml` and check that"


def has_markers(text: str) -> bool:
    return bool(_MARKERS.search(text))


def is_go_template(text: str) -> bool:
    return bool(_GO_TEMPLATE.search(text))


@dataclass(frozen=True)
class Rendered:
    text: str | None  # None when rendering failed
    problem: str = ""


def render_jinja(text: str, values: Mapping[str, str], name: str) -> Rendered:
    from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SandboxedEnvironment

    if is_go_template(text):
        return Rendered(None, f"{name} is a Go (Helm) template, not Jinja2; {HELM_HINT}")
    env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    try:
        return Rendered(env.from_string(text).render(dict(values)))
    except UndefinedError as exc:
        return Rendered(None, f"{name}: {exc.message} in the values file")
    except TemplateSyntaxError as exc:
        return Rendered(None, f"{name}:{exc.lineno}: template syntax error: {exc.message}")
    except TemplateError as exc:
        return Rendered(None, f"{name}: cannot render: {exc}")
