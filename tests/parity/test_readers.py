"""Each production format read from the committed fixtures into the one normalised model."""

from __future__ import annotations

from pathlib import Path

from devenv.adapters import manifests
from devenv.domain.parity.config import AgainstEntry
from devenv.domain.parity.model import MountKind, Port, Side, SourceKind, Workload
from tests.helpers.parity import FIXTURES


def load(path: str, *, name: str | None = None, env: tuple[str, ...] = (), secret_env: tuple[str, ...] = ()) -> Side:
    entry = AgainstEntry(path=path, name=name, env=env, secret_env=secret_env)
    return manifests.load_prod([(entry, None)], FIXTURES)


def by_name(side: Side) -> dict[str, Workload]:
    return {w.name: w for w in side.workloads}


def test_kubernetes_folder_reads_every_workload_kind() -> None:
    side = load("k8s")
    kinds = {w.name: w.kind for w in side.workloads}
    assert kinds == {
        "api": "Deployment",
        "postgres": "StatefulSet",
        "log-agent": "DaemonSet",
        "nightly-report": "CronJob",
        "migrate": "Job",
    }  # the PrometheusRule and kustomization.yaml are skipped
    assert side.notes == []


def test_kubernetes_env_sources_with_envfrom_prefix_and_every_valuefrom() -> None:
    api = by_name(load("k8s"))["api"]
    env = api.main.env
    assert api.main.name == "api"  # the envoy sidecar is not the compared container
    kinds = {k: (v.kind, v.value) for k, v in env.items()}
    assert kinds == {
        "APP_MODE": (SourceKind.CONFIGMAP, "production"),
        "APP_FEATURE_FLAGS": (SourceKind.CONFIGMAP, "search,checkout"),
        "DB_PASSWORD": (SourceKind.SECRET, None),
        "API_TOKEN": (SourceKind.SECRET, None),
        "SIGNING_KEY": (SourceKind.SECRET, None),
        "LOG_LEVEL": (SourceKind.LITERAL, "info"),
        "DATABASE_HOST": (SourceKind.LITERAL, "postgres.shop.svc.cluster.local"),
        "FEATURE_FLAGS": (SourceKind.CONFIGMAP, "search,checkout"),
        "POD_IP": (SourceKind.FIELD, "status.podIP"),
        "CPU_LIMIT": (SourceKind.FIELD, "limits.cpu"),
    }
    assert env["DB_PASSWORD"].ref == "secret api-secrets/DB_PASSWORD"


def test_kubernetes_shape() -> None:
    side = by_name(load("k8s"))
    api, db = side["api"], side["postgres"]
    assert api.replicas == 3
    assert api.service_names == ("api-svc",)
    assert api.main.ports == (Port(8000),)
    assert (api.main.resources.cpu_millis, api.main.resources.memory_mib) == (500, 512)
    assert str(api.main.health) == "http /healthz port 8000"
    assert api.main.entrypoint == ("gunicorn",)
    assert api.main.command == ("app.wsgi", "--bind", "0.0.0.0:8000")
    assert api.main.image is not None and api.main.image.digest == "sha256:" + "1" * 64
    assert api.main.image.repository == "shop/api" and api.main.image.registry == "registry.example.com"
    assert {m.target: m.kind for m in api.main.mounts} == {
        "/tmp": MountKind.EPHEMERAL,
        "/etc/app": MountKind.CONFIG,
    }
    assert api.dependencies == ("postgres",)  # from DATABASE_HOST=postgres.shop.svc.cluster.local
    assert [(m.target, m.kind) for m in db.main.mounts] == [("/var/lib/postgresql/data", MountKind.CLAIM)]
    assert str(db.main.health) == "exec pg_isready -U postgres"
    assert side["log-agent"].per_node and side["log-agent"].main.mounts[0].kind is MountKind.HOST
    assert side["nightly-report"].main.command == ("python", "-m", "app.report")


