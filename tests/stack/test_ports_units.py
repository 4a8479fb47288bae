"""Host ports before `up`: who holds a port, which conflicts move, and where to (pure, plus the host probe)."""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

from devenv.adapters.hostports import HostPorts
from devenv.domain.stack.ports import (
    AutoPort,
    Conflict,
    Holder,
    behind_proxy,
    candidates,
    conflicts,
    container_addresses,
    container_ports,
    decide,
    first_choice,
    listening_inodes,
    port_variable,
    proxy_target,
)
from tests.helpers.common import Result, write_yaml
from tests.helpers.stack import busybox_profile, free_port

OTHER = Holder("container", name="devenv-b-1234-web-1", project="devenv-b-1234")


def container(name: str, project: str, *ports: int) -> dict[str, object]:
    return {
        "Names": [f"/{name}"],
        "Labels": {"com.docker.compose.project": project},
        "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": p, "Type": "tcp"} for p in ports]
        + [{"PrivatePort": 5432, "Type": "tcp"}],  # exposed, not published
    }


def nobody(_port: int) -> Holder | None:
    return None


def test_the_engine_list_names_each_published_port_with_its_container_and_project() -> None:
    published = container_ports([container("a-web-1", "a", 8000, 8001), container("b-web-1", "b", 9000)])
    assert published[8000] == Holder("container", name="a-web-1", project="a")
    assert published[9000].describe() == "container b-web-1 of compose project b"
    assert sorted(published) == [8000, 8001, 9000]


def test_ports_held_by_the_stack_itself_are_not_conflicts() -> None:
    published = container_ports([container("a-web-1", "a", 8000), container("b-web-1", "b", 9000)])
    found = conflicts({"web": [8000], "api": [9000]}, "a", published, nobody)
    assert found == [Conflict("api", 9000, published[9000])]


def test_a_port_no_container_publishes_is_asked_of_the_machine() -> None:
    process = Holder("process", name="python3", pid=42)
    found = conflicts({"web": [8000, 8001]}, "a", {}, lambda p: process if p == 8001 else None)
    assert found == [Conflict("web", 8001, process)]
    assert process.describe() == "process python3 (pid 42)"


def test_the_variable_of_a_host_port_is_found_in_the_mappings() -> None:
    raw = ["${web_port}:8000", "127.0.0.1:${debug_port}:5678", "9000:9000"]
    answers = {"web_port": "8000", "debug_port": "5678"}
    assert port_variable(raw, answers, 8000) == "web_port"
    assert port_variable(raw, answers, 5678) == "debug_port"
    assert port_variable(raw, answers, 9000) is None


def test_an_auto_port_moves_to_its_default_plus_ten_thousand_when_free() -> None:
    found = [Conflict("web", 8000, OTHER, "web_port")]
    decision = decide(found, {"web_port": AutoPort("web_port", 8000)}, (), {8000}, lambda p: True)
    assert decision.moves == {"web_port": 18000}
    assert decision.moved == found and decision.stuck == []


def test_busy_and_claimed_candidates_are_skipped() -> None:
    found = [Conflict("web", 8000, OTHER, "web_port"), Conflict("api", 8002, OTHER, "api_port")]
    autos = {"web_port": AutoPort("web_port", 8000), "api_port": AutoPort("api_port", 8002)}
    decision = decide(found, autos, (), {8000, 8002, 18001}, lambda p: p != 18000)
    # 18000 busy, 18001 the stack's own: web gets 18002; api may not take it too
    assert decision.moves == {"web_port": 18002, "api_port": 18003}


def test_a_port_that_moved_before_moves_to_the_next_one_up() -> None:
    var = AutoPort("web_port", 8000)
    assert first_choice(var, 8000) == 18000
    assert first_choice(var, 18000) == 18001
    assert first_choice(AutoPort("p", 60000), 60000) == 60001  # no room for +10000
    assert first_choice(AutoPort("p", 8000, high=9000), 8000) == 8001  # max respected
    assert list(candidates(65534, 1024, 65535))[:4] == [65534, 65535, 1024, 1025]


