"""Limits and costs: what RiskGate allows, how fast orders may go out, what trading costs.

Money limits are whole rupees in the file (what a trader writes) and read through ``*_paise``
properties inside, where all money is int paise (DESIGN rule 8).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Annotated, Any

import msgspec

from config.base import NonNegativeInt, PositiveFloat, PositiveInt, Section, rupees_to_paise
from config.validate import Problem


class RiskConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """RiskGate's limits. None has a default: limits on real money must be chosen, not
    inherited. Every one must be > 0 (a zero limit would silently block all trading).

    Quantities are shares (units) per symbol; ``max_order_value``, ``max_gross_exposure``,
    ``max_daily_loss`` and ``max_drawdown`` are rupees; ``price_band_bps`` is how far (basis
    points) a limit price may sit from the last traded price.
    """

    max_order_quantity: PositiveInt
    max_order_value: PositiveInt
    max_position_quantity: PositiveInt
    max_gross_exposure: PositiveInt
    max_open_orders: PositiveInt
    max_orders_per_minute: PositiveInt
    price_band_bps: PositiveInt
    max_daily_loss: PositiveInt
    """Realised plus unrealised loss for the day at which trading halts."""
    max_drawdown: PositiveInt
    """Fall from the day's peak PnL at which trading halts."""
    soft_loss_fraction: Annotated[float, msgspec.Meta(gt=0, lt=1)] | None = None
    """A softer line before ``max_daily_loss``: at this share of it (0.5: half), trading turns
    REDUCING for the rest of the day (open positions may be closed, none opened). Off when
    absent."""

    @property
    def max_order_value_paise(self) -> int:
        return rupees_to_paise(self.max_order_value)

    @property
    def max_gross_exposure_paise(self) -> int:
        return rupees_to_paise(self.max_gross_exposure)

    @property
    def max_daily_loss_paise(self) -> int:
        return rupees_to_paise(self.max_daily_loss)

    @property
    def max_drawdown_paise(self) -> int:
        return rupees_to_paise(self.max_drawdown)

    @property
    def soft_loss_paise(self) -> int | None:
        """The soft loss line in whole paise (the fraction read as the decimal written)."""
        if self.soft_loss_fraction is None:
            return None
        return int(self.max_daily_loss_paise * Fraction(str(self.soft_loss_fraction)))


KITE_ORDERS_PER_SECOND = 10
KITE_ORDERS_PER_MINUTE = 400
KITE_ORDERS_PER_DAY = 5000
KITE_ORDER_LIMITS: dict[str, tuple[int, str]] = {
    "per_second": (KITE_ORDERS_PER_SECOND, "second"),
    "per_minute": (KITE_ORDERS_PER_MINUTE, "minute"),
    "per_day": (KITE_ORDERS_PER_DAY, "day"),
}
"""Kite's documented per-account order rates, by ``[orders]`` field: beyond them Kite answers
HTTP 429. A config for live or dry-run may not go above them (``config.checks``); paper and
replay simulate any rate."""


class OrdersConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """How the OrderRouter talks to the broker. Rate defaults are Kite's per-account order limits
    (beyond them Kite answers 429), and in live and dry-run they are also the ceilings.

    ``market_protection`` is Kite's parameter for market orders: -1 lets Kite choose, 0..100 is
    a percentage. ``unknown_lookup_attempts``: how many times an order whose placement outcome
    is unknown (timeout, 5xx) is looked up by tag before it is declared lost and trading halts.
    ``working_check_seconds``: how often orders still working are checked against the broker's
    order book. Kite sends order updates over the WebSocket, and one missed while the link was
    down is never re-sent: without the check, an order filled there stays open here.
    """

    per_second: PositiveInt = KITE_ORDERS_PER_SECOND
    per_minute: PositiveInt = KITE_ORDERS_PER_MINUTE
    per_day: PositiveInt = KITE_ORDERS_PER_DAY
    market_protection: Annotated[int, msgspec.Meta(ge=-1, le=100)] = -1
    unknown_lookup_attempts: PositiveInt = 5
    working_check_seconds: PositiveFloat = 5.0


class ChargesConfig(Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Trading costs the PnL tracker deducts, Zerodha-style. Defaults are NSE intraday equity.

    Rates are ``Decimal`` basis points of turnover (1 bps = 0.01%), written as numbers or, for
    exactness, strings (``"0.297"``); caps and flat fees are int paise.

    - brokerage: ``brokerage_bps`` of the order's value, at most ``brokerage_cap_paise`` per
      executed order (0.03% or ₹20, whichever is lower);
    - STT: ``stt_sell_bps`` on the sell side (0.025%);
    - exchange transaction charge: ``exchange_txn_bps`` (NSE 0.00297%);
    - SEBI fee: ``sebi_per_crore_paise`` per crore of turnover (₹10);
    - stamp duty: ``stamp_buy_bps`` on the buy side (0.003%);
    - GST: ``gst_percent`` of brokerage + exchange charge + SEBI fee (18%).
    """

    brokerage_bps: Decimal = Decimal("3")
    brokerage_cap_paise: NonNegativeInt = 2000
    stt_sell_bps: Decimal = Decimal("2.5")
    exchange_txn_bps: Decimal = Decimal("0.297")
    sebi_per_crore_paise: NonNegativeInt = 1000
    stamp_buy_bps: Decimal = Decimal("0.3")
    gst_percent: Decimal = Decimal("18")

    @classmethod
    def cross_checks(cls, values: Mapping[str, Any]) -> list[Problem]:
        # msgspec's Meta bounds do not apply to Decimal, so the range is checked here.
        problems: list[Problem] = []
        for name, value in values.items():
            if isinstance(value, Decimal) and (not value.is_finite() or value < 0):
                problems.append((name, f"must be a finite decimal >= 0, got '{value}'"))
        return problems
