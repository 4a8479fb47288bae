"""The one place parity reads files: manifests (files and folders), env files, Dockerfiles, Jinja2 templates.

Everything read is parsed here (YAML through devenv.domain.yamldoc, which bounds alias expansion and
remembers where each value was written) and handed to the pure readers in devenv.domain.parity. A
file that cannot be used is a UserError naming the file (and line where it is known) with a hint, never
a traceback. Env files marked secret are read for their keys only: values are dropped as they are parsed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devenv.adapters import helm
from devenv.domain.parity.config import AgainstEntry
from devenv.domain.parity.images import ImageRef
from devenv.domain.parity.model import EnvFile, EnvVar, Side, SourceNote
from devenv.domain.parity.readers import compose, kubernetes
from devenv.domain.parity.readers.common import ManifestError
from devenv.domain.parity.readers.detect import FORMATS_HINT, detect, read_one
from devenv.domain.parity.readers.dockerfile import dockerfile_base as base_of
from devenv.domain.parity.readers.envfile import STRUCTURED_SUFFIXES, env_file, parse_env_lines, structured_env
from devenv.domain.parity.supplied import Supplied, supply_env
from devenv.domain.parity.templates import HELM_HINT, JINJA_HINT, TEMPLATE_SUFFIXES, has_markers, is_go_template
from devenv.domain.yamldoc import Located, check_bounds, load_yaml_all
from devenv.errors import ProfileError, UserError

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", *TEMPLATE_SUFFIXES)


MAX_FILE_BYTES = 8 * 1024 * 1024  # the largest rendered manifests (CRD bundles) are a few MB


def read_text(path: Path) -> str:
    """A text file, refused quickly (before it is read) when it is too large, and when it is binary."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UserError(
                f"{path}: refused: {size / 1024 / 1024:.1f} MB is larger than the "
                f"{MAX_FILE_BYTES // 1024 // 1024} MB parity reads",
                hint="point parity at the manifests themselves, not at generated bundles or data files",
            )
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise UserError(
            f"{path}: no such file or folder", hint="check the path (relative paths start at the profile)"
        ) from exc
    except OSError as exc:
        raise UserError(f"{path}: cannot read: {exc.strerror or exc}", hint="is it a file you can read?") from exc
    if b"\x00" in data[:65536]:
        raise UserError(f"{path}: refused: a binary file, not a manifest", hint="parity reads YAML, JSON and env files")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UserError(
            f"{path}: refused: not UTF-8 text (byte {exc.start})", hint="parity reads YAML, JSON and env files"
        ) from exc


def parse_located(text: str, path: Path) -> list[Located]:
    """Every document (empty ones dropped), each with where its values were written.

    YAML goes through yamldoc: alias expansion and nesting are bounded (a hostile file is refused, it
    does not exhaust memory) and later duplicate keys win, as kubectl and compose read them. A JSON file
    is parsed as JSON (YAML would accept what JSON does not), its lines taken from the YAML reading.
    """
    if path.suffix == ".json":
        return [_json_document(text, path)]
    try:
        return load_yaml_all(text, str(path), duplicate_keys=True)
    except ProfileError as exc:
        raise _yaml_error(exc, path) from exc


def _yaml_error(exc: ProfileError, path: Path) -> UserError:
    problem = exc.problems[0]
    line = f":{problem.location.line}" if problem.location else ""
    if problem.code == "yaml-bounds":
        return UserError(f"{path}{line}: {problem.message}", hint=problem.hint)
    reason = problem.message.removeprefix("YAML syntax error: ")
    return UserError(f"{path}{line}: invalid YAML: {reason}", hint="fix the YAML syntax")