def test_pinned_fixed_and_literal_ports_do_not_move() -> None:
    found = [
        Conflict("web", 8000, OTHER, "web_port"),  # auto, but --set this run
        Conflict("api", 8100, OTHER, "api_port"),  # not auto
        Conflict("docs", 8200, OTHER, None),  # written literally
    ]
    autos = {"web_port": AutoPort("web_port", 8000)}
    decision = decide(found, autos, {"web_port"}, (), lambda p: True)
    assert decision.moves == {} and decision.stuck == found


def test_no_free_candidate_leaves_the_conflict_stuck() -> None:
    found = [Conflict("web", 8000, OTHER, "web_port")]
    decision = decide(found, {"web_port": AutoPort("web_port", 8000)}, (), (), lambda p: False)
    assert decision.moves == {} and decision.stuck == found


PROC_NET_TCP = """\
  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1F40 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1111 1 0
   1: 0100007F:1F40 0100007F:D2F0 01 00000000:00000000 00:00000000 00000000     0        0 2222 1 0
   2: 00000000:1F41 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0
"""


def test_listening_sockets_are_read_from_proc_net_tcp() -> None:
    assert listening_inodes(PROC_NET_TCP, 8000) == {1111}  # the established one (01) is not listening
    assert listening_inodes(PROC_NET_TCP, 8001) == {3333}
    assert listening_inodes(PROC_NET_TCP, 9) == set()


def test_docker_proxy_is_named_with_the_container_it_forwards_to() -> None:
    argv = ["/usr/bin/docker-proxy", "-proto", "tcp", "-host-port", "8000", "-container-ip", "172.17.0.2"]
    assert proxy_target([*argv, "-container-port", "80", ""]) == "172.17.0.2:80"
    assert proxy_target(argv) == ""
    holder = Holder("process", name="docker-proxy", pid=7, detail="172.17.0.2:80")
    assert holder.describe() == (
        "docker-proxy (pid 7) forwarding to 172.17.0.2:80, for a container of another engine, or a leftover"
    )
    starting = {
        **container("b-web-1", "b"),
        "NetworkSettings": {"Networks": {"b_default": {"IPAddress": "172.17.0.2"}}},
    }
    addresses = container_addresses([starting, {"Names": ["/x"], "NetworkSettings": {"Networks": {"none": {}}}}])
    assert behind_proxy(holder, addresses) == Holder("container", name="b-web-1", project="b")
    assert behind_proxy(holder, {}) == holder


def test_the_host_probe_names_a_listening_process_and_its_pid() -> None:
    probe = HostPorts()
    port = free_port()
    assert probe.holder(port) is None
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", port))  # loopback only: still busy for a publish on every interface
        listener.listen()
        holder = probe.holder(port)
    assert holder is not None
    assert (holder.kind, holder.pid) == ("process", os.getpid())
    assert holder.name == Path(f"/proc/{os.getpid()}/comm").read_text().strip()
    assert probe.holder(port) is None


def test_a_port_only_in_time_wait_or_unbound_is_free() -> None:
    port = free_port()
    with socket.socket() as s:
        s.bind(("0.0.0.0", port))  # bound, not listening: binding again fails, so it is busy
        assert HostPorts().busy(port)
    assert not HostPorts().busy(port)


def test_auto_is_only_for_port_variables(tmp_path: Path, cli: Callable[..., Result]) -> None:
    profile = busybox_profile()
    profile["variables"]["greeting"]["auto"] = True
    profile["variables"]["web_port"]["auto"] = True
    done = cli("profile", "lint", str(write_yaml(tmp_path / "p.yaml", profile)))
    assert done.code == 1, done.out + done.err
    assert "'auto' does not apply to a string variable" in done.out + done.err
    assert "web_port" not in done.out + done.err
