"""`devenv parity`: read the dev stack and the production manifests, compare, hand back a report.

Workspace code calls `check_parity` with the compose document it rendered and the profile's raw
`parity:` section; the CLI calls `run_parity`, which also reads `--dev FILE` and `--parity-config`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devenv.adapters import compose_files, manifests
from devenv.context import AppContext
from devenv.domain.parity.check import compare
from devenv.domain.parity.config import AgainstEntry, parse_parity_section, validate_parity_section
from devenv.domain.parity.model import RuntimeView
from devenv.domain.parity.report import ParityReport
from devenv.domain.parity.runtime import runtime_view, unreachable
from devenv.domain.stack.names import compose_project_name
from devenv.domain.yamldoc import Located
from devenv.errors import ProfileError, UserError

if TYPE_CHECKING:
    from devenv.domain.profile.model import Profile


@dataclass(frozen=True)
class ParityOptions:
    dev_file: Path | None = None
    dev_overrides: tuple[Path, ...] = ()  # further --dev files, merged over dev_file as compose -f does
    against: tuple[str, ...] = ()  # paths (file or folder) or names of parity.against entries
    parity_config: Path | None = None
    values_env: Path | None = None
    prod_env: tuple[str, ...] = ()  # [NAME=]FILE: values of prod config not in the files
    helm_values: tuple[Path, ...] = ()  # values files for `helm template` of a chart given to --against
    project: str | None = None  # compose project of the running dev stack
    inspect_runtime: bool = True


def check_parity(
    dev_compose: Mapping[str, Any] | Located,
    parity_section: Mapping[str, Any] | None,
    base_dir: Path,
    against: Sequence[Path] | None = None,
    runtime: RuntimeView | None = None,
    *,
    values_env: Path | None = None,
    prod_env: Sequence[tuple[str | None, Path]] = (),
    helm_values: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
    dev_dir: Path | None = None,
    dev_name: str = "dev compose",
    today: dt.date | None = None,
) -> ParityReport:
    """Compare a dev compose document with the manifests the parity section (or `against`) names.

    `base_dir` is where relative paths of the parity section start (the profile's or repo's folder);
    `dev_dir` is where the compose file's own relative paths (env_file, build) start. A `dev_compose`
    parsed with its locations (manifests.parse_located) lets a reader's error name the line.
    Raises UserError / ProfileError for input that cannot be used.
    """
    config = parse_parity_section(parity_section)
    entries = _entries(config.against, against, base_dir)
    if not entries:
        raise UserError(
            "nothing to compare against: no production manifests given",
            hint="pass --against PATH (a Kubernetes folder, Dockerrun.aws.json, task.json, compose file) "
            "or list them in parity.against",
        )
    shared_values = _values(values_env) if values_env else None
    with_values = [
        (entry, shared_values or (_values(base_dir / entry.values_env) if entry.values_env else None))
        for entry in entries
    ]
    prod = manifests.load_prod(with_values, base_dir, prod_env, helm_values, env)
    dev = manifests.load_dev(dev_compose, dev_dir or base_dir, dev_name)
    return compare(dev, prod, config, runtime=runtime, today=today)


def run_parity(ctx: AppContext, options: ParityOptions, *, today: dt.date | None = None) -> ParityReport:
    if options.dev_file is None:
        return workspace_parity(ctx, options, today=today)
    dev_file = _absolute(ctx.cwd, options.dev_file)
    overrides = [_absolute(ctx.cwd, p) for p in options.dev_overrides]
    dev_compose = compose_files.read_compose_files([dev_file, *overrides], manifests.shown_path(dev_file, ctx.cwd))
    section: Mapping[str, Any] | None = None
    base_dir = ctx.cwd
    if options.parity_config is not None:
        config_file = _absolute(ctx.cwd, options.parity_config)
        section = load_parity_config(config_file)
        base_dir = config_file.parent
    against = [_path_or_name(ctx.cwd, a) for a in options.against] or None
    runtime = None
    if options.inspect_runtime:
        project = options.project or compose_project_name(dev_compose.value, dev_file, ctx.env)
        runtime = read_runtime(ctx, project)
    return check_parity(
        dev_compose,
        section,
        base_dir,
        against,
        runtime,
        values_env=_absolute(ctx.cwd, options.values_env) if options.values_env else None,
        prod_env=_prod_env(ctx.cwd, options.prod_env),
        helm_values=[_absolute(ctx.cwd, p) for p in options.helm_values],
        env=ctx.env,
        dev_dir=dev_file.parent,
        dev_name=", ".join(manifests.shown_path(p, ctx.cwd) for p in (dev_file, *overrides)),
        today=today,
    )


def workspace_parity(
    ctx: AppContext,
    options: ParityOptions,
    *,
    today: dt.date | None = None,
    runtime: bool | None = None,
    loaded: Profile | None = None,
) -> ParityReport:
    """The workspace's rendered compose file and its profile's parity section (and what runs, if up)."""
    from devenv.usecases.profiles import load
    from devenv.usecases.workspace import locate

    if ctx.workspace_override is None and ctx.find_workspace(ctx.cwd) is None:
        raise UserError(
            "no dev stack to compare: not in a devenv workspace",
            hint="run it in a workspace, or pass --dev FILE (the compose file your team already runs)",
        )
    ws = locate(ctx)
    state = ws.load()
    profile = loaded if loaded is not None and loaded.file == state.profile.file else load(ctx, state.profile.file)
    section: Mapping[str, Any] | None = profile.parity
    base_dir = Path(state.repo_dir) if state.repo_dir else Path(profile.file).parent
    if options.parity_config is not None:
        config_file = _absolute(ctx.cwd, options.parity_config)
        section = load_parity_config(config_file)
        base_dir = config_file.parent
    if not ws.compose_file.exists():
        raise UserError("the workspace has no rendered compose file yet", hint="run `devenv up` first")
    dev_compose = _compose_document(ws.compose_file)
    against = [_path_or_name(ctx.cwd, a) for a in options.against] or None
    view = None
    if options.inspect_runtime if runtime is None else runtime:
        view = read_runtime(ctx, options.project or state.project)
    return check_parity(
        dev_compose,
        section,
        base_dir,
        against,
        view,
        values_env=_absolute(ctx.cwd, options.values_env) if options.values_env else None,
        prod_env=_prod_env(ctx.cwd, options.prod_env),
        helm_values=[_absolute(ctx.cwd, p) for p in options.helm_values],
        env=ctx.env,
        dev_dir=ws.compose_file.parent,
        dev_name=f"profile {profile.name}",
        today=today,
    )


def load_parity_config(path: Path) -> Mapping[str, Any]:
    """A YAML file holding a `parity:` section (or just the section), validated, problems located."""
    docs = manifests.parse_located(manifests.read_text(path), path)
    if len(docs) != 1 or not isinstance(docs[0].value, Mapping):
        raise UserError(f"{path}: expected one YAML mapping with a parity: section", hint="see docs/parity.md")
    doc = docs[0].value
    nested = "parity" in doc
    section = doc["parity"] if nested else doc
    problems = validate_parity_section(section)
    if problems:
        located = []
        for problem in problems:
            location = docs[0].value_where(tuple(_path_parts(problem.path, nested)))
            located.append(type(problem)(problem.message, location, problem.path, problem.hint, problem.code))
        raise ProfileError(located, hint="docs/parity.md describes the parity section")
    return section if isinstance(section, Mapping) else {}


def _path_parts(dotted: str, nested: bool) -> list[str | int]:
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", dotted):
        parts.append(int(index) if index else name)
    return parts if nested else parts[1:]


def _entries(configured: Sequence[AgainstEntry], against: Sequence[Path] | None, base: Path) -> list[AgainstEntry]:
    if not against:
        return list(configured)
    chosen = []
    for path in against:
        by_name = [e for e in configured if e.name == str(path)]
        by_path = [e for e in configured if (base / e.path).resolve() == (base / path).resolve()]
        if by_name or by_path:
            chosen.append((by_name or by_path)[0])
        elif not path.is_absolute() and not (base / path).exists() and "/" not in str(path):
            names = ", ".join(e.name for e in configured if e.name) or "none"
            raise UserError(f"--against {path}: no such file, folder or parity.against name (names: {names})")
        else:
            chosen.append(AgainstEntry(path=str(path)))
    return chosen


def _values(path: Path) -> dict[str, str]:
    return {k: v or "" for k, v in manifests.parse_env_file(path).values.items()}


def _compose_document(path: Path) -> Located:
    docs = manifests.parse_located(manifests.read_text(path), path)
    value = docs[0].value if len(docs) == 1 else None
    if not isinstance(value, Mapping) or not isinstance(value.get("services"), Mapping):
        raise UserError(f"{path}: not a compose file (no services: mapping)", hint="--dev takes a compose file")
    return docs[0]


def _prod_env(cwd: Path, given: Sequence[str]) -> list[tuple[str | None, Path]]:
    """`--prod-env FILE` (every prod container) or `--prod-env NAME=FILE` (that container or workload)."""
    out: list[tuple[str | None, Path]] = []
    for item in given:
        name, sep, file = item.partition("=")
        if sep and name and "/" not in name:
            out.append((name, _absolute(cwd, Path(file))))
        else:
            out.append((None, _absolute(cwd, Path(item))))
    return out


def _absolute(cwd: Path, path: Path) -> Path:
    return path if path.is_absolute() else (cwd / path)


def _path_or_name(cwd: Path, given: str) -> Path:
    """A path that exists is made absolute; anything else may be the name of a parity.against entry."""
    candidate = _absolute(cwd, Path(given))
    return candidate if candidate.exists() else Path(given)


def read_runtime(ctx: AppContext, project: str) -> RuntimeView:
    """What runs, through the engine adapter. Never raises for an engine that is missing or refuses."""
    try:
        return runtime_view(project, ctx.engine.inspect_project(project))
    except Exception as exc:  # the SDK raises DockerException, requests' errors, OSError...
        return unreachable(project, exc)
