"""`devenv watch`: keep the running stack in step with the code as it is saved, and say what happened.

`docker compose watch` does the work (the profile's `watch:` rules are rendered to `develop.watch`); this
use case picks the services that have rules, turns compose's lines into notes, and after a restart or a
rebuild asks the engine whether the service came back, with its last log lines when it did not.
Watching never stops the stack: Ctrl-C ends the watch, the services keep running.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from devenv.context import AppContext
from devenv.domain.profile.watch import WatchRule
from devenv.domain.stack import converge as converge_rules
from devenv.domain.stack.health import service_statuses
from devenv.domain.stack.names import PROJECT_LABEL
from devenv.domain.stack.watchlog import WatchEvent, parse_line
from devenv.errors import StackFailure, Terminated, UserError
from devenv.usecases.workspace import Prepared, prepare

POLL_SECONDS = 0.25
CHECK_SECONDS = 120.0  # how long a restarted or rebuilt service may take to be ready again
LOG_LINES = 20
STOPPED_TEXTS = ("is not running", "in a stopped state")  # the engine refusing to copy into a stopped container
REVIVE_AFTER = 2.0  # seconds after a crash report from which such a refusal is a new save


@dataclass(frozen=True)
class WatchNote:
    service: str  # "" for the watch as a whole
    text: str
    level: str = "info"  # info, ok, warn, error, output (build output: shown with --verbose)
    details: tuple[str, ...] = ()


Report = Callable[[WatchNote], None]


def describe(rule: WatchRule) -> str:
    return f"{rule.action} {rule.path}" + (f" -> {rule.target}" if rule.target else "")


def watch(ctx: AppContext, *, services: Sequence[str] | None = None, report: Report) -> None:
    """Watch until Ctrl-C (returns) or until compose's watch ends by itself (raises StackFailure)."""
    prep = prepare(ctx, profile_ref=None, sets={})
    profile = prep.profile_of(ctx)
    wanted = converge_rules.wanted_services(prep.state, services)
    rules = {n: profile.services[n].watch for n in wanted if n in profile.services and profile.services[n].watch}
    if not rules:
        which = "this stack" if not services else ", ".join(wanted)
        raise UserError(
            f"no service of {which} has watch rules: there is nothing to watch",
            hint="add `watch:` to a service in the profile (docs/profiles.md, `watch`), then run `devenv watch`",
        )
    for name, service_rules in rules.items():
        report(WatchNote(name, "; ".join(describe(r) for r in service_rules)))
    follower = _Follower(ctx, prep, report)
    while True:
        watching = ctx.compose.watch(prep.files, list(rules))
        try:
            while not follower.revive:
                lines = watching.lines(POLL_SECONDS)
                if lines is None:
                    break
                for line in lines:
                    event = parse_line(line)
                    if event is not None:
                        follower.on(event)
                follower.check()
        except Terminated:
            raise
        except KeyboardInterrupt:
            return  # Ctrl-C is how a watch ends
        finally:
            watching.stop()
        if not follower.revive:
            break
        follower.recreate()  # then watch again: its initial sync copies the checkout's files back in
    if watching.returncode in (130, -2):  # compose got the same Ctrl-C first
        return
    raise StackFailure(
        f"docker compose watch stopped (exit code {watching.returncode}): {follower.last_problem()}",
        hint="fix what it says, then run `devenv watch` again (`devenv --debug watch` shows the compose command)",
        details=list(follower.output),
    )


