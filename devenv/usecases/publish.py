"""`devenv profile publish PATH --to SOURCE`: lint, commit into the source, tag `<name>/v<version>`, push.

Nothing is left half-done: a refused push takes back the commit and the tag, so the clone is as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from devenv.adapters.sources import Source, stage
from devenv.context import AppContext
from devenv.domain.sources.refs import tag_for, valid_version, version_key
from devenv.errors import EnvironmentProblem, ProfileError, UserError


@dataclass(frozen=True)
class Published:
    source: Source
    name: str
    version: str
    tag: str
    previous: str | None


def publish(ctx: AppContext, path: Path, to: str, *, sign: bool = False) -> Published:
    from devenv.adapters.git import Git
    from devenv.usecases.profiles import lint

    source = _git_source(ctx, to)
    file = ctx.profile_files.locate(str((ctx.cwd / path).resolve()))
    result = lint(ctx, [str(file)], {})[0]
    if not result.ok or result.profile is None:
        raise ProfileError(result.problems, hint="fix what `devenv profile lint` says, then publish again")
    profile = result.profile
    if not valid_version(profile.version):
        raise UserError(
            f"{file}: version '{profile.version}' is not a release version",
            hint="publish versions like 1.0.0 (MAJOR.MINOR.PATCH)",
        )
    _check_carried(profile.files)
    store, git = ctx.sources, Git(ctx.runner)
    clone = store.clone_dir(source)
    if (clone / ".git").is_dir():
        dirty = git.changed_files(clone)
        if dirty or git.unpushed(clone):
            what = f"uncommitted changes ({', '.join(dirty[:3])})" if dirty else "commits that were never pushed"
            raise UserError(
                f"the clone of source '{source.name}' at {clone} has {what}",
                hint=f"look at it (`git -C {clone} status`); `git -C {clone} reset --hard @{{u}}` discards them",
            )
    store.fetch(source)
    published = store.versions(source).get(profile.name, [])
    newest = max(published, key=version_key) if published else None
    if profile.version in published:
        raise UserError(
            f"{source.name}/{profile.name} {profile.version} is published already",
            hint=f"raise `version:` in {file} (the newest published is {newest})",
        )
    if newest is not None and version_key(profile.version) <= version_key(newest):
        raise UserError(
            f"version {profile.version} is not higher than {newest}, the newest published {profile.name}",
            hint=f"raise `version:` in {file} above {newest}",
        )
    tag = tag_for(profile.name, profile.version)
    folder = stage(clone, profile.name, Path(profile.file))
    git.commit_and_tag(clone, folder, f"{profile.name} {profile.version}", tag, sign=sign)
    pushed = git.push_tagged(clone, tag)
    if not pushed.ok:
        git.undo_tagged_commit(clone, tag)
        raise EnvironmentProblem(
            f"the push to {source.url} was rejected: {profile.name} {profile.version} is not published",
            hint="someone may have published first, or you lack write access: "
            f"`devenv source refresh {source.name}`, then publish again",
            details=[line for line in (pushed.stdout + pushed.stderr).splitlines() if line.strip()][-8:],
        )
    return Published(source, profile.name, profile.version, tag, newest)


def _check_carried(files: tuple[str, ...]) -> None:
    """Refuse a profile that extends a file the publish would not carry: outside its folder (a folder
    profile), or any file at all (a single-file profile is published alone). Installed elsewhere, the
    extends would point at nothing."""
    main = Path(files[0])
    carried = main.parent if main.name in ("profile.yaml", "profile.yml") else None
    for other in files[1:]:
        if carried is None or not Path(other).resolve().is_relative_to(carried.resolve()):
            where = f"outside its folder {carried}" if carried else "not published with a single-file profile"
            raise UserError(
                f"{main} extends {other}, which is {where}: the published profile would extend nothing",
                hint="put the profile in a folder as profile.yaml with the file it extends inside that folder "
                "(extends: by a relative path), or extend a published profile by name",
            )


def _git_source(ctx: AppContext, name: str) -> Source:
    source = ctx.sources.get(name)
    if source is None or not source.is_git:
        git_names = ", ".join(s.name for s in ctx.sources.all() if s.is_git) or "none yet"
        raise UserError(
            f"'{name}' is not a git source" if source else f"no source named '{name}'",
            hint=f"publish to a git source (registered: {git_names}); add one with `devenv source add NAME URL`",
        )
    return source
