"""The generator's moves into profile concepts, on compose's reading as data (no Docker)."""

from __future__ import annotations

from typing import Any

from devenv.domain.profile.fromcompose import Locator, convert
from devenv.domain.profile.fromcompose.paths import Checkout
from devenv.domain.yamldoc import Located


def generate(services: dict[str, Any]) -> dict[str, Any]:
    config = {"name": "t", "services": services}
    doc: dict[str, Any] = convert(
        "t", config, Locator([Located(config, "compose.yaml")]), Checkout("/p"), repo_url=None
    ).doc
    return doc


def svc(**spec: Any) -> dict[str, Any]:
    return {"image": "busybox:1.36", **spec}


def test_a_connection_setting_every_linking_service_has_becomes_an_export() -> None:
    url = "postgres://app@db:5432/app"
    doc = generate(
        {
            "db": svc(),
            "web": svc(environment={"DATABASE_URL": url}, depends_on={"db": {"condition": "service_started"}}),
            "worker": svc(environment={"DATABASE_URL": url, "X": "1"}, depends_on={"db": None}),
        }
    )
    s = doc["services"]
    assert s["db"]["exports"] == {"DATABASE_URL": url}
    assert "environment" not in s["web"] and s["worker"]["environment"] == {"X": "1"}
    assert s["web"]["links"] == ["db"] and s["worker"]["links"] == ["db"]


def test_no_export_when_a_linking_service_lacks_the_setting_it_would_then_receive() -> None:
    url = "redis://cache:6379/0"
    doc = generate(
        {
            "cache": svc(),
            "web": svc(environment={"REDIS_URL": url}, depends_on={"cache": None}),
            "worker": svc(depends_on={"cache": None}),
        }
    )
    assert "exports" not in doc["services"]["cache"]
    assert doc["services"]["web"]["environment"] == {"REDIS_URL": url}


def test_a_linking_service_with_its_own_value_keeps_it_and_it_wins() -> None:
    doc = generate(
        {
            "cache": svc(),
            "web": svc(environment={"REDIS_URL": "redis://cache/0"}, depends_on={"cache": None}),
            "worker": svc(environment={"REDIS_URL": "redis://cache/1"}, depends_on={"cache": None}),
        }
    )
    s = doc["services"]
    assert s["cache"]["exports"] == {"REDIS_URL": "redis://cache/0"}
    assert s["worker"]["environment"] == {"REDIS_URL": "redis://cache/1"} and "environment" not in s["web"]


def test_a_setting_naming_a_service_it_does_not_depend_on_stays_in_environment() -> None:
    doc = generate({"db": svc(), "web": svc(environment={"DB_HOST": "db:5432"})})
    assert doc["services"]["web"]["environment"] == {"DB_HOST": "db:5432"} and "exports" not in doc["services"]["db"]


def test_one_name_is_exported_by_one_service_only() -> None:
    doc = generate(
        {
            "a": svc(),
            "b": svc(),
            "web": svc(environment={"UPSTREAM": "http://a/"}, depends_on={"a": None, "b": None}),
            "job": svc(environment={"UPSTREAM": "http://b/"}, depends_on={"b": None, "a": None}),
        }
    )
    s = doc["services"]
    assert s["a"]["exports"] == {"UPSTREAM": "http://a/"} and "exports" not in s["b"]
    assert s["job"]["environment"] == {"UPSTREAM": "http://b/"}


def test_passwords_become_one_secret_variable_per_value_and_urls_refer_to_it() -> None:
    doc = generate(
        {
            "db": svc(environment={"POSTGRES_PASSWORD": "pw1", "POSTGRES_USER": "app"}),
            "web": svc(
                environment={"DB_PASS": "pw1", "DATABASE_URL": "postgres://app:pw1@db/app", "API_TOKEN": "t"},
                depends_on={"db": None},
            ),
        }
    )
    assert doc["variables"] == {
        "db_postgres_password": {"type": "secret", "default": "pw1"},
        "web_api_token": {"type": "secret", "default": "t"},
    }
    s = doc["services"]
    assert s["db"]["environment"]["POSTGRES_PASSWORD"] == "${db_postgres_password}"
    assert s["db"]["exports"] == {"DATABASE_URL": "postgres://app:${db_postgres_password}@db/app"}
    assert s["web"]["environment"] == {"DB_PASS": "${db_postgres_password}", "API_TOKEN": "${web_api_token}"}


