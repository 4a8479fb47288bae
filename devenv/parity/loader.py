"""The one place parity reads files: manifests (files and folders), env files, Dockerfiles, templates.

Everything read is parsed here and handed to the pure readers. A file that cannot be used is a
UserError naming the file (and line where the parser knows it) with a hint, never a traceback.
Env files marked secret are read for their keys only: values are dropped as each line is parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from devenv.errors import UserError
from devenv.parity.config import AgainstEntry
from devenv.parity.images import ImageRef, parse_image
from devenv.parity.model import EnvFile, EnvVar, Side, SourceNote
from devenv.parity.readers import aws, compose, kubernetes
from devenv.parity.readers.common import ManifestError
from devenv.parity.templates import HELM_HINT, TEMPLATE_SUFFIXES, has_markers, is_go_template, render_jinja

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json", *TEMPLATE_SUFFIXES)
FORMATS_HINT = "parity reads Kubernetes YAML, Dockerrun.aws.json (v1, v2), ECS task definitions and compose files"


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UserError(
            f"{path}: no such file or folder", hint="check the path (relative paths start at the profile)"
        ) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{path}: cannot read: {exc}", hint="is it a text file you can read?") from exc


def parse_documents(text: str, path: Path) -> list[Any]:
    """JSON for *.json, else every YAML document (safe_load_all); empty documents are dropped."""
    if path.suffix == ".json":
        try:
            return [json.loads(text)]
        except json.JSONDecodeError as exc:
            raise UserError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}", hint="fix the JSON syntax") from exc
    import yaml

    try:
        return [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise UserError(f"{path}{line}: invalid YAML: {problem}", hint="fix the YAML syntax") from exc


def parse_env_file(path: Path, *, secret: bool = False) -> EnvFile:
    """KEY=VALUE lines (`export`, quotes, comments, `KEY = VALUE` as `eb printenv` prints), or YAML/JSON:
    a mapping, or `option_settings` of an .ebextensions config. For a secret file, keys only."""
    text = read_text(path)
    if path.suffix in {".config", ".yaml", ".yml", ".json"}:
        values = _structured_env(parse_documents(text, path), path)
    else:
        values = {}
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#") or (line.endswith(":") and "=" not in line):
                continue
            key, sep, value = line.removeprefix("export ").partition("=")
            if not sep or not key.strip() or " " in key.strip():
                raise UserError(f"{path}:{number}: expected KEY=VALUE", hint="an env file has one KEY=VALUE per line")
            values[key.strip()] = _unquote(value.strip())
    return EnvFile(str(path), dict.fromkeys(values) if secret else values, secret=secret)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value.split(" #", 1)[0].rstrip()


def _structured_env(docs: Sequence[Any], path: Path) -> dict[str, str | None]:
    namespace = "aws:elasticbeanstalk:application:environment"
    values: dict[str, str | None] = {}
    for doc in docs:
        if not isinstance(doc, Mapping):
            raise UserError(f"{path}: expected a mapping of KEY: VALUE", hint="or use a KEY=VALUE env file")
        settings = doc.get("option_settings", doc)
        if isinstance(settings, Mapping) and isinstance(settings.get(namespace), Mapping):
            settings = settings[namespace]
        if isinstance(settings, list):
            settings = {
                s.get("option_name"): s.get("value")
                for s in settings
                if isinstance(s, Mapping) and s.get("namespace", namespace) == namespace
            }
        values.update({str(k): None if v is None else str(v) for k, v in settings.items()})
    return values


def extra_env(entry: AgainstEntry, base_dir: Path) -> dict[str, EnvVar] | None:
    if not entry.env and not entry.secret_env:
        return None
    env: dict[str, EnvVar] = {}
    for name in entry.env:
        env.update(parse_env_file(base_dir / name).env_vars())
    for name in entry.secret_env:
        env.update(parse_env_file(base_dir / name, secret=True).env_vars())
    return env


def _manifest_files(path: Path) -> list[Path]:
    if path.is_dir():
        if (path / "Chart.yaml").exists():
            raise UserError(f"{path} is a Helm chart: parity reads rendered manifests", hint=HELM_HINT)
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.name.endswith(MANIFEST_SUFFIXES) and not _hidden(p.relative_to(path))
        )
    if not path.exists():
        raise UserError(f"{path}: no such file or folder", hint="check the path given to --against or parity.against")
    return [path]


def _hidden(relative: Path) -> bool:
    return any(part.startswith(".") for part in relative.parts)


def load_prod(entries: Sequence[tuple[AgainstEntry, Mapping[str, str] | None]], base_dir: Path) -> Side:
    """Every `against` entry, each with the values its templates render with (None: do not render).

    Kubernetes documents of all entries are read together, so a ConfigMap or Service in one file
    resolves references from another.
    """
    side = Side()
    k8s_docs: list[kubernetes.Document] = []
    all_files: list[Path] = []
    for entry, values in entries:
        root = Path(entry.path) if Path(entry.path).is_absolute() else (base_dir / entry.path).resolve()
        side.sources.append(entry.name or shown_path(root, base_dir))
        files = _manifest_files(root)
        all_files.extend(files)
        used = _load_files(files, entry, base_dir, values, side=side, k8s_docs=k8s_docs)
        if not used:
            raise UserError(f"{shown_path(root, base_dir)}: no manifests parity can read", hint=FORMATS_HINT)
    if k8s_docs:
        with _pinned_many(all_files, base_dir):
            side.extend(kubernetes.read_kubernetes(k8s_docs))
    return side


def _load_files(
    files: Sequence[Path],
    entry: AgainstEntry,
    base_dir: Path,
    values: Mapping[str, str] | None,
    *,
    side: Side,
    k8s_docs: list[kubernetes.Document],
) -> int:
    """Read one entry's files into `side` (Kubernetes documents into `k8s_docs`); how many were used."""
    used = 0
    for file in files:
        shown = shown_path(file, base_dir)
        text = read_text(file)
        if file.name.endswith(TEMPLATE_SUFFIXES) or _template_in_use(text, file):
            used += 1
            if values is None:
                hint = HELM_HINT if is_go_template(text) else "pass --values-env FILE to render it"
                side.notes.append(SourceNote("template-unrendered", shown, f"{shown} is a template; {hint}"))
                continue
            rendered = render_jinja(text, values, shown)
            if rendered.text is None:
                side.notes.append(SourceNote("template-unrendered", shown, rendered.problem))
                continue
            text = rendered.text
        docs = parse_documents(text, file.with_suffix(".yaml") if file.suffix in TEMPLATE_SUFFIXES else file)
        kind = entry.kind or _detect(docs)
        if kind is None:
            if len(files) == 1:
                raise UserError(f"{shown}: not a manifest parity can read", hint=FORMATS_HINT)
            continue
        used += 1
        with _pinned(file, text):
            if kind == "kubernetes":
                k8s_docs.extend(
                    kubernetes.Document(shown, i, d) for i, d in enumerate(docs) if kubernetes.is_kubernetes(d)
                )
            else:
                side.extend(_read_one(kind, docs, shown, file=file, entry=entry, base_dir=base_dir))
    return used


