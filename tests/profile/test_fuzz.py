"""Random YAML (and random bytes) fed to the loader: only ProfileError ever escapes."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devenv import __version__
from devenv.domain.profile.loader import load_profile
from devenv.errors import ProfileError

KEYS = [
    "name",
    "version",
    "services",
    "image",
    "build",
    "links",
    "exports",
    "ports",
    "variables",
    "type",
    "default",
    "extends",
    "seed",
    "service",
    "run",
    "healthcheck",
    "test",
    "volumes",
    "host_access",
    "environment",
    "requires",
    "repo",
    "url",
    "command",
    "choices",
    "web",
    "db",
    "${x}",
    "<<",
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(["1.0.0", "x", "8000:80", "${web_port}", "$$", "${", "../x:/y"]),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), children, max_size=5),
    ),
    max_leaves=30,
)


def load_text(text: str) -> None:
    def read(ref: str, _from: str | None) -> tuple[str, str]:
        if ref == "main.yaml":
            return text, "main.yaml"
        return "name: base\nversion: 1.0.0\nservices: {a: {image: x}}\n", ref

    with contextlib.suppress(ProfileError):
        load_profile("main.yaml", read, devenv_version=__version__)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_random_structures_only_raise_profile_error(doc: Any) -> None:
    load_text(yaml.safe_dump(doc))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_random_text_only_raises_profile_error(text: str) -> None:
    load_text(text)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {"name": st.just("fz"), "version": st.just("1.0.0")},
        optional={
            "services": st.dictionaries(
                st.sampled_from(["web", "db", "cache"]),
                st.fixed_dictionaries(
                    {"image": st.just("x")},
                    optional={k: documents for k in ["links", "ports", "volumes", "healthcheck", "exports", "build"]},
                ),
                max_size=3,
            ),
            "variables": documents,
            "seed": documents,
            "extends": st.sampled_from(["base.yaml", "main.yaml"]),
        },
    )
)
def test_nearly_valid_profiles_only_raise_profile_error(doc: dict[str, Any]) -> None:
    load_text(yaml.safe_dump(doc))


def alias_bomb() -> str:
    """Nine levels of nine aliases: a few hundred bytes that expand to 9**9 (387 million) scalars."""
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        ref = f"*{chr(96 + i)}"
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join([ref] * 9)}]\n"
    return bomb


def test_alias_bomb_is_refused() -> None:
    def read(ref: str, _from: str | None) -> tuple[str, str]:
        return alias_bomb(), ref

    with pytest.raises(ProfileError) as caught:
        load_profile("main.yaml", read, devenv_version=__version__)
    assert caught.value.exit_code == 2
    assert "aliases expand to more than" in caught.value.message
    assert caught.value.problems[0].location is not None
