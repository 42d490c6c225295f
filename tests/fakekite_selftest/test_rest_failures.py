"""What the real ``KiteConnect`` raises for each way Kite (or the network) fails: the facts
the adapter's error mapping rests on."""

from __future__ import annotations

import time

import pytest
import requests
from kiteconnect import KiteConnect
from kiteconnect.exceptions import (
    DataException,
    GeneralException,
    InputException,
    NetworkException,
    OrderException,
    TokenException,
)

from tests.fakekite import FakeKite


def place(kite, tag="C1"):
    return kite.place_order(variety="regular", exchange="NSE", tradingsymbol="INFY",
                            transaction_type="BUY", quantity=1, product="MIS",
                            order_type="MARKET", tag=tag)  # fmt: skip


@pytest.mark.parametrize(
    ("status", "error_type", "raised"),
    [
        (429, None, NetworkException),  # Kite sends "Too many requests" as NetworkException
        (403, None, TokenException),
        (400, None, InputException),
        (500, "SomeNewException", GeneralException),  # unknown types fall back
        (500, None, GeneralException),
        (502, None, DataException),
        (503, None, NetworkException),
        (500, "OrderException", OrderException),
    ],
)
def test_error_envelopes_map_to_exception_types_by_error_type(fake, kite, status, error_type,
                                                              raised):  # fmt: skip
    fake.fail_next(1, status, error_type, message="armed")
    with pytest.raises(raised, match="armed") as info:
        kite.positions()
    assert info.value.code == status  # the HTTP status rides along as .code
    assert kite.positions()["net"] == []  # only the next call failed


def test_a_failure_can_target_one_endpoint_and_several_calls(fake, kite):
    fake.fail_next(2, 429, endpoint="GET /portfolio/*")
    kite.orders()
    for _ in range(2):
        with pytest.raises(NetworkException):
            kite.positions()
    kite.positions()
    assert [r.status for r in fake.requests_to("/portfolio/positions")] == [429, 429, 200]


def test_a_failed_placement_creates_no_order_unless_processed(fake, kite):
    fake.fail_next(1, 503, endpoint="POST /orders/*")
    with pytest.raises(NetworkException):
        place(kite, tag="LOST")
    assert kite.orders() == []
    fake.fail_next(1, 504, endpoint="POST /orders/*", processed=True)
    with pytest.raises(NetworkException):
        place(kite, tag="PLACED")  # the error hides an order that exists
    assert [o["tag"] for o in kite.orders()] == ["PLACED"]


def test_a_non_json_error_page_is_a_data_exception(fake, kite):
    fake.fail_next(1, 502, body=b"<html>Bad Gateway</html>", content_type="text/html")
    with pytest.raises(DataException, match="Unknown Content-Type"):
        kite.profile()


def test_an_error_envelope_without_error_type_escapes_as_a_type_error(fake, kite):
    """kiteconnect does ``getattr(ex, data.get("error_type"), ...)``: with no error_type
    that is ``getattr(module, None)``, a TypeError, not a KiteException."""
    fake.fail_next(1, 500, body=b'{"status": "error", "message": "boom"}')
    with pytest.raises(TypeError):
        kite.profile()


def test_placement_answered_after_the_client_timeout_raises_read_timeout_yet_exists(fake):
    client = KiteConnect(fake.api_key, access_token=fake.access_token, root=fake.api_root,
                         timeout=0.5)  # fmt: skip
    fake.delay_next_placement(5)
    started = time.monotonic()
    with client.reqsession, pytest.raises(requests.exceptions.ReadTimeout):
        place(client, tag="S00000001")
    assert time.monotonic() - started < 3
    (found,) = [o for o in client.orders() if o["tag"] == "S00000001"]
    assert found["status"] == "COMPLETE"
    assert not isinstance(requests.exceptions.ReadTimeout(), NetworkException)


def test_a_dead_server_is_a_requests_connection_error():
    with FakeKite() as stopped:
        root = stopped.api_root
    client = KiteConnect("k", access_token="t", root=root, timeout=1)
    with client.reqsession, pytest.raises(requests.exceptions.ConnectionError):
        client.profile()