class _Follower:
    """Turns compose's events into notes, and checks on the services compose restarted or recreated."""

    def __init__(self, ctx: AppContext, prep: Prepared, report: Report) -> None:
        self.ctx = ctx
        self.prep = prep
        self.report = report
        self.output: deque[str] = deque(maxlen=LOG_LINES)
        self.errors: list[str] = []
        self.checks: dict[str, tuple[float, bool]] = {}  # service -> (since, recreated)
        self.down: set[str] = set()  # services a change stopped: compose cannot copy files into them
        self.revive: list[str] = []  # stopped services a later change was meant for: recreate them
        self.down_since = 0.0

    def on(self, event: WatchEvent) -> None:
        say = self.report
        if event.kind == "enabled":
            say(WatchNote("", "watching: save a file and it reaches the container; Ctrl-C stops watching", "ok"))
        elif event.kind == "synced":
            if event.services[0] in self.down:  # the save meant to fix it: a stopped container takes no files
                self.revive = sorted(self.down)
                return
            say(WatchNote(event.services[0], f"synced {event.changes} change{'s' if event.changes != 1 else ''}"))
        elif event.kind == "restarted":
            for name in event.services:
                say(WatchNote(name, "restarted"))
                self.checks[name] = (time.time(), False)
        elif event.kind == "rebuilding":
            self.output.clear()
            say(WatchNote(", ".join(event.services), "rebuilding the image"))
        elif event.kind == "built":
            for name in event.services:
                say(WatchNote(name, "built; recreating the container"))
                self.checks[name] = (time.time(), True)
        elif event.kind in ("warning", "error"):
            if self.down and any(t in event.text for t in STOPPED_TEXTS):
                # compose could not copy into a service a change stopped: right after the crash, that is the
                # same change; later, it is the save meant to fix it, so recreate the service now
                if time.time() - self.down_since > REVIVE_AFTER:
                    self.revive = sorted(self.down)
                return
            self.errors.append(event.text)
            say(WatchNote("", event.text, "warn" if event.kind == "warning" else "error", tuple(self.output)))
        else:
            self.output.append(event.text)
            say(WatchNote("", event.text, "output"))

    def check(self) -> None:
        """Is each restarted or rebuilt service back? Ready: say so; failed: say why (the watch goes on)."""
        if not self.checks:
            return
        containers = self.ctx.engine.containers({PROJECT_LABEL: self.prep.files.project})
        statuses = service_statuses(containers, list(self.checks))
        now = time.time()
        for name, (since, recreated) in list(self.checks.items()):
            st = statuses[name]
            if recreated and st.created < since - 1:
                continue  # still the old container: compose has not replaced it yet
            if st.ready:
                self.report(WatchNote(name, f"running again ({st.shown_state})", "ok"))
            elif st.failure and st.state != "missing":
                self.report(
                    WatchNote(
                        name,
                        f"{st.failure} after the change",
                        "error",
                        (
                            f"last {LOG_LINES} log lines of {name}:",
                            *self._logs(name),
                            f"fix it and save: devenv recreates {name} from its image and copies your files in",
                        ),
                    )
                )
                self.down.add(name)
                self.down_since = time.time()
            elif now - since > CHECK_SECONDS:
                self.report(WatchNote(name, f"still {st.shown_state} {CHECK_SECONDS:.0f} s after the change", "warn"))
            else:
                continue
            del self.checks[name]

    def recreate(self) -> None:
        """A fresh container from the image for each service a change stopped (a stopped container takes no
        files); the next watch's initial sync brings the checkout's files, fixed ones included."""
        services, self.revive = self.revive, []
        self.report(WatchNote(", ".join(services), "not running: recreating it from its image"))
        args = ["up", "--detach", "--no-deps", "--force-recreate", "--no-build", *services]
        since = time.time()
        done = self.ctx.compose.run(self.prep.files, args)
        if not done.ok:
            raise StackFailure(
                f"could not recreate {', '.join(services)}: {(done.stderr.strip().splitlines() or ['?'])[-1]}",
                hint="run `devenv up`, then `devenv watch` again",
            )
        for name in services:
            self.down.discard(name)
            self.checks[name] = (since, True)

    def _logs(self, service: str) -> list[str]:
        args = ["logs", "--no-color", "--no-log-prefix", "--tail", str(LOG_LINES), service]
        done = self.ctx.compose.run(self.prep.files, args)
        return [f"  {line}" for line in (done.stdout + done.stderr).rstrip().splitlines()[-LOG_LINES:]]

    def last_problem(self) -> str:
        if self.errors:
            return self.errors[-1]
        return self.output[-1] if self.output else "no output"
