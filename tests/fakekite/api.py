"""Kite's REST endpoints over the fake's state: routing, auth, and the JSON envelope.

Transport-free (``rest`` owns HTTP), so each endpoint is a plain method from a request to the
``data`` Kite would return; an ``ApiError`` becomes ``{"status": "error", ...}`` with its HTTP
status.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.fakekite.book import Book
from tests.fakekite.errors import ApiError
from tests.fakekite.history import HistoryStore
from tests.fakekite.market import as_number, instruments_csv, kite_time
from tests.fakekite.session import Sessions


@dataclass
class Request:
    """One received request, as recorded for assertions."""

    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, str]
    headers: dict[str, str]
    status: int | None = None
    at: float = 0.0

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None


@dataclass
class Response:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def envelope(data: Any) -> bytes:
    return json.dumps({"status": "success", "data": data}, default=_jsonable).encode()


def _jsonable(value: object) -> Any:
    if isinstance(value, Decimal):
        return as_number(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


_ID = r"(?P<order_id>[^/]+)"
ROUTES: list[tuple[str, re.Pattern[str], str, bool]] = [
    (method, re.compile(pattern), name, auth)
    for method, pattern, name, auth in [
        ("POST", r"/session/token", "session_token", False),
        ("DELETE", r"/session/token", "session_delete", False),
        ("GET", r"/user/profile", "profile", True),
        ("GET", r"/user/margins(?:/(?P<segment>\w+))?", "margins", True),
        ("GET", r"/instruments/historical/(?P<token>\d+)/(?P<interval>\w+)", "historical", True),
        ("GET", r"/instruments(?:/(?P<exchange>[A-Z]+))?", "instruments", True),
        ("GET", r"/orders", "orders", True),
        ("GET", r"/trades", "trades", True),
        ("GET", rf"/orders/{_ID}", "order_history", True),
        ("GET", rf"/orders/{_ID}/trades", "order_trades", True),
        ("POST", r"/orders/(?P<variety>\w+)", "place", True),
        ("PUT", rf"/orders/(?P<variety>\w+)/{_ID}", "modify", True),
        ("DELETE", rf"/orders/(?P<variety>\w+)/{_ID}", "cancel", True),
        ("GET", r"/portfolio/positions", "positions", True),
        ("GET", r"/portfolio/holdings", "holdings", True),
        ("GET", r"/quote/ltp", "ltp", True),
        ("GET", r"/quote/ohlc", "ohlc", True),
    ]
]


class Api:
    """The endpoints. Each runs under ``lock``; ``changed`` runs after any mutation (still
    under the lock) so the fake can push order updates and wake waiters."""

    def __init__(
        self,
        book: Book,
        sessions: Sessions,
        lock: threading.RLock,
        changed: Callable[[], None],
        cash: Decimal,
    ) -> None:
        self.book, self.sessions, self.lock = book, sessions, lock
        self.changed = changed
        self.cash = cash
        self.history = HistoryStore(time.monotonic)

    def handle(self, req: Request) -> Response:
        for method, pattern, name, auth in ROUTES:
            match = pattern.fullmatch(req.path)
            if match and method == req.method:
                with self.lock:
                    try:
                        if auth:
                            self.sessions.authorize(req.headers.get("authorization"))
                        data = getattr(self, name)(req, **match.groupdict())
                    except ApiError as err:
                        return self.error(err)
                    finally:
                        self.changed()
                if isinstance(data, Response):
                    return data
                return Response(200, envelope(data))
        return self.error(
            ApiError(f"Route not found: {req.method} {req.path}", 404, "GeneralException")
        )

    @staticmethod
    def error(err: ApiError) -> Response:
        body = {
            "status": "error",
            "message": err.message,
            "data": None,
            "error_type": err.error_type,
        }
        return Response(err.status, json.dumps(body).encode())

    # -- session and user -----------------------------------------------------------------

    def _user(self) -> dict[str, Any]:
        return {
            "user_id": self.book.user_id,
            "user_type": "individual",
            "email": "fake@example.invalid",
            "user_name": "Fake Kite",
            "user_shortname": "Fake",
            "broker": "ZERODHA",
            "exchanges": ["NSE", "BSE", "NFO", "CDS", "BCD", "MCX"],
            "products": ["CNC", "NRML", "MIS", "MTF"],
            "order_types": ["MARKET", "LIMIT", "SL", "SL-M"],
            "avatar_url": None,
            "meta": {"demat_consent": "physical"},
        }

    def session_token(self, req: Request) -> dict[str, Any]:
        access_token = self.sessions.exchange(req.form)
        return {
            **self._user(),
            "api_key": self.sessions.api_key,
            "access_token": access_token,
            "public_token": f"public{access_token}",
            "refresh_token": "",
            "enctoken": f"enc{access_token}",
            "login_time": kite_time(self.book.clock()),
        }

    def session_delete(self, req: Request) -> bool:
        self.sessions.invalidate({k: v[-1] for k, v in req.query.items()})
        return True

    def profile(self, req: Request) -> dict[str, Any]:
        return self._user()

    def margins(self, req: Request, segment: str | None = None) -> dict[str, Any]:
        net = self.book.positions()["net"]
        debits = sum(
            abs(Decimal(str(p["quantity"])) * Decimal(str(p["average_price"]))) for p in net
        )
        m2m = sum(Decimal(str(p["m2m"])) for p in net)
        equity = _segment_margins(self.cash, Decimal(debits), Decimal(m2m))
        commodity = _segment_margins(Decimal(0), Decimal(0), Decimal(0))
        both = {"equity": equity, "commodity": commodity}
        if segment is None:
            return both
        if segment not in both:
            raise ApiError(f"Invalid segment `{segment}`.")
        return both[segment]

    # -- market ---------------------------------------------------------------------------

    def instruments(self, req: Request, exchange: str | None = None) -> Response:
        rows = [i for i in self.book.instruments.values() if exchange in (None, i.exchange)]
        text = instruments_csv(rows, self.book.quotes)
        return Response(200, text.encode(), "text/csv")

    def historical(self, req: Request, token: str, interval: str) -> dict[str, Any]:
        return self.history.query(int(token), interval, req.query)

    def _requested(self, req: Request) -> list[tuple[str, Any]]:
        found = []
        for key in req.query.get("i", []):
            ins = self.book.instruments.get(key)
            if ins is not None:
                found.append((key, ins))
        return found

    def ltp(self, req: Request) -> dict[str, Any]:
        return {
            key: {
                "instrument_token": ins.instrument_token,
                "last_price": self.book.quotes[ins.instrument_token].last_price,
            }
            for key, ins in self._requested(req)
        }

    def ohlc(self, req: Request) -> dict[str, Any]:
        out = {}
        for key, ins in self._requested(req):
            q = self.book.quotes[ins.instrument_token]
            ohlc = {
                "open": q.open or q.last_price,
                "high": q.high or q.last_price,
                "low": q.low or q.last_price,
                "close": q.close,
            }
            out[key] = {
                "instrument_token": ins.instrument_token,
                "last_price": q.last_price,
                "ohlc": ohlc,
            }
        return out

    # -- orders ---------------------------------------------------------------------------

    def place(self, req: Request, variety: str) -> dict[str, str]:
        return {"order_id": self.book.place(variety, req.form).order_id}

    def modify(self, req: Request, variety: str, order_id: str) -> dict[str, str]:
        return {"order_id": self.book.modify(variety, order_id, req.form).order_id}

    def cancel(self, req: Request, variety: str, order_id: str) -> dict[str, str]:
        return {"order_id": self.book.cancel(variety, order_id).order_id}

    def orders(self, req: Request) -> list[dict[str, Any]]:
        return [order.to_json() for order in self.book.orders.values()]

    def order_history(self, req: Request, order_id: str) -> list[dict[str, Any]]:
        return list(self.book.get(order_id).history)

    def trades(self, req: Request) -> list[dict[str, Any]]:
        return [trade.to_json() for trade in self.book.trades]

    def order_trades(self, req: Request, order_id: str) -> list[dict[str, Any]]:
        order = self.book.get(order_id)
        return [t.to_json() for t in self.book.trades if t.order is order]

    def positions(self, req: Request) -> dict[str, Any]:
        return self.book.positions()

    def holdings(self, req: Request) -> list[dict[str, Any]]:
        return []


def _segment_margins(cash: Decimal, debits: Decimal, m2m: Decimal) -> dict[str, Any]:
    """Kite's margin shape for one segment: cash in, exposure out, M2M alongside."""
    n = as_number
    return {
        "enabled": True,
        "net": n(cash - debits + m2m),
        "available": {
            "adhoc_margin": 0,
            "cash": n(cash),
            "opening_balance": n(cash),
            "live_balance": n(cash - debits),
            "collateral": 0,
            "intraday_payin": 0,
        },
        "utilised": {
            "debits": n(debits),
            "exposure": n(debits),
            "m2m_realised": 0,
            "m2m_unrealised": n(m2m),
            "option_premium": 0,
            "payout": 0,
            "span": 0,
            "holding_sales": 0,
            "turnover": 0,
            "liquid_collateral": 0,
            "stock_collateral": 0,
            "delivery": 0,
        },
    }
