"""The readable report: one table per service, coloured by severity (rich honours NO_COLOR)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from devenv.domain.parity.findings import Finding
    from devenv.domain.parity.report import ParityReport

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}  # by Severity's value


def print_report(report: ParityReport, console: Console, *, strict: bool = False) -> None:
    from rich.table import Table
    from rich.text import Text

    console.print(Text(f"dev: {report.dev_source}", style="bold"))
    console.print(Text(f"against: {', '.join(report.prod_sources) or '(nothing)'}", style="bold"))
    if report.runtime:
        console.print(Text(f"running: {report.runtime}"))
    matched = {m.service: m for m in report.matches}
    groups = dict(report.groups())
    for service in sorted(set(groups) | set(matched)):
        match = matched.get(service)
        title = Text(f"\n{service}", style="bold")
        if match is not None:
            title.append(f"  ~  {match.counterpart}", style="bold")
            title.append(f"  ({match.how}{', ' + match.source if match.source else ''})", style="dim")
        console.print(title)
        findings = groups.get(service, [])
        if not findings:
            console.print(Text("  no differences", style="green"))
            continue
        table = Table(show_header=True, header_style="bold", box=None, padding=(0, 1), pad_edge=True)
        for column in ("severity", "code", "key", "dev", "prod", "why"):
            table.add_column(column, overflow="fold")
        for finding in findings:
            table.add_row(*_row(finding))
        console.print(table)
    console.print()
    verdict = "FAILED" if report.failed(strict=strict) else "passed"
    style = "bold red" if verdict == "FAILED" else "bold green"
    gate = "errors or warnings (--strict)" if strict else "errors"
    console.print(Text(f"{report.summary_line()}: {verdict} (fails on {gate})", style=style))


def _row(finding: Finding) -> list[Text]:
    """Every cell a Text: values are shown as they are, never read as rich markup (`[literal]`)."""
    from rich.text import Text

    if finding.allowed is not None:
        severity = Text(f"allowed ({finding.severity.value})", style="dim")
        why = f"{finding.message} (allowed: {finding.allowed.reason})"
    else:
        severity = Text(finding.severity.value, style=STYLES[finding.severity.value])
        why = finding.message
    cells = [finding.code, ", ".join(finding.keys), finding.dev or "", finding.prod or "", why]
    return [severity, *(Text(cell) for cell in cells)]
