"""The converge decisions of `devenv up` (domain/stack/converge.py): pure, no Docker."""

from __future__ import annotations

from typing import Any

import pytest

from devenv.domain.stack import converge
from devenv.domain.stack.health import ServiceStatus
from devenv.domain.stack.state import ProfileRef, WorkspaceState
from devenv.errors import UserError


def state(**fields: Any) -> WorkspaceState:
    base: dict[str, Any] = {
        "service_hashes": {"db": "h-db", "web": "h-web", "mail": "h-mail", "worker": "h-worker"},
        "links": {"web": ["db"], "worker": ["web"]},
        "optional": ["mail"],
    }
    return WorkspaceState("ws", "devenv-ws", ProfileRef("x", "/x.yaml"), **{**base, **fields})


def running(name: str, config_hash: str, container: str = "c1") -> ServiceStatus:
    return ServiceStatus(name, "running", container_id=container, config_hash=config_hash)


def test_wanted_is_everything_outside_optional_groups_or_the_named_ones_with_their_links() -> None:
    assert converge.wanted_services(state(), None) == ["db", "web", "worker"]
    assert converge.wanted_services(state(), ["worker"]) == ["db", "web", "worker"]
    assert converge.wanted_services(state(), ["mail"]) == ["mail"]
    with pytest.raises(UserError, match="no service 'nope' in this stack"):
        converge.wanted_services(state(), ["nope"])


def test_stale_images_are_those_whose_context_changed_or_all_with_build() -> None:
    fingerprints = {"web": "f2", "worker": "f1"}
    built = {"web": "f1", "worker": "f1"}
    assert converge.stale_images(["db", "web", "worker"], fingerprints, built, build=False) == ["web"]
    assert converge.stale_images(["db", "web", "worker"], fingerprints, built, build=True) == ["web", "worker"]
    assert converge.stale_images(["db"], fingerprints, built, build=True) == []


def test_seed_once_and_only_when_its_services_come_up() -> None:
    s = state(seed_tasks=1, seed_services=["db"])
    assert converge.needs_seed(s, ["db", "web"], seed=True)
    assert not converge.needs_seed(s, ["db"], seed=False)  # --no-seed
    assert not converge.needs_seed(s, ["mail"], seed=True)  # db is not brought up
    s.seeded = True
    assert not converge.needs_seed(s, ["db"], seed=True)
    assert not converge.needs_seed(state(seed_tasks=0), ["db"], seed=True)


def test_converged_needs_every_wanted_service_ready_with_the_current_config() -> None:
    hashes = {"db": "h-db", "web": "h-web"}
    statuses = {"db": running("db", "h-db"), "web": running("web", "h-web")}
    assert converge.converged(statuses, ["db", "web"], hashes)
    assert not converge.converged({"db": statuses["db"]}, ["db", "web"], hashes)  # web has no container
    assert not converge.converged({**statuses, "web": running("web", "old")}, ["db", "web"], hashes)
    stopped = ServiceStatus("web", "exited", container_id="c1", config_hash="h-web", exit_code=1)
    assert not converge.converged({**statuses, "web": stopped}, ["db", "web"], hashes)


def test_a_service_without_health_check_must_run_unchanged_to_settle() -> None:
    statuses = {"web": running("web", "h", "c1")}
    settling: converge.Settling = {}
    info: dict[str, Any] = {"State": {"Running": True, "StartedAt": "t1"}, "RestartCount": 0}
    assert converge.restarted(statuses, ["web"], settling, lambda _id: info, now=10.0) == {}
    assert not converge.settled(settling, ["web"], now=10.0 + converge.SETTLE_SECONDS / 2)
    assert converge.restarted(statuses, ["web"], settling, lambda _id: info, now=11.0) == {}
    assert converge.settled(settling, ["web"], now=10.0 + converge.SETTLE_SECONDS)
    # the same container started again between two polls: a crash loop, with its last exit code
    again = {"State": {"Running": True, "StartedAt": "t2", "ExitCode": 3}, "RestartCount": 1}
    assert converge.restarted(statuses, ["web"], settling, lambda _id: again, now=12.0) == {"web": 3}
    restarting = {"State": {"Restarting": True, "ExitCode": 1}}
    assert converge.restarted(statuses, ["web"], {}, lambda _id: restarting, now=12.0) == {"web": 1}
    # a new container (recreated by compose) is watched from scratch
    fresh = {"web": running("web", "h", "c2")}
    assert converge.restarted(fresh, ["web"], settling, lambda _id: again, now=13.0) == {}
    assert settling["web"][0] == 13.0
