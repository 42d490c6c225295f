"""Misbehaviour on request for the fake's REST side: armed errors and late answers.

An endpoint filter is ``"/path/glob"`` or ``"METHOD /path/glob"`` (fnmatch syntax), e.g.
``"POST /orders/*"``; ``None`` matches every request.
"""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass

# The error_type Kite sends with each status (a 429 is "Too many requests" as a
# NetworkException, per Kite's forum answers; kiteconnect maps error_type, not status).
DEFAULT_ERROR_TYPES = {
    400: "InputException",
    403: "TokenException",
    404: "GeneralException",
    429: "NetworkException",
    500: "GeneralException",
    502: "DataException",
    503: "NetworkException",
    504: "NetworkException",
}
DEFAULT_MESSAGES = {429: "Too many requests", 503: "Service unavailable", 504: "Gateway timeout"}


def matches(endpoint: str | None, method: str, path: str) -> bool:
    if endpoint is None:
        return True
    want_method, _, want_path = endpoint.rpartition(" ")
    if want_method and want_method.upper() != method:
        return False
    return fnmatch.fnmatchcase(path, want_path)


@dataclass
class Failure:
    """The answer an armed failure gives instead of the real one."""

    status: int
    body: bytes
    content_type: str
    endpoint: str | None
    processed: bool
    remaining: int


@dataclass
class Delay:
    """An answer held back: the request takes effect at once, the reply comes ``seconds``
    later (or never, if the client gave up, which is the point)."""

    seconds: float
    endpoint: str | None
    remaining: int


def error_body(status: int, error_type: str | None, message: str | None) -> bytes:
    """Kite's error envelope."""
    kind = error_type if error_type is not None else DEFAULT_ERROR_TYPES.get(status)
    text = message or DEFAULT_MESSAGES.get(status) or f"Fake failure ({status})"
    envelope = {"status": "error", "message": text, "data": None, "error_type": kind}
    return json.dumps(envelope).encode()


class FaultPlan:
    """Armed failures and delays, consumed in the order they were armed. Not thread-safe:
    the caller holds the fake's lock."""

    def __init__(self) -> None:
        self.failures: list[Failure] = []
        self.delays: list[Delay] = []

    def add_failure(self, failure: Failure) -> None:
        self.failures.append(failure)

    def add_delay(self, delay: Delay) -> None:
        self.delays.append(delay)

    def take_failure(self, method: str, path: str) -> Failure | None:
        for failure in self.failures:
            if matches(failure.endpoint, method, path):
                failure.remaining -= 1
                if failure.remaining <= 0:
                    self.failures.remove(failure)
                return failure
        return None

    def take_delay(self, method: str, path: str) -> float | None:
        for delay in self.delays:
            if matches(delay.endpoint, method, path):
                delay.remaining -= 1
                if delay.remaining <= 0:
                    self.delays.remove(delay)
                return delay.seconds
        return None