def _read_one(kind: str, docs: list[Any], shown: str, *, file: Path, entry: AgainstEntry, base_dir: Path) -> Side:
    if len(docs) != 1:
        raise ManifestError(f"expected one document, found {len(docs)}", source=shown)
    doc = docs[0]
    if kind == "ecs":
        return aws.read_ecs(doc, shown, extra_env(entry, base_dir))
    if kind == "beanstalk":
        return aws.read_beanstalk(doc, shown, entry.name or file.resolve().parent.name, extra_env(entry, base_dir))
    if kind == "compose":
        secret = {(base_dir / s).resolve() for s in entry.secret_env}
        env_files = read_env_files(doc, file.parent, secret)
        side = compose.read_compose(doc, shown, env_files=env_files)
        side.sources = []
        return side
    raise UserError(f"{shown}: unknown kind {kind!r}", hint=FORMATS_HINT)


def _detect(docs: Sequence[Any]) -> str | None:
    if docs and all(kubernetes.is_kubernetes(d) for d in docs):
        return "kubernetes" if any(d["kind"] in kubernetes.KNOWN_KINDS for d in docs) else None
    if len(docs) == 1:
        doc = docs[0]
        if aws.is_beanstalk(doc):
            return "beanstalk"
        if aws.is_ecs(doc):
            return "ecs"
        if compose.is_compose(doc):
            return "compose"
    return None


