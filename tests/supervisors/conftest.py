"""Every supervision test runs twice: with probes on threads of their own, and with probes run
by the tree's dispatcher (pooled actors must behave exactly alike under supervision)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.supervisors import probes


@pytest.fixture(autouse=True, params=["thread", "pooled"])
def runtime(request: pytest.FixtureRequest) -> Iterator[str]:
    probes.RUNTIME = request.param
    yield request.param
    probes.RUNTIME = "thread"
