"""Fixtures: a running fake with the standard instruments, and the real ``KiteConnect``
pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kiteconnect import KiteConnect

from tests.fakekite import FakeKite
from tests.fakekite_selftest.market_setup import populate


@pytest.fixture
def fake() -> Iterator[FakeKite]:
    with FakeKite() as running:
        populate(running)
        yield running


@pytest.fixture
def kite(fake: FakeKite) -> Iterator[KiteConnect]:
    """Logged in with the fake's standing access token; 2 s timeout so failures are quick."""
    client = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root,
                         timeout=2)  # fmt: skip
    yield client
    client.reqsession.close()
