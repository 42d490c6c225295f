"""What each way a Kite call can fail means for shikra, decided in one place.

kiteconnect raises its own exception per server ``error_type`` (``TokenException``,
``InputException``, ``OrderException``…), ``GeneralException`` for a type it does not know,
``DataException`` for a body it cannot parse — and, for timeouts and dropped connections, the
raw ``requests`` exceptions, *not* ``NetworkException``. A placement and a read differ in what
is safe: a read can be repeated; a placement whose reply was lost may have happened, so it is
never repeated (its outcome is *unknown* until the order is found by its tag).
"""

from __future__ import annotations

import requests
from kiteconnect import exceptions as kite

from brokers.errors import (
    BrokerError,
    BrokerUnavailable,
    OrderRefused,
    OutcomeUnknown,
    RateLimited,
    TokenExpired,
)

TOKEN_ADVICE = "access token expired or invalid: run `main.py login`"


def cause_of(exc: Exception) -> str:
    """What happened on the wire (``brokers.errors.CAUSES``), for the metrics."""
    if isinstance(exc, requests.Timeout):
        return "timeout"
    if isinstance(exc, requests.ConnectionError):
        return "connection"
    if isinstance(exc, kite.DataException):
        return "bad_response"
    if isinstance(exc, kite.TokenException):
        return "http_403"
    if isinstance(exc, kite.KiteException):
        code = getattr(exc, "code", 500)
        if code == 429:
            return "http_429"
        if code >= 500:
            return "http_5xx"
        return "refused"
    return "other"


def for_placement(exc: Exception) -> BrokerError:
    """The meaning of a failed ``place_order``."""
    return _placement(exc).caused_by(cause_of(exc))


def _placement(exc: Exception) -> BrokerError:
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return OutcomeUnknown(f"no reply to the placement ({type(exc).__name__})")
    if isinstance(exc, kite.KiteException):
        code = getattr(exc, "code", 500)
        if isinstance(exc, kite.TokenException):
            return TokenExpired(TOKEN_ADVICE)
        if code == 429:
            return RateLimited(f"Kite refused the placement: too many requests ({exc})")
        if isinstance(exc, kite.InputException | kite.OrderException | kite.PermissionException):
            return OrderRefused(str(exc))
        if isinstance(exc, kite.DataException) or code >= 500:
            # The gateway failed after, or while, taking the order: it may exist.
            return OutcomeUnknown(f"{type(exc).__name__} {code}: {exc}")
        return OrderRefused(f"{type(exc).__name__} {code}: {exc}")
    if isinstance(exc, requests.RequestException):
        return OutcomeUnknown(f"{type(exc).__name__}: {exc}")
    return OutcomeUnknown(f"unexpected {type(exc).__name__}: {exc}")


def for_read(exc: Exception) -> BrokerError:
    """The meaning of a failed read (orders, trades, positions, lookups): all retryable except
    an invalid token, which needs a person."""
    return _read(exc).caused_by(cause_of(exc))


def _read(exc: Exception) -> BrokerError:
    if isinstance(exc, kite.TokenException):
        return TokenExpired(TOKEN_ADVICE)
    if isinstance(exc, kite.KiteException) and getattr(exc, "code", 0) == 429:
        return RateLimited(f"too many requests: {exc}")
    if isinstance(exc, kite.KiteException):
        return BrokerUnavailable(f"{type(exc).__name__} {getattr(exc, 'code', '?')}: {exc}")
    return BrokerUnavailable(f"{type(exc).__name__}: {exc}")


def for_cancel(exc: Exception) -> BrokerError:
    """A cancel or modify: refused by the broker is final, anything else may be retried."""
    if isinstance(exc, kite.TokenException):
        return TokenExpired(TOKEN_ADVICE)
    if isinstance(exc, kite.InputException | kite.OrderException):
        return OrderRefused(str(exc))
    return for_read(exc)
