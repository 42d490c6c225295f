"""Zerodha-style charges on each fill, exact to the paisa and reproducible.

The components, all on the fill's turnover (price in paise x quantity x the contract's
multiplier: a contract of 10 barrels quoted per barrel turns over ten times its price, see
``core.instruments``; the caller, which knows the instrument, passes the multiplier per fill):

* brokerage: a rate capped at a fixed amount **per order**, so the partial fills of one order
  (same ``client_id``) share one cap: the calculator remembers how much brokerage each order has
  already been charged;
* STT (securities transaction tax): per product and side (intraday: sell only; delivery: both);
* exchange transaction charge and SEBI turnover fee: both sides;
* stamp duty: buy side only, per product;
* GST: on (brokerage + exchange charge + SEBI fee) as charged, i.e. after their rounding.

**Rounding rule.** Each component is computed with ``Decimal`` on the fill's turnover and rounded
half-up to a whole paisa, per component, per fill; ``total`` is the sum of the rounded components.
Zerodha rounds on the contract note instead (per order or per day), so a day's figure here can
differ from Zerodha's by a few paise per component, and STT by up to half a rupee, since Zerodha
rounds STT to the rupee. Ours is exact and reproducible: the same fills give the same charges,
whatever order the day is replayed in, and no float is ever involved.

Rates change with budgets and exchange circulars: they are data (``ChargeRates``), decodable from
config, and the defaults are only a starting point to check against the broker's current page.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal

import msgspec

from messages.orders import Fill, Product, Side

# Enough digits that every product below is exact: turnover < 10^20 paise times a rate with at
# most ~10 significant digits. Private, so nobody's change to the global context can reach us.
_EXACT = Context(prec=60, rounding=ROUND_HALF_UP)
_ONE_PAISA = Decimal(1)


def _require_rate(name: str, value: object) -> None:
    """Rates must be Decimal: a float rate (0.0003 is not 3/10000 in binary) breaks exactness."""
    if not isinstance(value, Decimal) or not value.is_finite() or value < 0:
        raise ValueError(f"rate {name} must be a finite, non-negative Decimal, got {value!r}")


class ProductRates(msgspec.Struct, frozen=True, kw_only=True):
    """Rates (fractions of turnover, e.g. ``Decimal("0.0003")`` for 0.03%) for one product."""

    brokerage: Decimal
    stt_buy: Decimal
    stt_sell: Decimal
    exchange: Decimal
    stamp_buy: Decimal

    def __post_init__(self) -> None:
        for name in self.__struct_fields__:
            _require_rate(name, getattr(self, name))


NSE_EQUITY_INTRADAY = ProductRates(
    brokerage=Decimal("0.0003"),  # 0.03%, capped per order (ChargeRates.brokerage_cap)
    stt_buy=Decimal("0"),
    stt_sell=Decimal("0.00025"),  # 0.025% on the sell side
    exchange=Decimal("0.0000297"),  # 0.00297% NSE
    stamp_buy=Decimal("0.00003"),  # 0.003% on the buy side
)
"""MIS on NSE equity."""

NSE_EQUITY_DELIVERY = ProductRates(
    brokerage=Decimal("0"),  # Zerodha charges no brokerage on equity delivery
    stt_buy=Decimal("0.001"),  # 0.1% on both sides
    stt_sell=Decimal("0.001"),
    exchange=Decimal("0.0000297"),
    stamp_buy=Decimal("0.00015"),  # 0.015% on the buy side
)
"""CNC on NSE equity."""


class ChargeRates(msgspec.Struct, frozen=True, kw_only=True):
    """Every rate the calculator uses. Defaults: NSE equity, intraday (MIS) and delivery (CNC).

    ``nrml`` has no default on purpose: NRML covers futures and options, whose rates differ from
    each other and from equity; charging them at a guessed rate would be a silent lie, so a NRML
    fill without configured rates is refused.
    """

    mis: ProductRates = NSE_EQUITY_INTRADAY
    cnc: ProductRates = NSE_EQUITY_DELIVERY
    nrml: ProductRates | None = None
    brokerage_cap: int = 2000  # paise per order: ₹20
    sebi: Decimal = Decimal("0.000001")  # ₹10 per crore = 1000 paise / 10^9 paise
    gst: Decimal = Decimal("0.18")  # on brokerage + exchange charge + SEBI fee

    def __post_init__(self) -> None:
        _require_rate("sebi", self.sebi)
        _require_rate("gst", self.gst)
        if type(self.brokerage_cap) is not int or self.brokerage_cap < 0:
            raise ValueError(
                f"brokerage_cap must be a non-negative int (paise), got {self.brokerage_cap!r}"
            )

    def for_product(self, product: Product) -> ProductRates:
        """The rates a fill of ``product`` is charged at. CO and BO are intraday orders: MIS
        rates. MTF is a delivery bought on margin: CNC rates (its daily interest on the
        funded amount is not modelled). ``UNKNOWN`` and an unconfigured NRML raise
        ``ValueError``: a guessed rate would be a silent lie."""
        rates = {
            Product.MIS: self.mis,
            Product.CO: self.mis,
            Product.BO: self.mis,
            Product.CNC: self.cnc,
            Product.MTF: self.cnc,
            Product.NRML: self.nrml,
        }.get(product)
        if rates is None:
            raise ValueError(f"no charge rates configured for product {product.value}")
        return rates


@dataclass(frozen=True, slots=True)
class Charges:
    """One fill's charges, each component already rounded to whole paise."""

    brokerage: int
    stt: int
    exchange: int
    sebi: int
    stamp: int
    gst: int

    @property
    def total(self) -> int:
        return self.brokerage + self.stt + self.exchange + self.sebi + self.stamp + self.gst


