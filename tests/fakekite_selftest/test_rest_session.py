"""Login, tokens and the read-only endpoints, through the real ``KiteConnect``."""

from __future__ import annotations

import datetime as dt

import pytest
from kiteconnect import KiteConnect
from kiteconnect.exceptions import InputException, TokenException

from tests.fakekite import FakeKite, checksum
from tests.fakekite_selftest.market_setup import INFY, NIFTYFUT, USDINR


@pytest.fixture
def anonymous(fake: FakeKite):
    client = KiteConnect(fake.api_key, root=fake.api_root, timeout=2)
    yield client
    client.reqsession.close()


def test_generate_session_with_the_right_secret_returns_a_working_token(fake, anonymous):
    request_token = fake.new_request_token()
    session = anonymous.generate_session(request_token, api_secret=fake.api_secret)
    assert session["access_token"] == anonymous.access_token != fake.access_token
    assert session["user_id"] == "FK1234"
    assert isinstance(session["login_time"], dt.datetime)  # the client parses 19-char times
    (req,) = fake.requests_to("POST /session/token")
    assert req.form == {
        "api_key": fake.api_key,
        "request_token": request_token,
        "checksum": checksum(fake.api_key, request_token, fake.api_secret),
    }
    assert anonymous.profile()["user_id"] == "FK1234"


def test_generate_session_with_a_wrong_secret_is_a_token_exception(fake, anonymous):
    request_token = fake.new_request_token()
    with pytest.raises(TokenException, match="checksum") as raised:
        anonymous.generate_session(request_token, api_secret="not-the-secret")
    assert raised.value.code == 403
    assert anonymous.access_token is None
    anonymous.generate_session(request_token, api_secret=fake.api_secret)  # still usable


def test_a_request_token_works_once(fake, anonymous):
    request_token = fake.new_request_token()
    anonymous.generate_session(request_token, api_secret=fake.api_secret)
    with pytest.raises(TokenException, match="invalid or has expired"):
        anonymous.generate_session(request_token, api_secret=fake.api_secret)


def test_calls_carry_the_authorization_header_kite_checks(fake, kite):
    kite.profile()
    (req,) = fake.requests_to("GET /user/profile")
    assert req.headers["authorization"] == f"token {fake.api_key}:{fake.access_token}"
    assert req.headers["x-kite-version"] == "3"


def test_a_wrong_token_is_a_403_token_exception_and_calls_the_expiry_hook(fake):
    client = KiteConnect(fake.api_key, access_token="stale", root=fake.api_root, timeout=2)
    expired = []
    client.set_session_expiry_hook(lambda: expired.append(True))
    with client.reqsession, pytest.raises(TokenException) as raised:
        client.orders()
    assert (raised.value.code, expired) == (403, [True])


def test_expire_token_ends_every_session_at_once(fake, kite):
    kite.positions()
    fake.expire_token()
    with pytest.raises(TokenException, match="Incorrect `api_key` or `access_token`"):
        kite.positions()


def test_invalidate_access_token_logs_that_token_out(fake, kite):
    assert kite.invalidate_access_token() is True
    (req,) = fake.requests_to("DELETE /session/token")
    assert req.query == {"api_key": [fake.api_key], "access_token": [fake.access_token]}
    with pytest.raises(TokenException):
        kite.profile()


def test_instruments_csv_parses_with_kites_header_and_types(kite):
    rows = {row["instrument_token"]: row for row in kite.instruments()}
    assert set(rows) >= {INFY, USDINR, NIFTYFUT}
    fut = rows[NIFTYFUT]
    assert (fut["tradingsymbol"], fut["exchange"], fut["segment"]) == (
        "NIFTY25DECFUT", "NFO", "NFO-FUT"
    )  # fmt: skip
    assert (fut["lot_size"], fut["tick_size"], fut["expiry"]) == (75, 0.05, dt.date(2025, 12, 30))
    assert fut["exchange_token"] == str(13368)  # the client leaves exchange_token a string
    assert rows[USDINR]["tick_size"] == 0.0025
    assert rows[INFY]["expiry"] == ""  # no expiry: left as the empty string
    assert [r["tradingsymbol"] for r in kite.instruments("CDS")] == ["USDINR25DECFUT"]


def test_ltp_quotes_the_last_price_by_exchange_and_symbol(fake, kite):
    fake.set_price("NSE:INFY", "1523.45")
    assert kite.ltp("NSE:INFY", "NSE:NOSUCH") == {
        "NSE:INFY": {"instrument_token": INFY, "last_price": 1523.45}
    }
    (req,) = fake.requests_to("GET /quote/ltp")
    assert req.query == {"i": ["NSE:INFY", "NSE:NOSUCH"]}


def test_profile_and_margins_have_kites_shape(kite):
    assert {"user_id", "user_name", "email", "exchanges", "products"} <= set(kite.profile())
    margins = kite.margins()
    assert set(margins) == {"equity", "commodity"}
    assert margins["equity"]["available"]["cash"] == 1_000_000
    assert kite.margins("equity") == margins["equity"]
    with pytest.raises(InputException):
        kite.margins("crypto")
