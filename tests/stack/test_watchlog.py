"""compose watch's lines (copied from real compose 2.40 runs) as the events `devenv watch` reports."""

from __future__ import annotations

import pytest

from devenv.domain.stack.watchlog import WatchEvent, parse_line

LINES = [
    ("Watch enabled", WatchEvent("enabled")),
    ('Syncing service "web" after 1 changes were detected', WatchEvent("synced", ("web",), changes=1)),
    ('Syncing service "web" after 12 changes were detected', WatchEvent("synced", ("web",), changes=12)),
    ('service(s) ["web"] restarted', WatchEvent("restarted", ("web",))),
    (
        'Rebuilding service(s) ["web" "worker"] after changes were detected...',
        WatchEvent("rebuilding", ("web", "worker")),
    ),
    ('Rebuilding service(s) ["web"] after changes were detected...', WatchEvent("rebuilding", ("web",))),
    ('service(s) ["web"] successfully built', WatchEvent("built", ("web",))),
    (
        'time="2026-12-02T08:34:40Z" level=warning msg="Error handling changed files: Post \\"http://x/stop\\": '
        'context canceled"',
        WatchEvent("warning", text='Error handling changed files: Post "http://x/stop": context canceled'),
    ),
    (
        'time="2026-12-02T08:34:40Z" level=error msg="no such service: web"',
        WatchEvent("error", text="no such service: web"),
    ),
    ("#6 [web 2/2] COPY . /www", WatchEvent("output", text="#6 [web 2/2] COPY . /www")),
]


@pytest.mark.parametrize(("line", "event"), LINES, ids=[line[:30] for line, _ in LINES])
def test_each_line_compose_prints_is_an_event(line: str, event: WatchEvent) -> None:
    assert parse_line(line) == event


def test_blank_lines_and_the_bake_notice_are_dropped() -> None:
    bake = (
        'time="2026-12-02T08:34:34Z" level=warning msg="Docker Compose is configured to build using Bake, but '
        "buildx isn't installed\""
    )
    assert parse_line("") is None
    assert parse_line("   ") is None
    assert parse_line(bake) is None