def test_host_ports_become_port_variables_and_keep_their_address() -> None:
    ports = [
        {"mode": "ingress", "target": 80, "published": "8080", "protocol": "tcp"},
        {"mode": "ingress", "host_ip": "127.0.0.1", "target": 53, "published": "5353", "protocol": "udp"},
        {"mode": "ingress", "target": 9000, "protocol": "tcp"},
        {"mode": "ingress", "target": 7000, "published": "7000-7001", "protocol": "tcp"},
    ]
    doc = generate({"web": svc(ports=ports)})
    assert doc["services"]["web"]["ports"] == [
        "${web_port_80}:80",
        "127.0.0.1:${web_port_53}:53/udp",
        "9000",
        "7000-7001:7000",
    ]
    assert doc["variables"]["web_port_80"]["default"] == 8080 and doc["variables"]["web_port_80"]["type"] == "port"


def test_paths_inside_the_checkout_are_relative_and_the_profile_names_the_repo() -> None:
    config = {
        "services": {
            "web": {
                "build": {"context": "/p/app", "dockerfile": "Dockerfile", "args": {"V": "1"}},
                "volumes": [{"type": "bind", "source": "/p/src", "target": "/src", "read_only": True}],
            }
        }
    }
    doc = convert("t", config, Locator([]), Checkout("/p"), repo_url="https://git.example.com/p.git").doc
    assert doc["repo"] == "https://git.example.com/p.git"
    assert doc["services"]["web"]["build"] == {"context": "./app", "args": {"V": "1"}}
    assert doc["services"]["web"]["volumes"] == ["./src:/src:ro"]


def test_a_service_with_one_host_port_gets_a_plain_port_variable() -> None:
    ports = [{"mode": "ingress", "target": 8000, "published": "18000", "protocol": "tcp"}, {"target": 9000}]
    doc = generate({"web": svc(ports=ports)})
    assert doc["services"]["web"]["ports"] == ["${web_port}:8000", "9000"]
    assert doc["variables"] == {
        "web_port": {"type": "port", "default": 18000, "help": "Port on your machine for web (container port 8000)"}
    }


def generated(services: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    config = {"services": services}
    made = convert("t", config, Locator([Located(config, "compose.yaml")]), Checkout("/p"), repo_url=None)
    return made.doc, [n.render() for n in made.notes]


def test_names_a_profile_cannot_hold_are_reported_instead_of_breaking_lint() -> None:
    build = {"context": "/p/app", "args": {"ok": "1", "bad-arg": "2"}}
    doc, notes = generated(
        {
            "1st": svc(ports=[{"target": 80, "published": "8080"}]),
            "app": {"build": build, "environment": {"GOOD": "1", "bad-name": "x"}},
            "tools": svc(profiles=["Dev.Tools"]),
        }
    )
    assert list(doc["variables"]) == ["_1st_port"]  # a variable name cannot start with a digit
    assert doc["services"]["app"] == {"build": {"context": "./app", "args": {"ok": "1"}}, "environment": {"GOOD": "1"}}
    assert "tools" not in doc["services"]  # would otherwise start always
    assert (
        "compose.yaml: services.app.environment.bad-name: not an environment variable name a profile accepts" in notes
    )
    assert "compose.yaml: services.app.build.args.bad-arg: not a build argument name a profile accepts" in notes
    assert any("optional group 'Dev.Tools' is not a profile group name" in n for n in notes)
