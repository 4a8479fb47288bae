"""The ssh engine the remote tests reach: a real sshd on 127.0.0.1 (tests/helpers/sshd.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.helpers.sshd import Sshd, have_sshd, running_sshd


@pytest.fixture
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    if not have_sshd():
        reason = "no sshd (scripts/engine.sh start installs openssh-server)"
        if os.environ.get("CI") == "true":  # like the engine: in CI a missing sshd fails, never skips
            pytest.fail(reason)
        pytest.skip(reason)
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server
