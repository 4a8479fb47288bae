"""The runtime view from the docker SDK: image identity and env keys, values dropped on the spot."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from devenv.parity.runtime import PROJECT_LABEL, SERVICE_LABEL, read_runtime

IMAGE = "sha256:" + "c" * 64


@dataclass
class FakeContainer:
    name: str
    labels: dict[str, str]
    attrs: dict[str, Any]


@dataclass
class FakeImage:
    attrs: dict[str, Any]


@dataclass
class FakeClient:
    """Answers like docker.DockerClient for the two calls read_runtime makes."""

    listed: list[FakeContainer] = field(default_factory=list)
    filters: list[dict[str, str]] = field(default_factory=list)

    @property
    def containers(self) -> FakeClient:
        return self

    @property
    def images(self) -> FakeClient:
        return self

    def list(self, filters: dict[str, str]) -> list[FakeContainer]:
        self.filters.append(filters)
        return self.listed

    def get(self, image_id: str) -> FakeImage:
        return FakeImage({"RepoDigests": [f"registry/app@{IMAGE}"], "RepoTags": ["app:dev"]})


def test_reads_image_identity_and_env_keys_only() -> None:
    env = ["PATH=/bin", "DB_PASSWORD=runtime-secret-VALUE", "EMPTY="]
    client = FakeClient(
        [
            FakeContainer(
                "p-web-1",
                {SERVICE_LABEL: "web"},
                {"Image": IMAGE, "Config": {"Env": env, "Healthcheck": {"Test": ["CMD-SHELL", "true"]}}},
            )
        ]
    )
    view = read_runtime("p", client)
    assert client.filters == [{"label": f"{PROJECT_LABEL}=p"}]
    web = view.services["web"]
    assert web.env_keys == frozenset({"PATH", "DB_PASSWORD", "EMPTY"})
    assert "runtime-secret-VALUE" not in repr(view)
    assert web.runs_digest(IMAGE)
    assert web.repo_digests == (f"registry/app@{IMAGE}",) and web.image_tags == ("app:dev",)
    assert web.healthcheck == "true"


def test_an_engine_that_fails_is_a_reason_not_an_exception() -> None:
    class Broken:
        @property
        def containers(self) -> Any:
            raise ConnectionError("engine gone\nmore detail")

    view = read_runtime("p", Broken())
    assert view.services == {}
    assert view.problem == "the Docker engine could not be asked: engine gone"