def _json_document(text: str, path: Path) -> Located:
    check_bounds_or_refuse(text, path)  # JSON is YAML to the event scan: depth is bounded before parsing
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}", hint="fix the JSON syntax") from exc
    except RecursionError as exc:  # deeper than Python's stack, in JSON the event scan could not read
        raise UserError(f"{path}: refused: the JSON is nested too deeply", hint="fix the JSON") from exc
    try:
        (lines,) = load_yaml_all(text, str(path), duplicate_keys=True)
    except (ProfileError, ValueError):  # JSON YAML cannot read (tabs, say): no lines for later errors
        return Located(value, str(path))
    return Located(value, str(path), lines.locations, lines.value_locations)


def check_bounds_or_refuse(text: str, path: Path) -> None:
    try:
        check_bounds(text, str(path))
    except ProfileError as exc:
        raise _yaml_error(exc, path) from exc


def parse_documents(text: str, path: Path) -> list[Any]:
    """The plain values of parse_located."""
    return [doc.value for doc in parse_located(text, path)]


def parse_env_file(path: Path, *, secret: bool = False) -> EnvFile:
    """KEY=VALUE lines, or YAML/JSON: a mapping, or `option_settings` of an .ebextensions config."""
    text = read_text(path)
    if path.suffix in STRUCTURED_SUFFIXES:
        values = structured_env(parse_documents(text, path), str(path))
    else:
        values = parse_env_lines(text, str(path))
    return env_file(str(path), values, secret=secret)


def extra_env(entry: AgainstEntry, base_dir: Path) -> dict[str, EnvVar] | None:
    if not entry.env and not entry.secret_env:
        return None
    env: dict[str, EnvVar] = {}
    for name in entry.env:
        env.update(parse_env_file(base_dir / name).env_vars())
    for name in entry.secret_env:
        env.update(parse_env_file(base_dir / name, secret=True).env_vars())
    return env


def _manifest_files(path: Path) -> tuple[list[Path], list[Path]]:
    """The manifest files under `path`, and the Helm charts found inside it (not descended into: their
    templates are Go templates, and what they render to depends on values)."""
    if path.is_dir():
        charts = sorted(p.parent for p in path.rglob("Chart.yaml") if p.parent != path)
        files = sorted(
            p
            for p in path.rglob("*")
            if p.is_file()
            and p.name.endswith(MANIFEST_SUFFIXES)
            and not _hidden(p.relative_to(path))
            and not any(c in p.parents for c in charts)
        )
        return files, charts
    if not path.exists():
        raise UserError(f"{path}: no such file or folder", hint="check the path given to --against or parity.against")
    return [path], []


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def load_prod(
    entries: Sequence[tuple[AgainstEntry, Mapping[str, str] | None]],
    base_dir: Path,
    prod_env: Sequence[tuple[str | None, Path]] = (),
    helm_values: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
) -> Side:
    """Every `against` entry, each with the values its templates render with (None: do not render).

    Kubernetes documents of all entries are read together, so a ConfigMap or Service in one file
    resolves references from another. `prod_env` (--prod-env [NAME=]FILE) and each entry's `env_for`
    then fill in what the files do not show, for the containers they name.
    """
    side = Side()
    supplied: list[Supplied] = []
    k8s_docs: list[kubernetes.Document] = []
    parsed: dict[str, list[Located]] = {}  # shown path -> its documents, to place a reader's error
    for entry, values in entries:
        root = Path(entry.path) if Path(entry.path).is_absolute() else (base_dir / entry.path).resolve()
        side.sources.append(entry.name or shown_path(root, base_dir))
        for target, names in entry.env_for:
            given = {k: v for name in names for k, v in parse_env_file(base_dir / name).env_vars().items()}
            supplied.append(Supplied(given, target, (shown_path(root, base_dir),), f"env_for.{target}"))
        texts: dict[Path, str] = {}
        charts: list[Path] = []
        if helm.is_chart(root):
            files = [root]
            texts[root] = helm.render(root, helm_values, shown_path(root, base_dir), env)
        else:
            files, charts = _manifest_files(root)
        for chart in charts:
            shown = shown_path(chart, base_dir)
            side.notes.append(
                SourceNote("chart-skipped", shown, f"{shown} is a Helm chart: pass it to --against to render it")
            )
        used = _load_files(files, entry, base_dir, values, side=side, k8s_docs=k8s_docs, parsed=parsed, texts=texts)
        if not used:
            raise UserError(f"{shown_path(root, base_dir)}: no manifests parity can read", hint=FORMATS_HINT)
    if k8s_docs:
        try:
            side.extend(kubernetes.read_kubernetes(k8s_docs))
        except ManifestError as exc:  # the error names its own source file
            raise user_error(exc, exc.source, parsed.get(exc.source, [])) from exc
    for scope, env_path in prod_env:
        supplied.append(Supplied(parse_env_file(env_path).env_vars(), scope, (), f"--prod-env {scope or ''}"))
    for missed in supply_env(side, supplied):
        known = sorted({c.name for w in side.workloads for c in w.containers} | {w.name for w in side.workloads})
        raise UserError(
            f"{missed.origin}: {missed.target!r} is no container or workload of the prod manifests",
            hint=f"name one of: {', '.join(known) or '(none)'}",
        )
    return side


