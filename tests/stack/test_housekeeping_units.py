"""`devenv ls`'s summary of a workspace and the build progress reader, without Docker."""

from __future__ import annotations

from typing import Any

from devenv.domain.stack.buildlog import BuildTracker
from devenv.domain.stack.listing import root_from_labels, workspace_line


def container(service: str, status: str, *, port: int | None = None, state: str = "running") -> dict[str, Any]:
    return {
        "Id": service,
        "Names": [f"/p-{service}-1"],
        "State": state,
        "Status": status,
        "Labels": {
            "com.docker.compose.project": "p",
            "com.docker.compose.service": service,
            "devenv.workspace": "ws",
            "com.docker.compose.project.config_files": "/home/me/shop/.devenv/compose.yaml",
        },
        "Ports": [{"IP": "0.0.0.0", "PrivatePort": 8000, "PublicPort": port, "Type": "tcp"}] if port else [],
    }


def line(containers: list[dict[str, Any]] | None) -> tuple[str, str, tuple[int, ...]]:
    summary = workspace_line("/ws", "example", "p", ["db", "web"], containers, {"web": [8000]})
    return summary.state, summary.shown_state, summary.ports


def test_a_workspace_state_is_read_from_its_containers() -> None:
    healthy = container("db", "Up 3 minutes (healthy)")
    assert line([healthy, container("web", "Up 1 minute", port=18000)]) == ("up", "up (2/2 ready)", (18000,))
    starting = container("web", "Up 2 seconds (health: starting)", port=18000)
    assert line([healthy, starting]) == ("starting", "starting (1/2 ready)", (18000,))
    stopped = container("web", "Exited (0) 5 seconds ago", state="exited")
    assert line([healthy, stopped]) == ("partly up", "partly up (1/2 ready)", (8000,))
    assert line([container("db", "Exited (137) 1 minute ago", state="exited"), stopped])[0] == "stopped"
    assert line([]) == ("down", "down", (8000,))  # the ports it would publish
    assert line(None) == ("unknown", "unknown", (8000,))  # no engine


def test_the_workspace_folder_comes_from_the_compose_file_compose_ran() -> None:
    assert root_from_labels([container("db", "Up")]) == "/home/me/shop"
    assert root_from_labels([{"Labels": {"com.docker.compose.project.config_files": "/x/compose.yaml"}}]) is None


BUILDKIT = """\
#0 building with "default" instance using docker driver
#1 [web internal] load build definition from Dockerfile
#1 DONE 0.0s
#4 [web 1/3] FROM docker.io/library/busybox:1.36
#4 CACHED
#2 [web internal] load build context
#5 [worker 2/2] RUN pip install -r requirements.txt --no-cache-dir --quiet --disable-pip-version-check
#6 [web 2/3] RUN echo one && sleep 1
#6 0.179 one
#6 DONE 1.2s
#7 [web 3/3] RUN echo two
#8 [web] exporting to image
#8 exporting layers done
#8 DONE 0.0s
"""


def test_build_progress_shows_each_images_step_and_time() -> None:
    tracker = BuildTracker(["web", "worker", "db"], started=0.0)
    shown = []
    for i, text in enumerate(BUILDKIT.splitlines()):
        if tracker.feed(text, now=float(i)):
            shown.append(dict(tracker.lines(now=float(i))))
    assert shown[0] == {"web": "preparing  0s", "worker": "waiting", "db": "waiting"}
    assert shown[1]["web"] == "step 1/3: FROM docker.io/library/busybox:1.36  2s"
    # loading the context after FROM does not take web back to "preparing"
    assert [s["web"].split("  ")[0] for s in shown[1:3]] == ["step 1/3: FROM docker.io/library/busybox:1.36"] * 2
    pip = "step 2/2: RUN pip install -r requirements.txt --no-cache-dir --quie..."
    assert shown[2]["worker"] == f"{pip}  0s"
    assert tracker.lines(now=12.0)["worker"] == f"{pip}  6s"  # the clock runs between lines
    assert tracker.lines(now=20.0)["web"] == "built  12s"  # finished when its export was DONE
    tracker.finish(now=30.0)
    assert tracker.lines(now=40.0) == {"web": "built  12s", "worker": "built  24s", "db": "waiting"}
    assert tracker.log[-1] == "#8 DONE 0.0s"


def test_the_classic_builder_s_steps_are_read_too() -> None:
    tracker = BuildTracker(["api"], started=0.0)
    assert tracker.feed("Step 2/5 : RUN make", now=3.0)
    assert tracker.lines(now=5.0) == {"api": "step 2/5: RUN make  2s"}


def test_a_failure_shows_the_log_from_near_the_error() -> None:
    tracker = BuildTracker(["web"], started=0.0)
    for i in range(100):
        tracker.feed(f"#5 {i} noise", now=0.0)
    tracker.feed("#5 ERROR: process did not complete successfully: exit code: 7", now=0.0)
    tracker.feed("failed to solve: exit code: 7", now=0.0)
    shown = tracker.failure_lines()
    assert shown[-1] == "failed to solve: exit code: 7"
    assert shown[0] == "#5 80 noise" and len(shown) == 22


def test_a_failed_build_says_where_it_failed_not_built() -> None:
    tracker = BuildTracker(["web", "db"], started=0.0)
    tracker.feed("#6 [web 2/2] RUN make", now=4.0)
    tracker.finish(now=6.0, failed=True)
    assert tracker.lines(now=9.0) == {"web": "failed at step 2/2: RUN make  2s", "db": "waiting"}
