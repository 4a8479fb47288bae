"""`--trust-host-access`, and the prompt that shows a profile's declared host access for approval."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from devenv.context import AppContext
    from devenv.domain.profile.hostaccess import Grant

TrustOption = Annotated[
    bool,
    typer.Option(
        "--trust-host-access",
        help="Approve the host access the profile declares (Docker socket, host paths, privileged...) "
        "without asking. --yes does not.",
    ),
]


def set_up_approval(app: AppContext, trust: bool) -> None:
    """Trusted by the flag; else asked on a terminal; else (None) the use case fails naming the flag."""
    app.trust_host_access = trust
    if not trust and app.interactive:
        app.confirm_host_access = confirm_host_access


def confirm_host_access(profile: str, grants: list[Grant]) -> bool:
    import questionary

    width = max(len(g.service) for g in grants)
    typer.echo(f"Profile '{profile}' asks for power over this machine:")
    reasons: dict[str, str] = {}
    for g in grants:
        what = f"{g.what} (path)" if g.kind == "path" else g.what
        typer.echo(f"  {g.service.ljust(width)}  {what}")
        reasons.setdefault(g.service, g.reason)
    for service, reason in reasons.items():
        typer.echo(f"  why {service}: {reason}")
    answer = questionary.confirm("Allow it? (asked again if the profile changes)", default=False).ask()
    if answer is None:
        raise KeyboardInterrupt
    return bool(answer)
