"""Kite's login session: request tokens exchanged for access tokens, the checksum that
proves the caller knows the API secret, and the daily expiry."""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Mapping

from tests.fakekite.errors import ApiError

BAD_TOKEN = "Incorrect `api_key` or `access_token`."


def checksum(api_key: str, request_token: str, api_secret: str) -> str:
    """sha256(api_key + request_token + api_secret), hex, as Kite checks it."""
    return hashlib.sha256((api_key + request_token + api_secret).encode()).hexdigest()


class Sessions:
    """Which access tokens are valid now. Not thread-safe: the caller holds the fake's lock."""

    def __init__(self, api_key: str, api_secret: str, access_token: str) -> None:
        self.api_key = api_key
        self.api_secret = api_secret
        self.valid: set[str] = {access_token}
        self._unused_request_tokens: set[str] = set()
        self._seq = itertools.count(1)

    def new_request_token(self) -> str:
        """What Kite's login redirect would hand the user: single use."""
        token = f"fakerequest{next(self._seq):04d}"
        self._unused_request_tokens.add(token)
        return token

    def is_valid(self, api_key: str | None, access_token: str | None) -> bool:
        return api_key == self.api_key and access_token in self.valid

    def authorize(self, header: str | None) -> None:
        """Check ``Authorization: token api_key:access_token``; 403 TokenException if not."""
        scheme, _, credentials = (header or "").partition(" ")
        api_key, _, access_token = credentials.partition(":")
        if scheme != "token" or not self.is_valid(api_key, access_token):
            raise ApiError(BAD_TOKEN, 403, "TokenException")

    def exchange(self, form: Mapping[str, str]) -> str:
        """POST /session/token: verify the request token and checksum, issue a token."""
        api_key = form.get("api_key", "")
        request_token = form.get("request_token", "")
        if api_key != self.api_key:
            raise ApiError("Invalid `api_key`.", 403, "TokenException")
        if request_token not in self._unused_request_tokens:
            raise ApiError("Token is invalid or has expired.", 403, "TokenException")
        if form.get("checksum") != checksum(api_key, request_token, self.api_secret):
            raise ApiError("Invalid `checksum`.", 403, "TokenException")
        self._unused_request_tokens.discard(request_token)
        access_token = f"fakeaccess{next(self._seq):04d}"
        self.valid.add(access_token)
        return access_token

    def invalidate(self, query: Mapping[str, str]) -> None:
        """DELETE /session/token: log the given access token out."""
        if query.get("api_key") != self.api_key:
            raise ApiError("Invalid `api_key`.", 403, "TokenException")
        self.valid.discard(query.get("access_token", ""))

    def expire_all(self) -> None:
        """Kite's early-morning flush: every access token stops working at once."""
        self.valid.clear()
