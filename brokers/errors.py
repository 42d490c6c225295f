"""What can go wrong when talking to a broker, sorted by what the caller must do next.

The sorting matters more than the names: the one mistake that costs real money is treating an
order whose placement reply was lost as refused, and sending it again (DESIGN.md rule 6). So a
lost reply is its own type, ``OutcomeUnknown``, and nothing else is allowed to mean "maybe".
"""

from __future__ import annotations

from typing import Self

CAUSES = (
    "refused",
    "http_403",
    "http_429",
    "http_5xx",
    "timeout",
    "connection",
    "bad_response",
    "unavailable",
    "unknown",
    "other",
)
"""What happened on the wire, a metric label: the type says what to *do*, the cause says what
*happened* (a lost placement is ``OutcomeUnknown`` whether it timed out or got a 502)."""


class BrokerError(Exception):
    """Base of every broker failure. An adapter raises only these (never a raw ``requests`` or
    client exception), so a caller can handle each case and let nothing else through."""

    cause: str = "other"

    def caused_by(self, cause: str) -> Self:
        """Say what happened on the wire (one of ``CAUSES``); returns the error, to raise."""
        if cause not in CAUSES:
            raise ValueError(f"unknown cause {cause!r}")
        self.cause = cause
        return self


class OrderRefused(BrokerError):
    """The broker answered and said no (Kite's InputException / OrderException, or a paper
    rule): the order does not exist, or the cancel/modify did not happen.

    Caller: record the refusal (order REJECTED, or the cancel/modify failed) and show ``reason``
    to a person; it is the broker's own explanation. Do not retry the same request unchanged.
    """

    cause = "refused"

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OutcomeUnknown(BrokerError):
    """The request was sent but its reply was lost: timeout, connection error, 5xx. The order
    may exist at the broker.

    Caller: mark the order UNKNOWN, then look it up by tag (``Broker.order_by_tag``) before
    doing anything else with it. Never send it again: a re-send is the duplicate order. Only
    a lookup that succeeds and finds nothing proves it does not exist.
    """

    cause = "unknown"


class TokenExpired(BrokerError):
    """The session is no longer valid (Kite's 403 TokenException; the access token expires
    every morning).

    Caller: halt new orders, tell the operator to log in again, and do not crash-loop:
    restarting does not bring a token back. A placement that raised this was not accepted.
    """

    cause = "http_403"


class RateLimited(BrokerError):
    """The broker refused the request for exceeding its rate limits (HTTP 429); the request
    was not executed.

    Caller: back off and retry later through the rate limiter. Seeing this at all means the
    local limiter is mis-configured: report it.
    """

    cause = "http_429"


class BrokerUnavailable(BrokerError):
    """A read (orders, trades, positions, lookup by tag) failed: the broker could not be
    reached or answered with an error. Says nothing about the state of any order.

    Caller: keep what is known unchanged and try again later; an order in UNKNOWN stays
    UNKNOWN (and unsent) until a lookup succeeds.
    """

    cause = "unavailable"