NO_CHARGES = Charges(brokerage=0, stt=0, exchange=0, sebi=0, stamp=0, gst=0)


def round_half_up(amount: Decimal) -> int:
    """Round a Decimal amount of paise to a whole paisa, halves away from zero."""
    return int(amount.quantize(_ONE_PAISA, rounding=ROUND_HALF_UP, context=_EXACT))


def _apply_rate(turnover: int, rate: Decimal) -> int:
    return round_half_up(_EXACT.multiply(Decimal(turnover), rate))


class ChargeCalculator:
    """Charges fill by fill. Stateful only for the per-order brokerage cap.

    Call ``charge`` once per fill: a fill charged twice would use up its order's cap twice. The
    ``PnLLedger`` guarantees this by charging only fills the position book did not reject as
    duplicates. The per-order memory lives as long as the calculator (one trading day).
    """

    def __init__(self, rates: ChargeRates | None = None) -> None:
        self.rates = rates if rates is not None else ChargeRates()
        self._brokerage_by_order: dict[str, int] = {}

    def charge(self, fill: Fill, multiplier: int = 1) -> Charges:
        """The fill's charges on its turnover, price x quantity x ``multiplier`` (the contract
        multiplier of the fill's instrument; 1 for shares)."""
        if type(fill.price) is not int or type(fill.quantity) is not int:
            raise TypeError(f"fill {fill.trade_id}: price and quantity must be ints")
        if type(multiplier) is not int or multiplier <= 0:
            raise ValueError(f"fill {fill.trade_id}: multiplier must be a positive int")
        product_rates = self.rates.for_product(fill.product)
        turnover = fill.price * fill.quantity * multiplier
        is_buy = fill.side is Side.BUY

        already = self._brokerage_by_order.get(fill.client_id, 0)
        uncapped = _apply_rate(turnover, product_rates.brokerage)
        brokerage = max(0, min(uncapped, self.rates.brokerage_cap - already))
        self._brokerage_by_order[fill.client_id] = already + brokerage

        stt_rate = product_rates.stt_buy if is_buy else product_rates.stt_sell
        stt = _apply_rate(turnover, stt_rate)
        exchange = _apply_rate(turnover, product_rates.exchange)
        sebi = _apply_rate(turnover, self.rates.sebi)
        stamp = _apply_rate(turnover, product_rates.stamp_buy) if is_buy else 0
        gst = round_half_up(_EXACT.multiply(Decimal(brokerage + exchange + sebi), self.rates.gst))
        return Charges(
            brokerage=brokerage, stt=stt, exchange=exchange, sebi=sebi, stamp=stamp, gst=gst
        )

    def brokerage_charged(self, client_id: str) -> int:
        """Brokerage already charged to an order across its fills (paise)."""
        return self._brokerage_by_order.get(client_id, 0)
