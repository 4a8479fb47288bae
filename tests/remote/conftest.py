"""The ssh engine the remote tests reach: a real sshd on 127.0.0.1 (tests/helpers/sshd.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers.sshd import Sshd, require_sshd, running_sshd


@pytest.fixture
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    require_sshd()  # like the engine: in CI a missing sshd fails, never skips
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server