def _load_files(
    files: Sequence[Path],
    entry: AgainstEntry,
    base_dir: Path,
    values: Mapping[str, str] | None,
    *,
    side: Side,
    k8s_docs: list[kubernetes.Document],
    parsed: dict[str, list[Located]],
    texts: Mapping[Path, str],
) -> int:
    """Read one entry's files into `side` (Kubernetes documents into `k8s_docs`); how many were used.
    `texts`: files already read (a rendered chart)."""
    used = 0
    for file in files:
        shown = shown_path(file, base_dir)
        text = texts[file] if file in texts else read_text(file)
        if file.name.endswith(TEMPLATE_SUFFIXES) or _template_in_use(text, file):
            used += 1
            if values is None:
                hint = HELM_HINT if is_go_template(text) else JINJA_HINT
                side.notes.append(SourceNote("template-unrendered", shown, f"{shown} is a template; {hint}"))
                continue
            rendered = render_jinja(text, values, shown)
            if rendered.text is None:
                side.notes.append(SourceNote("template-unrendered", shown, rendered.problem))
                continue
            text = rendered.text
        located = parse_located(text, file.with_suffix(".yaml") if file.suffix in TEMPLATE_SUFFIXES else file)
        parsed[shown] = located
        docs = [d.value for d in located]
        kind = entry.kind or detect(docs)
        if kind is None:
            if len(files) == 1:
                raise UserError(f"{shown}: not a manifest parity can read", hint=FORMATS_HINT)
            continue
        used += 1
        if kind == "kubernetes":
            k8s_docs.extend(kubernetes.Document(shown, i, d) for i, d in enumerate(docs) if kubernetes.is_kubernetes(d))
            continue
        try:
            side.extend(_read_one(kind, docs, shown, file=file, entry=entry, base_dir=base_dir))
        except ManifestError as exc:
            raise user_error(exc, shown, located) from exc
    return used


def _read_one(kind: str, docs: list[Any], shown: str, *, file: Path, entry: AgainstEntry, base_dir: Path) -> Side:
    extra = extra_env(entry, base_dir) if kind in {"ecs", "beanstalk"} else None
    env_files: dict[str, EnvFile | None] = {}
    if kind == "compose" and len(docs) == 1 and isinstance(docs[0], Mapping):
        secret = {(base_dir / s).resolve() for s in entry.secret_env}
        env_files = read_env_files(docs[0], file.parent, secret)
    app_name = entry.name or file.resolve().parent.name
    return read_one(kind, docs, shown, app_name=app_name, extra_env=extra, env_files=env_files)