def _template_in_use(text: str, file: Path) -> bool:
    """`{{` in a file parity reads: a template, unless it only sits in documents parity ignores
    (a PrometheusRule's `{{ $labels }}`) of a file that parses as it is."""
    if not has_markers(text):
        return False
    try:
        docs = parse_documents(text, file)
    except UserError:
        return True
    return any(has_markers(json.dumps(d, default=str)) for d in docs if _detect([d]))


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
    path = context / dockerfile
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    stages: dict[str, str] = {}
    last: str | None = None
    for line in lines:
        words = line.split()
        if len(words) < 2 or words[0].upper() != "FROM":
            continue
        args = [w for w in words[1:] if not w.startswith("--")]
        image = stages.get(args[0].lower(), args[0])
        if len(args) >= 3 and args[1].upper() == "AS":
            stages[args[2].lower()] = image
        last = image
    return parse_image(last) if last and "$" not in last else None


def load_dev(doc: Mapping[str, Any], folder: Path, shown: str, file: Path | None = None) -> Side:
    """The dev compose document; env files and build contexts are relative to `folder`."""
    env_files = read_env_files(doc, folder, set())
    bases = {
        name: dockerfile_base((folder / ctx).resolve(), dockerfile)
        for name, (ctx, dockerfile) in compose.build_contexts(doc).items()
    }
    try:
        return compose.read_compose(doc, shown, env_files=env_files, base_images=bases)
    except ManifestError as exc:
        if file is not None:
            raise _user_error(exc, file, None) from exc
        raise UserError(f"{shown}: {exc.message} at {exc.dotted()}", hint="is it a valid compose file?") from exc


@contextmanager
def _pinned(file: Path, text: str | None = None) -> Iterator[None]:
    """Turn a ManifestError into a UserError with file:line, found by walking the YAML node tree."""
    try:
        yield
    except ManifestError as exc:
        raise _user_error(exc, file, text) from exc


@contextmanager
def _pinned_many(files: Sequence[Path], base_dir: Path) -> Iterator[None]:
    """The same for a reader over many files (Kubernetes folders): the error names its own source."""
    by_shown = {shown_path(f, base_dir): f for f in files}
    try:
        yield
    except ManifestError as exc:
        raise _user_error(exc, by_shown.get(exc.source, Path(exc.source)), None) from exc


def _user_error(exc: ManifestError, file: Path, text: str | None) -> UserError:
    line = None
    with suppress(OSError, UnicodeDecodeError):
        line = line_of(text if text is not None else file.read_text(encoding="utf-8"), exc.doc_index, exc.where)
    where = f"{exc.source or file}" + (f":{line}" if line else "")
    path = f" at {exc.dotted()}" if exc.where else ""
    return UserError(f"{where}: {exc.message}{path}", hint=FORMATS_HINT)


def line_of(text: str, doc_index: int, where: Sequence[str | int]) -> int | None:
    """The 1-based line of a path inside the doc_index-th YAML document (JSON is YAML too)."""
    found = position_of(text, doc_index, where)
    return found[0] if found else None


def position_of(text: str, doc_index: int, where: Sequence[str | int]) -> tuple[int, int] | None:
    """(line, column), 1-based, of the deepest node of `where` that exists in the document."""
    import yaml

    try:
        nodes = [n for n in yaml.compose_all(text) if n is not None]
    except yaml.YAMLError:
        return None
    if doc_index >= len(nodes):
        return None
    node: Any = nodes[doc_index]
    mark = node.start_mark
    for part in where:
        node = _child(node, part)
        if node is None:
            break
        mark = node.start_mark
    return int(mark.line) + 1, int(mark.column) + 1


def _child(node: Any, part: str | int) -> Any:
    import yaml

    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(part):
                return value
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        return node.value[part]
    return None


def shown_path(path: Path, base_dir: Path) -> str:
    try:
        return str(path.resolve().relative_to(base_dir.resolve()))
    except ValueError:
        return str(path)
