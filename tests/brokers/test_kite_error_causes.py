"""Each Kite failure is sorted twice: by what the caller must do (the error's type) and by what
happened on the wire (its ``cause``, the metric label operators read as 429, 403, timeout, 5xx)."""

from __future__ import annotations

import pytest
import requests
from kiteconnect import exceptions as kite

from brokers import kite_errors
from brokers.errors import (
    BrokerUnavailable,
    OrderRefused,
    OutcomeUnknown,
    RateLimited,
    TokenExpired,
)


@pytest.mark.parametrize(
    ("raised", "expected_type", "cause"),
    [
        (requests.ReadTimeout("slow"), OutcomeUnknown, "timeout"),
        (requests.ConnectionError("reset"), OutcomeUnknown, "connection"),
        (kite.GeneralException("bad gateway", code=502), OutcomeUnknown, "http_5xx"),
        (kite.DataException("not json", code=502), OutcomeUnknown, "bad_response"),
        (kite.TokenException("expired", code=403), TokenExpired, "http_403"),
        (kite.NetworkException("slow down", code=429), RateLimited, "http_429"),
        (kite.InputException("bad lot", code=400), OrderRefused, "refused"),
        (RuntimeError("???"), OutcomeUnknown, "other"),
    ],
)
def test_a_failed_placement_has_a_meaning_and_a_cause(raised, expected_type, cause):
    error = kite_errors.for_placement(raised)
    assert type(error) is expected_type
    assert error.cause == cause


@pytest.mark.parametrize(
    ("raised", "expected_type", "cause"),
    [
        (requests.ConnectTimeout("slow"), BrokerUnavailable, "timeout"),
        (kite.GeneralException("down", code=503), BrokerUnavailable, "http_5xx"),
        (kite.TokenException("expired", code=403), TokenExpired, "http_403"),
        (kite.NetworkException("slow down", code=429), RateLimited, "http_429"),
    ],
)
def test_a_failed_read_has_a_meaning_and_a_cause(raised, expected_type, cause):
    error = kite_errors.for_read(raised)
    assert type(error) is expected_type
    assert error.cause == cause


def test_a_cause_outside_the_known_labels_is_refused():
    with pytest.raises(ValueError, match="unknown cause"):
        OutcomeUnknown("x").caused_by("teapot")


def test_errors_raised_without_a_cause_say_what_their_type_implies():
    assert OrderRefused("no").cause == "refused"
    assert TokenExpired("t").cause == "http_403"
    assert RateLimited("r").cause == "http_429"
    assert BrokerUnavailable("u").cause == "unavailable"
    assert OutcomeUnknown("?").cause == "unknown"
