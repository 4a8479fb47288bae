"""The report as people and CI read it: tables per service on a terminal; one finding per line (never
wrapped) for logs; GitHub workflow annotations. Colour only where rich finds a terminal (and no NO_COLOR)."""

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
    style = "bold red" if report.failed(strict=strict) else "bold green"
    console.print(Text(_verdict(report, strict=strict), style=style))


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


# ------------------------------------------------------------------------------------------- lines, CI

GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def finding_line(finding: Finding, services: tuple[str, ...]) -> str:
    """`severity code service[keys]: dev -> prod: why`, one line whatever the values' length."""
    severity = f"allowed-{finding.severity.value}" if finding.allowed is not None else finding.severity.value
    keys = f"[{', '.join(finding.keys)}]" if finding.keys else ""
    who = ", ".join(services) + keys + (f" ({len(services)} services)" if len(services) > 1 else "")
    values = f" {finding.dev or '-'} -> {finding.prod or '-'}:" if finding.dev or finding.prod else ""
    why = finding.message + (f" (allowed: {finding.allowed.reason})" if finding.allowed is not None else "")
    return _one_line(f"{severity:<7} {finding.code} {who}:{values} {why}")


def report_lines(report: ParityReport, *, strict: bool = False) -> list[str]:
    """The plain report for logs and pipes: what was compared, how services matched, every finding."""
    lines = [f"dev: {report.dev_source}", f"against: {', '.join(report.prod_sources) or '(nothing)'}"]
    if report.runtime:
        lines.append(f"running: {report.runtime}")
    for match in sorted(report.matches, key=lambda m: m.service):
        source = f", {match.source}" if match.source else ""
        lines.append(_one_line(f"match {match.service} ~ {match.counterpart} ({match.how}{source})"))
    lines += [finding_line(finding, services) for finding, services in report.collapsed()]
    lines.append(_verdict(report, strict=strict))
    return lines


def github_lines(report: ParityReport, *, strict: bool = False) -> list[str]:
    """GitHub Actions workflow commands: each active finding an annotation on its prod manifest."""
    lines = []
    for finding, services in report.collapsed():
        if finding.allowed is not None:
            continue
        level = GITHUB_LEVELS[finding.severity.value]
        file = f"file={_gh_property(finding.source)}," if finding.source else ""
        title = _gh_property(f"parity {finding.code}: {', '.join(services)}")
        lines.append(f"::{level} {file}title={title}::{_gh_data(finding_line(finding, services))}")
    lines.append(_verdict(report, strict=strict))
    return lines


def _verdict(report: ParityReport, *, strict: bool) -> str:
    verdict = "FAILED" if report.failed(strict=strict) else "passed"
    gate = "errors or warnings (--strict)" if strict else "errors"
    return f"{report.summary_line()}: {verdict} (fails on {gate})"


def _one_line(text: str) -> str:
    return " ".join(text.split("\n"))


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")