def test_kubernetes_references_resolve_across_against_entries() -> None:
    entries = [(AgainstEntry(path="k8s/api.yaml"), None), (AgainstEntry(path="k8s/config.yaml"), None)]
    side = manifests.load_prod(entries, FIXTURES)
    assert side.notes == []  # envFrom app-config / api-secrets found in the other file
    assert side.sources == ["k8s/api.yaml", "k8s/config.yaml"]
    assert by_name(side)["api"].main.env["APP_MODE"].value == "production"


def test_kubernetes_list_from_kubectl_get(tmp_path: Path) -> None:
    text = (FIXTURES / "k8s" / "postgres.yaml").read_text().split("---")[0]
    indented = "\n".join("    " + line for line in text.splitlines())
    (tmp_path / "list.yaml").write_text(f"apiVersion: v1\nkind: List\nitems:\n  -\n{indented}\n")
    side = manifests.load_prod([(AgainstEntry(path="list.yaml"), None)], tmp_path)
    assert [w.qualified_name for w in side.workloads] == ["StatefulSet/postgres"]


def test_beanstalk_v1_with_environment_properties_file() -> None:
    side = load("beanstalk/v1/Dockerrun.aws.json", env=("beanstalk/v1/eb.env",))
    (web,) = side.workloads
    assert (web.name, web.kind) == ("v1", "beanstalk")  # named after its folder unless the entry has a name
    assert web.main.image is not None and web.main.image.name == "shop-web" and web.main.image.tag == "3.2.0"
    assert web.main.ports == (Port(8080),)
    assert web.main.command == ("gunicorn", "app.wsgi", "--bind", "0.0.0.0:8080")
    assert [(m.target, m.kind) for m in web.main.mounts] == [("/app/uploads", MountKind.HOST)]
    assert {k: v.value for k, v in web.main.env.items()} == {
        "LOG_LEVEL": "warning",
        "REDIS_URL": "redis://cache.abc123.euw1.cache.amazonaws.com:6379/0",
    }
    named = load("beanstalk/v1/Dockerrun.aws.json", name="web")
    assert named.workloads[0].name == "web"


def test_beanstalk_v2_container_definitions_links_and_secret_env() -> None:
    side = load(
        "beanstalk/v2/Dockerrun.aws.json",
        env=("beanstalk/v2/eb.env",),
        secret_env=("beanstalk/v2/eb-secrets.env",),
    )
    workloads = by_name(side)
    assert set(workloads) == {"php-app", "nginx-proxy"}
    nginx, php = workloads["nginx-proxy"], workloads["php-app"]
    assert nginx.dependencies == ("php-app",)
    assert nginx.main.ports == (Port(80),)
    assert {m.target: m.kind for m in nginx.main.mounts} == {
        "/var/www/html": MountKind.HOST,
        "/etc/nginx/conf.d": MountKind.HOST,
        "/var/cache/nginx": MountKind.EPHEMERAL,
    }
    assert php.main.resources.memory_mib == 256
    env = {k: (v.kind, v.value) for k, v in php.main.env.items()}
    assert env == {
        "APP_DEBUG": (SourceKind.FILE, "false"),
        "MAIL_HOST": (SourceKind.FILE, "smtp.example.com"),
        "APP_KEY": (SourceKind.SECRET, None),
        "DB_PASSWORD": (SourceKind.SECRET, None),
        "APP_ENV": (SourceKind.LITERAL, "production"),
    }


