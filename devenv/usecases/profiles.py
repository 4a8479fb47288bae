"""Profile use cases: load (with sources), lint, render."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devenv import __version__
from devenv.context import AppContext
from devenv.domain.profile.loader import load_profile
from devenv.domain.profile.model import Profile
from devenv.domain.profile.render import Rendered, RenderTarget, project_name_for, render
from devenv.domain.profile.variables import env_var_name, placeholder, resolve_answers
from devenv.errors import Problem, ProfileError, UserError
from devenv.usecases.hostaccess import check as check_host_access


def load(ctx: AppContext, ref: str) -> Profile:
    return load_profile(ref, ctx.profile_files.read, devenv_version=__version__)


def parse_sets(pairs: list[str]) -> dict[str, str]:
    """`--set name=value` flags into a dict; a malformed one is a user error naming the flag."""
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UserError(f"--set '{pair}' is not NAME=VALUE", hint="e.g. --set web_port=8080")
        out[name.strip()] = value
    return out


def check_answer_names(profile: Profile, answers: Mapping[str, object], origin: str) -> None:
    unknown = [n for n in answers if n not in profile.variables]
    if unknown:
        import difflib

        known = list(profile.variables)
        close = difflib.get_close_matches(unknown[0], known, n=1)
        raise UserError(
            f"{origin}: '{unknown[0]}' is not a variable of profile '{profile.name}'",
            hint=f"did you mean '{close[0]}'?" if close else f"variables: {', '.join(known) or '(none)'}",
        )


def answers_or_placeholders(profile: Profile, sets: Mapping[str, str]) -> dict[str, str]:
    """Answers for linting and rendering by hand: given ones, then defaults, then stand-ins."""
    check_answer_names(profile, sets, "--set")
    resolved = resolve_answers(profile.variables, [("--set", sets)])
    if resolved.errors:
        var, origin, message = resolved.errors[0]
        raise UserError(f"{origin} {var.name}: {message}", hint=var.help or None)
    values = dict(resolved.values)
    for i, var in enumerate(resolved.missing):
        values[var.name] = placeholder(var, i)
    return values


def env_answers(profile: Profile, env: Mapping[str, str]) -> dict[str, str]:
    """Answers from DEVENV_VAR_<NAME> environment variables."""
    return {name: env[key] for name in profile.variables if (key := env_var_name(name)) in env}


def strict_answers(profile: Profile, layers: list[tuple[str, Mapping[str, object]]]) -> dict[str, str]:
    """Every variable answered, from the layers or defaults; otherwise an error naming the flag."""
    for origin, layer in layers:
        if origin != "environment":
            check_answer_names(profile, layer, origin)
    resolved = resolve_answers(profile.variables, layers)
    if resolved.errors:
        var, origin, message = resolved.errors[0]
        raise UserError(f"{origin} {var.name}: {message}", hint=var.help or None)
    if resolved.missing:
        var = resolved.missing[0]
        raise UserError(
            f"variable '{var.name}' has no default and no answer",
            hint=f"pass --set {var.name}=VALUE (or set {env_var_name(var.name)})",
        )
    return resolved.values


@dataclass
class LintResult:
    file: str
    profile: Profile | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def lint(ctx: AppContext, refs: list[str], sets: Mapping[str, str]) -> list[LintResult]:
    """Every problem of every profile: load, validate, then render with defaults to catch the rest."""
    results = []
    for ref in refs:
        try:
            profile = load(ctx, ref)
            values = answers_or_placeholders(profile, sets)
            repo = str(ctx.cwd.resolve())
            rendered = render(profile, values, RenderTarget(project="lint", workspace="lint", repo_dir=repo))
            check_host_access(ctx, profile, rendered.compose, repo_dir=repo, project_dir=ctx.cwd / ".devenv")
        except ProfileError as exc:
            results.append(LintResult(ref, None, exc.problems))
            continue
        except UserError as exc:
            results.append(LintResult(ref, None, [Problem(exc.message, hint=exc.hint, code="user")]))
            continue
        results.append(LintResult(profile.file, profile))
    return results


def render_profile(
    ctx: AppContext,
    ref: str,
    sets: Mapping[str, str],
    *,
    project: str | None = None,
    repo_dir: Path | None = None,
    workspace: str | None = None,
) -> Rendered:
    profile = load(ctx, ref)
    values = strict_answers(profile, [("--set", sets), ("environment", env_answers(profile, ctx.env))])
    repo = repo_dir or (ctx.cwd if profile.repo else None)
    target = RenderTarget(
        project=project or project_name_for(f"devenv-{profile.name}"),
        workspace=workspace or "none",
        repo_dir=str(repo.resolve()) if repo else None,
    )
    rendered = render(profile, values, target)
    project_dir = (repo or ctx.cwd) / ".devenv"
    check_host_access(ctx, profile, rendered.compose, repo_dir=target.repo_dir, project_dir=project_dir)
    return rendered


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
