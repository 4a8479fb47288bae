"""Profile use cases: load (with sources), lint, render."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devenv import __version__
from devenv.context import AppContext
from devenv.domain.profile.buildfolders import missing_build_folders, paths_from
from devenv.domain.profile.loader import load_profile
from devenv.domain.profile.model import Profile
from devenv.domain.profile.render import Rendered, RenderTarget, render
from devenv.domain.profile.variables import env_var_name, placeholder
from devenv.domain.stack.names import project_name_for
from devenv.errors import Problem, ProfileError, UserError
from devenv.usecases.hostaccess import check as check_host_access


def load(ctx: AppContext, ref: str) -> Profile:
    try:
        return load_profile(ref, ctx.profile_files.read, devenv_version=__version__)
    except ProfileError as exc:
        from devenv.usecases.upgrade import explain_requires

        raise explain_requires(ctx, exc) from exc


def lint_answers(ctx: AppContext, profile: Profile, sets: Mapping[str, str]) -> dict[str, str]:
    """Answers for linting: the one precedence (--set > DEVENV_VAR_ > default), then stand-ins."""
    from devenv.domain.profile.answers import Answers, layers, resolve

    values, lacking = resolve(profile, layers(profile, Answers(sets=sets), ctx.env)).with_defaults()
    for i, var in enumerate(lacking):
        values[var.name] = placeholder(var, i)
    return values


def render_answers(ctx: AppContext, profile: Profile, sets: Mapping[str, str]) -> dict[str, str]:
    """Answers for `profile render`: the one precedence (--set > DEVENV_VAR_ > default); none may lack."""
    from devenv.domain.profile.answers import Answers, layers, resolve

    values, lacking = resolve(profile, layers(profile, Answers(sets=sets), ctx.env)).with_defaults()
    if lacking:
        var = lacking[0]
        raise UserError(
            f"variable '{var.name}' has no default and no answer",
            hint=f"pass --set {var.name}=VALUE (or set {env_var_name(var.name)})",
        )
    return values


@dataclass
class LintResult:
    file: str
    profile: Profile | None
    problems: list[Problem] = field(default_factory=list)
    paths_from: str | None = None  # what relative paths resolved against, as a user reads it

    @property
    def ok(self) -> bool:
        return not self.problems


def lint(
    ctx: AppContext, refs: list[str], sets: Mapping[str, str], *, repo_dir: Path | None = None
) -> list[LintResult]:
    """Every problem of every profile: load, validate, then render with defaults to catch the rest."""
    results = []
    for ref in refs:
        paths = None
        try:
            profile = load(ctx, ref)
            values = lint_answers(ctx, profile, sets)
            repo = repo_dir or ctx.cwd  # lint always has a checkout to check against: here, or --repo-dir
            repo_text = str(repo.resolve())
            paths = paths_from(profile, repo_text)
            target = RenderTarget(project="lint", workspace="lint", repo_dir=repo_text)
            rendered = render(profile, values, target)
            check_host_access(ctx, profile, rendered.compose, repo_dir=repo_text, project_dir=repo / ".devenv")
            check_build_folders(profile, rendered.compose, repo_dir=repo_text)
        except ProfileError as exc:
            results.append(LintResult(ref, None, exc.problems, paths))
            continue
        except UserError as exc:
            results.append(LintResult(ref, None, [Problem(exc.message, hint=exc.hint, code="user")], paths))
            continue
        results.append(LintResult(profile.file, profile, paths_from=paths))
    return results


def check_build_folders(profile: Profile, compose: Mapping[str, Any], *, repo_dir: str | None) -> None:
    """A `build:` folder that is not on disk is the profile's error, found before compose would try it."""
    problems = missing_build_folders(profile, compose, os.path.isdir, repo_dir=repo_dir)
    if problems:
        raise ProfileError(problems)


def render_profile(
    ctx: AppContext,
    ref: str,
    sets: Mapping[str, str],
    *,
    project: str | None = None,
    repo_dir: Path | None = None,
    workspace: str | None = None,
) -> Rendered:
    return render_explained(ctx, ref, sets, project=project, repo_dir=repo_dir, workspace=workspace)[0]


def render_explained(
    ctx: AppContext,
    ref: str,
    sets: Mapping[str, str],
    *,
    project: str | None = None,
    repo_dir: Path | None = None,
    workspace: str | None = None,
) -> tuple[Rendered, list[str]]:
    """The compose file for `ref`, and notes for the user: what relative paths resolved against, and build
    folders that do not exist."""
    profile = load(ctx, ref)
    values = render_answers(ctx, profile, sets)
    repo = repo_dir or (ctx.cwd if profile.repo else None)
    target = RenderTarget(
        project=project or project_name_for(f"devenv-{profile.name}"),
        workspace=workspace or "none",
        repo_dir=str(repo.resolve()) if repo else None,
    )
    rendered = render(profile, values, target)
    project_dir = (repo or ctx.cwd) / ".devenv"
    check_host_access(ctx, profile, rendered.compose, repo_dir=target.repo_dir, project_dir=project_dir)
    # a preview, maybe before the checkout is cloned: a missing build folder is lint's error, a warning here
    missing = missing_build_folders(profile, rendered.compose, os.path.isdir, repo_dir=target.repo_dir)
    paths = paths_from(profile, target.repo_dir)
    notes = [f"relative paths resolved against {paths}"] if paths else []
    notes += [f"warning: {p.render()}" for p in missing]
    return rendered, notes


def write_rendered(rendered: Rendered, folder: Path) -> tuple[Path, Path]:
    """`profile render --output`: compose.yaml, and the .env with the secrets readable by the owner only."""
    from devenv.adapters.fs import write_atomic

    write_atomic(folder / ".env", rendered.env_text, mode=0o600)
    write_atomic(folder / "compose.yaml", rendered.compose_text)
    return folder / "compose.yaml", folder / ".env"


def profile_schema() -> dict[str, Any]:
    """The JSON Schema of the profile format, for editors."""
    from devenv.domain.profile.format import json_schema

    return json_schema()