def test_ecs_task_definition() -> None:
    side = load("ecs/task.json")
    workloads = by_name(side)
    web, db = workloads["web"], workloads["db"]
    assert web.kind == "ecs" and web.hostnames == ("web",) and web.labels == {"team": "shop"}
    assert web.dependencies == ("db",)
    assert {k: v.kind for k, v in web.main.env.items()} == {
        "DATABASE_URL": SourceKind.LITERAL,
        "LOG_LEVEL": SourceKind.LITERAL,
        "DB_PASSWORD": SourceKind.SECRET,
        "STRIPE_KEY": SourceKind.SECRET,
    }
    assert web.main.env["DB_PASSWORD"].ref == "secrets manager"
    assert web.main.env["STRIPE_KEY"].ref == "ssm parameter"
    assert [n.code for n in side.notes] == ["env-not-visible"]  # the S3 environment file
    assert web.main.entrypoint == ("/docker-entrypoint.sh",) and web.main.command == ("gunicorn", "app.wsgi")
    assert (web.main.resources.cpu_millis, web.main.resources.memory_mib) == (500, 1024)
    assert str(web.main.health) == "exec curl -f http://localhost:8000/healthz || exit 1"
    assert [(m.target, m.kind) for m in web.main.mounts] == [("/app/uploads", MountKind.NETWORK)]
    assert [(m.target, m.kind) for m in db.main.mounts] == [("/var/lib/postgresql/data", MountKind.VOLUME)]
    assert db.main.image is not None and db.main.image.engine == "postgres"


def test_ecs_environment_files_given_locally_resolve_the_note() -> None:
    side = load("ecs/task.json", env=("compose/web.env",))
    assert side.notes == []
    assert by_name(side)["web"].main.env["FEATURE_FLAGS"].kind is SourceKind.FILE


def test_ecs_describe_task_definition_output() -> None:
    (worker,) = load("ecs/describe.json").workloads
    assert worker.name == "worker"
    assert worker.main.image is not None and worker.main.image.digest == "sha256:" + "2" * 64
    assert (worker.main.resources.cpu_millis, worker.main.resources.memory_mib) == (500, 1024)
    assert worker.main.env["BROKER_PASSWORD"].kind is SourceKind.SECRET


def test_ecs_bare_container_definitions_list(tmp_path: Path) -> None:
    (tmp_path / "defs.json").write_text('[{"name": "api", "image": "app:1", "memory": 256}]')
    side = manifests.load_prod([(AgainstEntry(path="defs.json"), None)], tmp_path)
    assert [w.name for w in side.workloads] == ["api"]


def test_production_compose_with_deploy() -> None:
    side = load("compose/docker-stack.yml", secret_env=("compose/web-secrets.env",))
    workloads = by_name(side)
    web = workloads["web"]
    assert web.replicas == 4
    assert (web.main.resources.cpu_millis, web.main.resources.memory_mib) == (500, 512)
    assert web.labels == {"traefik.enable": "true"}
    assert web.dependencies == ("db", "cache")
    assert web.main.ports == (Port(8000),)
    env = {k: (v.kind, v.value) for k, v in web.main.env.items()}
    assert env == {
        "FEATURE_FLAGS": (SourceKind.FILE, "search,checkout"),
        "SESSION_SECRET": (SourceKind.SECRET, None),
        "DATABASE_URL": (SourceKind.LITERAL, "postgres://shop@db:5432/shop"),
        "LOG_LEVEL": (SourceKind.LITERAL, "info"),
        "SENTRY_DSN": (SourceKind.EXTERNAL, None),
    }
    assert workloads["monitor"].per_node
    assert workloads["db"].main.mounts[0].kind is MountKind.VOLUME
    assert workloads["cache"].main.image is not None and workloads["cache"].main.image.engine == "valkey"


def test_dev_compose_secret_references_and_build_base_image() -> None:
    doc = manifests.parse_documents((FIXTURES / "dev/docker-compose.yml").read_text(), Path("x.yml"))[0]
    side = manifests.load_dev(doc, FIXTURES / "dev", "docker-compose.yml")
    web = by_name(side)["web"]
    assert web.main.env["DB_PASSWORD"].kind is SourceKind.SECRET
    assert web.main.env["DATABASE_URL"].kind is SourceKind.SECRET  # holds a secret reference
    assert web.main.env["DEBUG"].value == "1"
    assert web.main.built and web.main.base_image is not None
    assert str(web.main.base_image) == "python:3.12-slim"  # FROM base, where base is python:3.12-slim
    assert web.labels == {"devenv.service": "web"}
