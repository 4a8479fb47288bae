"""Each finding code, positive (the difference is reported) and negative (a matching pair is clean)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from devenv.domain.parity.findings import CODES
from devenv.domain.parity.model import RuntimeService, RuntimeView
from tests.helpers.parity import check, codes, compose, deployment, findings

IMAGE_ID = "sha256:" + "a" * 64
OTHER_ID = "sha256:" + "b" * 64


def running(image_id: str, *, digests: tuple[str, ...] = (), env: tuple[str, ...] = ()) -> RuntimeView:
    return RuntimeView("proj", {"api": RuntimeService(image_id, digests, (), frozenset(env))})


# --- mapping -------------------------------------------------------------------------------------


def test_workload_missing_in_dev() -> None:
    prod = compose(api={"image": "app:1"}, worker={"image": "app:1"})
    report = check(compose(api={"image": "app:1"}), prod)
    assert [f.service for f in findings(report, "workload-missing-in-dev")] == ["worker"]
    clean = check(compose(api={"image": "app:1"}, worker={"image": "app:1"}), prod)
    assert "workload-missing-in-dev" not in codes(clean)


def test_service_only_in_dev_unless_declared_dev_only() -> None:
    dev = compose(api={"image": "app:1"}, mailhog={"image": "mailhog/mailhog:v1.0.1"})
    prod = compose(api={"image": "app:1"})
    assert [f.service for f in findings(check(dev, prod), "service-only-in-dev")] == ["mailhog"]
    declared = check(dev, prod, {"services": {"mailhog": {"dev_only": True}}})
    assert codes(declared) == set()
    assert [m.how for m in declared.matches] == ["service name", "dev_only"]


def test_mapping_ambiguous_is_reported_never_guessed() -> None:
    prod = [deployment("web-blue", "registry/shop:1"), deployment("web-green", "registry/shop:1")]
    dev = compose(web={"image": "shop:dev"})
    report = check(dev, prod)
    assert codes(report) == {"mapping-ambiguous"}  # the two candidates are not also "missing in dev"
    assert "web-blue" in findings(report, "mapping-ambiguous")[0].message
    explicit = check(dev, prod, {"services": {"web": {"workload": "web-blue"}}})
    assert "mapping-ambiguous" not in codes(explicit)
    # the other colour runs the same image and command: a twin of the paired one, not a missing service
    assert [f.service for f in findings(explicit, "workload-copy")] == ["web-green"]
    assert "workload-missing-in-dev" not in codes(explicit)


def test_mapping_ambiguous_when_two_dev_services_claim_one_workload() -> None:
    prod = [deployment("api", "registry/shop:1")]
    dev = compose(web={"image": "shop:dev"}, worker={"image": "shop:dev"})
    report = check(dev, prod)
    assert {f.service for f in findings(report, "mapping-ambiguous")} == {"web", "worker"}


def test_mapping_order_prefers_service_name_over_image() -> None:
    prod = compose(api={"image": "shop:1"}, worker={"image": "shop:1"})
    report = check(compose(api={"image": "shop:1"}, worker={"image": "shop:1"}), prod)
    assert {(m.service, m.counterpart, m.how) for m in report.matches} == {
        ("api", "compose/api", "service name"),
        ("worker", "compose/worker", "service name"),
    }


@pytest.mark.parametrize(
    ("prod", "how"),
    [
        ({"image": "x:1", "container_name": "web"}, "container name"),
        ({"image": "x:1", "hostname": "web"}, "hostname"),
        ({"image": "registry/web:1"}, "image name"),
    ],
)
def test_mapping_by_container_name_hostname_image(prod: dict[str, Any], how: str) -> None:
    report = check(compose(web={"image": "web:dev"}), compose(frontend=prod))
    assert [(m.service, m.how) for m in report.matches] == [("web", how)]


def test_a_canary_does_not_steal_the_mapping_and_is_reported_as_a_copy() -> None:
    prod = [deployment("payment", "acme/payment:1.2"), deployment("payment-fix", "acme/payment:1.2")]
    report = check(compose(payment={"image": "acme/payment:1.2"}), prod)
    assert [(m.service, m.counterpart) for m in report.matches] == [("payment", "Deployment/payment")]
    assert codes(report) == {"workload-copy"}
    (copy,) = report.findings
    assert copy.severity.value == "info" and "Deployment/payment" in copy.message


def test_a_worker_on_the_same_image_is_not_a_copy() -> None:
    worker = deployment("payment-worker", "acme/payment:1.2", command=["celery", "worker"])
    report = check(compose(payment={"image": "acme/payment:1.2"}), [deployment("payment", "acme/payment:1.2"), worker])
    assert [f.service for f in findings(report, "workload-missing-in-dev")] == ["payment-worker"]


def test_a_sidecar_pairs_by_its_own_container() -> None:
    """The exporter beside the broker is its own dev service: both pair, neither is ambiguous."""
    pod = deployment("rabbitmq", "rabbitmq:3.12")
    pod["spec"]["template"]["spec"]["containers"].append({"name": "exporter", "image": "kbudde/rabbitmq-exporter:1"})
    pod["metadata"]["name"] = "queue"
    dev = compose(rabbitmq={"image": "rabbitmq:3.12"}, exporter={"image": "kbudde/rabbitmq-exporter:1"})
    report = check(dev, [pod])
    assert {(m.service, m.counterpart, m.how) for m in report.matches} == {
        ("rabbitmq", "Deployment/queue", "container name"),
        ("exporter", "Deployment/queue", "container name"),
    }
    assert codes(report) == set()
    pod["metadata"]["name"] = "rabbitmq"  # the broker pairs by service name first; the exporter still finds its own
    report = check(dev, [pod])
    assert {(m.service, m.how) for m in report.matches} == {
        ("rabbitmq", "service name"),
        ("exporter", "container name"),
    }
    assert codes(report) == set()


@pytest.mark.parametrize("prod_name", ["user-service", "user_svc", "user-app"])
def test_role_suffixes_map_without_configuration(prod_name: str) -> None:
    report = check(compose(user={"image": "acme/user:1"}), compose(**{prod_name: {"image": "registry/other:1"}}))
    assert [(m.service, m.how) for m in report.matches] == [("user", "name without suffix")]


def test_mapping_by_app_label() -> None:
    doc = deployment("frontend-v2", "registry/fe:1")
    doc["spec"]["template"]["metadata"]["labels"] = {"app.kubernetes.io/name": "web"}
    report = check(compose(web={"image": "nginx:1.25"}), [doc])
    assert [(m.service, m.how) for m in report.matches] == [("web", "app label")]


def test_mapping_unknown() -> None:
    dev, prod = compose(web={"image": "x:1"}), compose(api={"image": "x:1"})
    bad = check(dev, prod, {"services": {"web": {"workload": "nope"}}})
    assert "mapping-unknown" in codes(bad)
    missing_service = check(dev, prod, {"services": {"ghost": {"dev_only": True}}})
    assert [f.service for f in findings(missing_service, "mapping-unknown")] == ["ghost"]
    good = check(dev, prod, {"services": {"web": {"workload": "compose/api"}}})
    assert codes(good) == set()
    assert good.matches[0].how == "explicit"


# --- images and versions -------------------------------------------------------------------------


@pytest.mark.parametrize(("dev", "prod"), [("mysql:8.0", "mariadb:10.11"), ("redis:7.2", "valkey/valkey:7.2")])
def test_engine_differs(dev: str, prod: str) -> None:
    assert "engine-differs" in codes(check(compose(db={"image": dev}), compose(db={"image": prod})))
    assert codes(check(compose(db={"image": prod}), compose(db={"image": prod}))) == set()


def test_version_major_and_minor_drift() -> None:
    prod = compose(db={"image": "postgres:16.2"})
    assert codes(check(compose(db={"image": "postgres:15.4"}), prod)) == {"version-major-drift"}
    assert codes(check(compose(db={"image": "postgres:16.1-alpine"}), prod)) == {"version-minor-drift"}
    assert codes(check(compose(db={"image": "postgres:16.2-alpine"}), prod)) == {"image-variant-differs"}
    assert (
        codes(check(compose(db={"image": "postgres:16.2-alpine3.19"}), compose(db={"image": "postgres:16.2-alpine"})))
        == set()
    )
    patch_only = check(compose(db={"image": "postgres:16.2.1"}), compose(db={"image": "postgres:16.2.3"}))
    assert codes(patch_only) == set()


@pytest.mark.parametrize(
    ("dev", "prod"),
    [
        ("postgres:latest", "postgres:16.2"),
        ("postgres", "postgres:16.2"),
        ("postgres:16", "postgres:16.2"),  # floats across minors
        ("postgres:16.2", "postgres:alpine"),
        ("registry/app:1.0", "registry/app:latest"),  # an app image prod does not pin
    ],
)
def test_tag_floating(dev: str, prod: str) -> None:
    assert "tag-floating" in codes(check(compose(db={"image": dev}), compose(db={"image": prod})))


def test_tag_not_floating_when_pinned_or_prod_states_only_major() -> None:
    assert codes(check(compose(db={"image": "redis:7.2.4"}), compose(db={"image": "redis:7"}))) == set()


# --- first-party images (issue 11 class 1) ---


@pytest.mark.parametrize(
    ("dev", "prod"),
    [
        ("acme/user:0.4.4", "acme/user:0.4.7"),  # a patch apart is other code for an image the team builds
        ("acme/user-db:0.4.0", "acme/user-db:0.3.0"),
        ("acme/user:0.4.4", "123456789.dkr.ecr.eu-west-1.amazonaws.com/acme/user:0.5.0"),  # pushed elsewhere
        ("acme/user:v2", "acme/user:v3"),
    ],
)
def test_first_party_image_tags_are_compared(dev: str, prod: str) -> None:
    report = check(compose(user={"image": dev}), compose(user={"image": prod}))
    assert codes(report) == {"image-tag-differs"}
    (finding,) = report.findings
    assert finding.dev == dev and finding.prod == prod


def test_first_party_same_tag_or_other_repository_is_quiet() -> None:
    assert codes(check(compose(user={"image": "acme/user:0.4.4"}), compose(user={"image": "acme/user:0.4.4"}))) == set()
    # mapped by service name, but a different repository: the tags say nothing about each other
    assert codes(check(compose(user={"image": "acme/users:1"}), compose(user={"image": "acme/user:2"}))) == set()


def test_prod_latest_against_a_dev_version_says_so() -> None:
    report = check(compose(user={"image": "acme/user:0.4.4"}), compose(user={"image": "acme/user:latest"}))
    (finding,) = report.findings
    assert finding.code == "tag-floating"
    assert finding.message.startswith("prod runs :latest, dev :0.4.4")


@pytest.mark.parametrize(
    ("dev", "prod"),
    [
        ("rabbitmq:3.6.8", "rabbitmq:3.6.8-management"),
        ("acme/web:1.2-alpine", "acme/web:1.2"),
        ("redis:7.2", "redis:7.2-alpine"),
    ],
)
def test_image_variants_are_noticed(dev: str, prod: str) -> None:
    assert codes(check(compose(mq={"image": dev}), compose(mq={"image": prod}))) == {"image-variant-differs"}


def test_a_built_service_compares_the_tag_it_declares() -> None:
    """`build:` with `image:` (or the devenv.image label devenv renders): that tag is what dev runs."""
    with_image = {"build": ".", "image": "acme/web:1.3.0"}
    assert codes(check(compose(web=with_image), compose(web={"image": "acme/web:1.4.0"}))) == {"image-tag-differs"}
    labelled = {"build": ".", "labels": {"devenv.image": "acme/web:1.3.0"}}
    assert codes(check(compose(web=labelled), compose(web={"image": "acme/web:1.4.0"}))) == {"image-tag-differs"}


def test_version_unknown_for_external_without_version() -> None:
    dev = compose(db={"image": "postgres:15.10"})
    unknown = check(dev, compose(), {"services": {"db": {"external": {"engine": "postgresql"}}}})
    assert codes(unknown) == {"version-unknown"}
    known = check(dev, compose(), {"services": {"db": {"external": {"engine": "postgres", "version": "15.10"}}}})
    assert codes(known) == set()
    assert known.matches[0].counterpart == "external postgres 15.10"


def test_external_engine_and_version_checked() -> None:
    dev = compose(db={"image": "mysql:8.0"})
    section = {"services": {"db": {"external": {"engine": "aurora-mysql", "version": "8.0"}}}}
    assert codes(check(dev, compose(), section)) == set()
    section["services"]["db"]["external"]["version"] = "5.7"
    assert codes(check(dev, compose(), section)) == {"version-major-drift"}
    section["services"]["db"]["external"] = {"engine": "mariadb", "version": "10.11"}
    assert codes(check(dev, compose(), section)) == {"engine-differs"}


def test_version_unknown_for_a_build_without_readable_base() -> None:
    report = check(compose(db={"build": "./db"}), compose(db={"image": "postgres:15.10"}))
    assert codes(report) == {"version-unknown"}


def test_digest_differs_and_matches() -> None:
    prod = [deployment("api", f"registry/app@{IMAGE_ID}")]
    dev = compose(api={"build": "."})
    assert "digest-differs" in codes(check(dev, prod, runtime=running(OTHER_ID)))
    assert codes(check(dev, prod, runtime=running(IMAGE_ID))) == set()
    pulled = running(OTHER_ID, digests=(f"registry/app@{IMAGE_ID}",))
    assert codes(check(dev, prod, runtime=pulled)) == set()


def test_digest_pinned_in_dev_compose_is_compared_without_runtime() -> None:
    prod = [deployment("api", f"registry/app@{IMAGE_ID}")]
    assert codes(check(compose(api={"image": f"registry/app@{IMAGE_ID}"}), prod)) == set()
    assert codes(check(compose(api={"image": f"registry/app@{OTHER_ID}"}), prod)) == {"digest-differs"}


def test_digest_unchecked_when_nothing_runs() -> None:
    prod = [deployment("api", f"registry/app@{IMAGE_ID}")]
    dev = compose(api={"build": "."})
    assert codes(check(dev, prod)) == {"digest-unchecked"}
    stopped = RuntimeView("proj", {})
    assert "not running" in findings(check(dev, prod, runtime=stopped), "digest-unchecked")[0].message
    assert codes(check(dev, [deployment("api", "registry/app:1.0")])) == set()


# --- environment ---------------------------------------------------------------------------------


def env_pair(dev_env: dict[str, Any], prod_env: dict[str, Any]) -> set[str]:
    dev = compose(api={"image": "app:1", "environment": dev_env})
    prod = compose(api={"image": "app:1", "environment": prod_env})
    return codes(check(dev, prod))


def test_env_wiring_missing_in_dev() -> None:
    for key in ("REDIS_HOST", "CACHE_URL", "SENTRY_DSN", "S3_ENDPOINT"):
        assert env_pair({}, {key: "x"}) == {"env-wiring-missing-in-dev"}
    assert env_pair({"REDIS_HOST": "cache"}, {"REDIS_HOST": "redis.prod"}) == set()


def test_env_missing_in_dev() -> None:
    assert env_pair({}, {"FEATURE_SEARCH": "on"}) == {"env-missing-in-dev"}
    assert env_pair({"FEATURE_SEARCH": "on"}, {"FEATURE_SEARCH": "on"}) == set()


def test_env_missing_in_dev_satisfied_by_what_runs() -> None:
    dev = compose(api={"image": "app:1"})
    prod = compose(api={"image": "app:1", "environment": {"PYTHONUNBUFFERED": "1"}})
    assert codes(check(dev, prod)) == {"env-missing-in-dev"}
    assert codes(check(dev, prod, runtime=running(IMAGE_ID, env=("PYTHONUNBUFFERED",)))) == set()


def test_env_only_in_dev() -> None:
    assert env_pair({"DEBUG": "1"}, {}) == {"env-only-in-dev"}
    assert env_pair({"DEBUG": "1"}, {"DEBUG": "1"}) == set()


def test_env_value_differs_only_for_plain_non_wiring_values() -> None:
    assert env_pair({"LOG_LEVEL": "debug"}, {"LOG_LEVEL": "info"}) == {"env-value-differs"}
    assert env_pair({"LOG_LEVEL": "info"}, {"LOG_LEVEL": "info"}) == set()
    assert env_pair({"DATABASE_URL": "postgres://db/a"}, {"DATABASE_URL": "postgres://rds/a"}) == set()
    assert env_pair({"DB_PASSWORD": "dev"}, {"DB_PASSWORD": "prod"}) == set()  # sensitive: never compared
    assert env_pair({"WORKERS": 4}, {"WORKERS": "4"}) == set()


def test_env_secret_mismatch() -> None:
    prod = [
        deployment(
            "api",
            "app:1",
            env=[{"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "t"}}}],
        )
    ]
    literal = check(compose(api={"image": "app:1", "environment": {"API_TOKEN": "dev-token"}}), prod)
    assert codes(literal) == {"env-secret-mismatch"}
    assert "dev-token" not in str(findings(literal, "env-secret-mismatch"))
    secret = check(compose(api={"image": "app:1", "environment": {"API_TOKEN": "${DEVENV_SECRET_TOKEN}"}}), prod)
    assert codes(secret) == set()


def test_env_source_differs() -> None:
    prod = [
        deployment("api", "app:1", env=[{"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}])
    ]
    assert codes(check(compose(api={"image": "app:1", "environment": {"POD_IP": "127.0.0.1"}}), prod)) == {
        "env-source-differs"
    }
    configmap = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"MODE": "x"}},
        deployment(
            "api",
            "app:1",
            env=[{"name": "MODE", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "MODE"}}}],
        ),
    ]
    assert codes(check(compose(api={"image": "app:1", "environment": {"MODE": "x"}}), configmap)) == set()


def test_env_likely_renamed_only_when_both_keys_carry_the_same_value() -> None:
    assert env_pair({"LOG_LEVEL": "info"}, {"LOGLEVEL": "info"}) == {"env-likely-renamed"}
    assert env_pair({"RETRY_LIMIT": "3"}, {"QUEUE_NAME": "jobs"}) == {"env-missing-in-dev", "env-only-in-dev"}
    # similar names, other values: no claim that "one side is wrong", a mention in the missing key's line
    report = check(
        compose(api={"image": "app:1", "environment": {"DB_HOST": "db"}}),
        compose(api={"image": "app:1", "environment": {"DATABASE_HOST": "rds.example.com"}}),
    )
    assert codes(report) == {"env-wiring-missing-in-dev", "env-only-in-dev"}
    (missing,) = [f for f in report.findings if f.code == "env-wiring-missing-in-dev"]
    assert "(dev sets the similar DB_HOST: renamed?)" in missing.message


def test_a_rename_of_wiring_is_claimed_when_both_point_to_the_same_service() -> None:
    dev = compose(api={"image": "app:1", "environment": {"DB_HOST": "db"}}, db={"image": "postgres:16.2"})
    prod = compose(api={"image": "app:1", "environment": {"DATABASE_HOST": "db"}}, db={"image": "postgres:16.2"})
    assert codes(check(dev, prod)) == {"env-likely-renamed"}


# --- wiring (issue 11 class 2) ---

_CATALOG = {"catalog": {"image": "acme/catalog:1"}, "payment": {"image": "acme/payment:1"}}


@pytest.mark.parametrize(
    ("key", "dev", "prod"),
    [
        ("CATALOG_URL", "http://catalog:8080", "http://catalog"),
        ("CATALOG", "http://catalog:8080/api", "https://catalog.default.svc.cluster.local/api"),
        ("PGHOST", "catalog", "catalog"),
        ("SERVICE_ADDRESSES", "catalog:8080,payment:8081", "payment:80,catalog:80"),
        ("ENDPOINTS_CATALOG", "catalog:8080", "catalog.shop.svc:80"),
        ("BACKEND", "catalog", "catalog"),
    ],
)
def test_wiring_is_compared_by_what_it_points_to(key: str, dev: str, prod: str) -> None:
    report = check(
        compose(front={"image": "acme/front:1", "environment": {key: dev}}, **_CATALOG),
        compose(front={"image": "acme/front:1", "environment": {key: prod}}, **_CATALOG),
    )
    assert codes(report) == set()


def test_wiring_to_another_service_is_reported() -> None:
    report = check(
        compose(front={"image": "acme/front:1", "environment": {"CATALOG_URL": "http://catalog:8080"}}, **_CATALOG),
        compose(front={"image": "acme/front:1", "environment": {"CATALOG_URL": "http://payment"}}, **_CATALOG),
    )
    (finding,) = report.findings
    assert finding.code == "env-wiring-differs"
    assert finding.message == "CATALOG_URL points to catalog in dev but to payment in prod"


def test_wiring_through_the_mapping_and_to_outside_hosts() -> None:
    """Prod's `postgres` is dev's `db` through the mapping; a managed host is expected to differ."""
    dev = compose(
        api={"image": "app:1", "environment": {"DB_HOST": "db", "MQ_URL": "amqp://mq"}}, db={"image": "postgres:16.2"}
    )
    prod = [
        deployment(
            "api",
            "app:1",
            env=[
                {"name": "DB_HOST", "value": "postgres"},
                {"name": "MQ_URL", "value": "amqps://b-1.mq.eu-west-1.amazonaws.com"},
            ],
        ),
        deployment("postgres", "postgres:16.2"),
    ]
    report = check(dev, prod)
    assert not [f for f in report.findings if f.service == "api"]


def test_platform_set_values_are_info() -> None:
    prod = [
        deployment(
            "api",
            "app:1",
            env=[
                {"name": "STATSD_HOST", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
            ],
        )
    ]
    report = check(compose(api={"image": "app:1"}), prod)
    assert codes(report) == {"env-platform-set"}
    assert {f.severity.value for f in report.findings} == {"info"}


def test_env_unresolved() -> None:
    prod = [deployment("api", "app:1", envFrom=[{"configMapRef": {"name": "elsewhere"}}])]
    report = check(compose(api={"image": "app:1", "environment": {"ANYTHING": "1"}}), prod)
    assert codes(report) == {"env-not-visible"}  # and dev-only keys are not guessed at
    resolved = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "elsewhere"},
            "data": {"ANYTHING": "1"},
        },
        *prod,
    ]
    assert codes(check(compose(api={"image": "app:1", "environment": {"ANYTHING": "1"}}), resolved)) == set()


# --- shape ---------------------------------------------------------------------------------------


def test_port_differs() -> None:
    prod = compose(api={"image": "app:1", "ports": ["80:8000"]})
    assert codes(check(compose(api={"image": "app:1", "ports": ["8080:8080"]}), prod)) == {"port-differs"}
    assert codes(check(compose(api={"image": "app:1", "ports": ["18000:8000"]}), prod)) == set()
    assert codes(check(compose(api={"image": "app:1"}), prod)) == set()  # dev publishes nothing: not compared


def test_dependency_no_dev_path() -> None:
    prod = compose(api={"image": "app:1", "depends_on": ["cache"]}, cache={"image": "redis:7.2"})
    report = check(compose(api={"image": "app:1"}), prod)
    assert [f.keys for f in findings(report, "dependency-no-dev-path")] == [("cache",)]
    both = compose(api={"image": "app:1"}, cache={"image": "redis:7.2"})
    assert codes(check(both, prod)) == set()
    apart = compose(api={"image": "app:1", "networks": ["front"]}, cache={"image": "redis:7.2", "networks": ["back"]})
    assert "dependency-no-dev-path" in codes(check(apart, prod))


def test_dependency_inferred_from_env_in_kubernetes() -> None:
    prod = [
        deployment("api", "app:1", env=[{"name": "CACHE_HOST", "value": "redis.shop.svc.cluster.local"}]),
        deployment("redis", "redis:7.2"),
    ]
    report = check(compose(api={"image": "app:1", "environment": {"CACHE_HOST": "redis"}}), prod)
    assert "dependency-no-dev-path" in codes(report)


def test_persistence_differs() -> None:
    prod = compose(db={"image": "mariadb:10.11", "volumes": ["data:/var/lib/mysql"]})
    report = check(compose(db={"image": "mariadb:10.11"}), prod)
    assert codes(report) == {"persistence-differs"}
    assert codes(check(compose(db={"image": "mariadb:10.11", "volumes": ["d:/var/lib/mysql"]}), prod)) == set()
    uploads = check(compose(web={"image": "app:1", "volumes": ["up:/app/uploads"]}), compose(web={"image": "app:1"}))
    assert codes(uploads) == {"persistence-differs"}
    code = check(compose(web={"image": "app:1", "volumes": ["./src:/app"]}), compose(web={"image": "app:1"}))
    assert codes(code) == set()  # a bind mount of source code is not data


def test_healthcheck_only_in_prod_or_dev() -> None:
    health = {"test": ["CMD", "true"]}
    assert codes(check(compose(a={"image": "x:1"}), compose(a={"image": "x:1", "healthcheck": health}))) == {
        "healthcheck-only-in-prod"
    }
    assert codes(check(compose(a={"image": "x:1", "healthcheck": health}), compose(a={"image": "x:1"}))) == {
        "healthcheck-only-in-dev"
    }
    both = compose(a={"image": "x:1", "healthcheck": health})
    assert codes(check(both, both)) == set()
    from_image = RuntimeView("p", {"a": RuntimeService(IMAGE_ID, healthcheck="wget -qO- localhost")})
    prod = compose(a={"image": "x:1", "healthcheck": health})
    assert codes(check(compose(a={"image": "x:1"}), prod, runtime=from_image)) == set()


def test_replicas_differ() -> None:
    dev = compose(a={"image": "x:1"})
    assert codes(check(dev, compose(a={"image": "x:1", "deploy": {"replicas": 3}}))) == {"replicas-differ"}
    assert codes(check(dev, compose(a={"image": "x:1", "deploy": {"mode": "global"}}))) == {"replicas-differ"}
    assert codes(check(dev, compose(a={"image": "x:1", "deploy": {"replicas": 1}}))) == set()


def test_resources_differ() -> None:
    limits = {"deploy": {"resources": {"limits": {"cpus": "0.5", "memory": "512M"}}}}
    prod = compose(a={"image": "x:1", **limits})
    assert codes(check(compose(a={"image": "x:1"}), prod)) == {"resources-differ"}
    k8s = [deployment("a", "x:1", resources={"limits": {"cpu": "500m", "memory": "512Mi"}})]
    assert codes(check(compose(a={"image": "x:1", **limits}), k8s)) == set()


def test_command_differs() -> None:
    prod = [deployment("a", "x:1", command=["gunicorn"], args=["app.wsgi", "-w", "4"])]
    dev = compose(a={"image": "x:1", "entrypoint": "gunicorn", "command": "app.wsgi -w 4"})
    assert codes(check(dev, prod)) == set()
    other = compose(a={"image": "x:1", "entrypoint": "gunicorn", "command": "app.wsgi --reload"})
    assert [f.keys for f in findings(check(other, prod), "command-differs")] == [("command",)]


# --- allow-list ----------------------------------------------------------------------------------


def test_allow_list_accepts_a_finding_with_its_reason() -> None:
    dev = compose(api={"image": "app:1", "environment": {"DEBUG": "1", "VERBOSE": "1"}})
    prod = compose(api={"image": "app:1"})
    section = {"allow": [{"rule": "env-only-in-dev", "service": "api", "keys": ["DEB*"], "reason": "dev switch"}]}
    report = check(dev, prod, section)
    assert [f.keys for f in report.active] == [("VERBOSE",)]
    assert [(f.keys, f.allowed.reason if f.allowed else None) for f in report.allowed] == [(("DEBUG",), "dev switch")]


def test_allow_expired() -> None:
    dev, prod = (
        compose(api={"image": "app:1", "environment": {"DEBUG": "1"}}),
        compose(api={"image": "app:1"}),
    )
    entry = {"rule": "env-only-in-dev", "keys": ["DEBUG"], "reason": "r"}
    expired = check(dev, prod, {"allow": [{**entry, "expires": "2026-01-01"}]})
    assert codes(expired) == {"allow-expired", "env-only-in-dev"}  # and the finding counts again
    current = check(dev, prod, {"allow": [{**entry, "expires": "2027-01-01"}]})
    assert codes(current) == set()


def test_allow_unused() -> None:
    dev, prod = compose(api={"image": "app:1"}), compose(api={"image": "app:1"})
    unused = check(dev, prod, {"allow": [{"rule": "port-differs", "service": "api", "reason": "r"}]})
    assert codes(unused) == {"allow-unused"}
    dev = compose(api={"image": "app:1", "ports": ["1:1"]})
    prod = compose(api={"image": "app:1", "ports": ["2:2"]})
    used = check(dev, prod, {"allow": [{"rule": "port-*", "service": "api", "reason": "r"}]})
    assert codes(used) == set()


def test_every_code_has_a_test_here() -> None:
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [c for c in CODES if c != "template-unrendered" and f'"{c}"' not in source]
    assert untested == []  # template-unrendered: tests/parity/test_loader.py


def test_ecs_task_family_names_a_single_container_task() -> None:
    from devenv.domain.parity.check import compare
    from devenv.domain.parity.config import parse_parity_section
    from devenv.domain.parity.readers.aws import read_ecs
    from devenv.domain.parity.readers.compose import read_compose

    task = {"family": "orders", "containerDefinitions": [{"name": "app", "image": "registry/shop-orders:1"}]}
    dev = read_compose(compose(orders={"image": "acme/orders:1"}), "dev.yml")
    report = compare(dev, read_ecs(task, "task.json"), parse_parity_section(None))
    assert [(m.service, m.how) for m in report.matches] == [("orders", "service name")]


def test_env_unresolved_for_a_dev_env_file_that_cannot_be_read() -> None:
    from devenv.domain.parity.check import compare
    from devenv.domain.parity.config import parse_parity_section
    from devenv.domain.parity.readers.compose import read_compose

    dev = read_compose(
        compose(api={"image": "app:1", "env_file": "missing.env"}), "dev.yml", env_files={"missing.env": None}
    )
    prod = read_compose(compose(api={"image": "app:1", "environment": {"A": "1"}}), "prod.yml")
    report = compare(dev, prod, parse_parity_section(None))
    assert {f.code for f in report.findings} == {"env-unresolved"}  # and A is not "missing in dev"


def test_source_notes_become_findings_on_the_manifests_group() -> None:
    from devenv.domain.parity.check import compare
    from devenv.domain.parity.config import parse_parity_section
    from devenv.domain.parity.model import Side, SourceNote
    from devenv.domain.parity.readers.compose import read_compose

    dev = read_compose(compose(), "dev.yml")
    prod = Side(notes=[SourceNote("chart-skipped", "deploy/charts/shop", "a chart")])
    (finding,) = compare(dev, prod, parse_parity_section(None)).findings
    assert (finding.code, finding.service, finding.keys) == (
        "chart-skipped",
        "(manifests)",
        ("prod:deploy/charts/shop",),
    )


def test_kubernetes_command_against_compose_command_compares_what_starts() -> None:
    """k8s `command:` replaces the entrypoint, compose `command:` the command: compare both together."""
    prod = [deployment("web", "app:1", command=["gunicorn", "shop.wsgi"])]
    differs = check(compose(web={"image": "app:1", "command": "python manage.py runserver"}), prod)
    assert [(f.code, f.keys) for f in differs.findings] == [("command-differs", ("command",))]
    same = check(compose(web={"image": "app:1", "command": "gunicorn shop.wsgi"}), prod)
    assert codes(same) == set()


def test_wiring_to_a_workload_with_a_paired_sidecar_resolves_to_its_main_container() -> None:
    pod = deployment("rabbitmq", "rabbitmq:3.12")
    pod["spec"]["template"]["spec"]["containers"].append({"name": "exporter", "image": "kbudde/rabbitmq-exporter:1"})
    app = deployment("app", "acme/app:1", env=[{"name": "MQ_HOST", "value": "rabbitmq.default.svc.cluster.local"}])
    dev = compose(
        app={"image": "acme/app:1", "environment": {"MQ_HOST": "rabbitmq"}},
        rabbitmq={"image": "rabbitmq:3.12"},
        exporter={"image": "kbudde/rabbitmq-exporter:1"},
    )
    assert codes(check(dev, [app, pod])) == set()  # not "points to rabbitmq in dev but to exporter in prod"