def _template_in_use(text: str, file: Path) -> bool:
    """`{{` in a file parity reads: a template, unless it only sits in documents parity ignores
    (a PrometheusRule's `{{ $labels }}`) of a file that parses as it is."""
    if not has_markers(text):
        return False
    try:
        docs = parse_documents(text, file)
    except UserError:
        return True
    return any(has_markers(json.dumps(d, default=str)) for d in docs if detect([d]))


def read_env_files(doc: Mapping[str, Any], folder: Path, secret: set[Path]) -> dict[str, EnvFile | None]:
    """The env_file entries of a compose document, read relative to its folder (None: unreadable)."""
    found: dict[str, EnvFile | None] = {}
    for name in compose.env_file_paths(doc):
        path = (folder / name).resolve()
        try:
            found[name] = parse_env_file(path, secret=path in secret)
        except UserError:
            found[name] = None
    return found


def dockerfile_base(context: Path, dockerfile: str) -> ImageRef | None:
    """The image the last stage builds FROM (following stage names), or None when it cannot be read."""
    try:
        text = (context / dockerfile).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return base_of(text)


def load_dev(doc: Mapping[str, Any] | Located, folder: Path, shown: str) -> Side:
    """The dev compose document; env files and build contexts are relative to `folder`.

    Given as parsed by parse_located, a reader's error names the line; a plain mapping has none.
    """
    located = doc if isinstance(doc, Located) else Located(doc, shown)
    body: Mapping[str, Any] = located.value
    env_files = read_env_files(body, folder, set())
    bases = {
        name: dockerfile_base((folder / ctx).resolve(), dockerfile)
        for name, (ctx, dockerfile) in compose.build_contexts(body).items()
    }
    try:
        return compose.read_compose(body, shown, env_files=env_files, base_images=bases)
    except ManifestError as exc:
        if located.value_locations:
            raise user_error(exc, located.file, [located]) from exc
        raise UserError(f"{shown}: {exc.message} at {exc.dotted()}", hint="is it a valid compose file?") from exc


def user_error(exc: ManifestError, shown: str, docs: Sequence[Located]) -> UserError:
    """file:line (from the locations kept at parse time, no second parse) and the path inside the document."""
    location = docs[exc.doc_index].value_where(exc.where) if exc.doc_index < len(docs) else None
    where = f"{exc.source or shown}" + (f":{location.line}" if location else "")
    path = f" at {exc.dotted()}" if exc.where else ""
    return UserError(f"{where}: {exc.message}{path}", hint=FORMATS_HINT)


def shown_path(path: Path, base_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(base_dir.resolve()))
    except ValueError:
        return str(path)


# ------------------------------------------------------------------------------------------------ Jinja2


@dataclass(frozen=True)
class Rendered:
    text: str | None  # None when rendering failed
    problem: str = ""


def render_jinja(text: str, values: Mapping[str, str], name: str) -> Rendered:
    """Jinja2 in its sandbox (a repository's templates run no code) with StrictUndefined, so a variable the
    values file lacks is reported instead of silently rendered as an empty string."""
    from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, UndefinedError, meta
    from jinja2.sandbox import SandboxedEnvironment

    if is_go_template(text):
        return Rendered(None, f"{name} is a Go (Helm) template, not Jinja2; {HELM_HINT}")
    env = SandboxedEnvironment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
    try:
        missing = sorted(meta.find_undeclared_variables(env.parse(text)) - set(values))
        if missing:  # every one at once, not one per run
            names = ", ".join(missing)
            return Rendered(None, f"{name}: {len(missing)} variable(s) missing from the values file: {names}")
        return Rendered(env.from_string(text).render(dict(values)))
    except UndefinedError as exc:
        return Rendered(None, f"{name}: {exc.message} in the values file")
    except TemplateSyntaxError as exc:
        return Rendered(None, f"{name}:{exc.lineno}: template syntax error: {exc.message}")
    except TemplateError as exc:
        return Rendered(None, f"{name}: cannot render: {exc}")
