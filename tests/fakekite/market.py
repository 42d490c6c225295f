"""Instruments and their market state, and how that state becomes Kite's CSV and ticks.

Prices are ``Decimal`` rupees inside the fake (Kite's JSON and CSV carry rupees; the wire
carries the segment's minor unit, see ``packets``), so no float ever decides a fill.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from tests.fakekite import packets
from tests.fakekite.packets import DepthLevel

IST = timezone(timedelta(hours=5, minutes=30), "IST")
Number = Decimal | int | str | float

INSTRUMENT_CSV_HEADER = [
    "instrument_token",
    "exchange_token",
    "tradingsymbol",
    "name",
    "last_price",
    "expiry",
    "strike",
    "tick_size",
    "lot_size",
    "instrument_type",
    "segment",
    "exchange",
]

_DEFAULT_SEGMENT = {
    "NSE": "NSE",
    "BSE": "BSE",
    "NFO": "NFO-FUT",
    "BFO": "BFO-FUT",
    "CDS": "CDS-FUT",
    "BCD": "BCD-FUT",
    "MCX": "MCX-FUT",
}
MODES = ("ltp", "quote", "full")


def to_decimal(value: Number) -> Decimal:
    """A price from a test or a form field; floats go through ``str`` so 1523.45 stays
    1523.45 rather than its binary neighbour."""
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def kite_time(moment: datetime) -> str:
    """Kite's REST timestamp: naive "YYYY-MM-DD HH:MM:SS" in IST."""
    return moment.astimezone(IST).strftime("%Y-%m-%d %H:%M:%S")


def as_number(value: Decimal) -> int | float:
    """A Decimal as the JSON number Kite would send (integers stay integers)."""
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass
class Instrument:
    """One row of Kite's instrument dump."""

    exchange: str
    tradingsymbol: str
    instrument_token: int
    tick_size: Decimal = Decimal("0.05")
    lot_size: int = 1
    name: str = ""
    instrument_type: str = "EQ"
    segment: str = ""
    expiry: str = ""
    strike: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if not self.segment:
            indices = packets.segment_of(self.instrument_token) == packets.INDICES
            self.segment = "INDICES" if indices else _DEFAULT_SEGMENT.get(self.exchange, "")

    @property
    def key(self) -> str:
        return f"{self.exchange}:{self.tradingsymbol}"

    @property
    def exchange_token(self) -> int:
        return self.instrument_token >> 8

    @property
    def is_index(self) -> bool:
        return packets.segment_of(self.instrument_token) == packets.INDICES

    def on_tick(self, price: Decimal) -> bool:
        """Whether ``price`` is a whole number of ticks (Kite rejects other order prices)."""
        return (price / self.tick_size) == (price / self.tick_size).to_integral_value()


@dataclass
class Quote:
    """The market state of one instrument, as the ticker would describe it."""

    last_price: Decimal
    close: Decimal
    bid: Decimal | None = None
    ask: Decimal | None = None
    open: Decimal | None = None
    high: Decimal | None = None
    low: Decimal | None = None
    volume: int = 0
    turnover: Decimal = Decimal(0)
    last_quantity: int = 0
    last_trade_time: int = 0
    liquidity: int | None = None
    depth_quantity: int = field(default=100)

    def trade(self, price: Decimal, quantity: int, at_epoch: int) -> None:
        """Record a market print: LTP, OHLC, volume and VWAP move as on an exchange."""
        self.last_price = price
        self.open = price if self.open is None else self.open
        self.high = price if self.high is None else max(self.high, price)
        self.low = price if self.low is None else min(self.low, price)
        self.volume += quantity
        self.turnover += price * quantity
        self.last_quantity = quantity
        self.last_trade_time = at_epoch


def instruments_csv(instruments: list[Instrument], quotes: dict[int, Quote]) -> str:
    """Kite's instrument dump: CSV with its exact header, one row per instrument."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(INSTRUMENT_CSV_HEADER)
    for ins in instruments:
        quote = quotes.get(ins.instrument_token)
        writer.writerow(
            [
                ins.instrument_token,
                ins.exchange_token,
                ins.tradingsymbol,
                ins.name,
                quote.close if quote else 0,
                ins.expiry,
                ins.strike,
                ins.tick_size,
                ins.lot_size,
                ins.instrument_type,
                ins.segment,
                ins.exchange,
            ]
        )
    return out.getvalue()


def _wire_quantum(token: int) -> Decimal:
    return Decimal(1) / packets.price_divisor(token)


def _depth(ins: Instrument, quote: Quote) -> tuple[list[DepthLevel], list[DepthLevel]]:
    """Five levels each side, one tick apart from the best bid/ask (default: one tick either
    side of the LTP), quantities growing with distance."""
    tick = ins.tick_size
    bid = quote.bid if quote.bid is not None else quote.last_price - tick
    ask = quote.ask if quote.ask is not None else quote.last_price + tick
    q = quote.depth_quantity
    bids = [DepthLevel(q * (i + 1), max(bid - tick * i, Decimal(0)), i + 1) for i in range(5)]
    asks = [DepthLevel(q * (i + 1), ask + tick * i, i + 1) for i in range(5)]
    return bids, asks


def packet_for(ins: Instrument, quote: Quote, mode: str, now_epoch: int) -> bytes:
    """The packet Kite would stream for this instrument in ``mode``."""
    token = ins.instrument_token
    ltp = quote.last_price
    if mode == "ltp":
        return packets.ltp_packet(token, ltp)
    ohlc = {
        "open": quote.open if quote.open is not None else ltp,
        "high": quote.high if quote.high is not None else ltp,
        "low": quote.low if quote.low is not None else ltp,
        "close": quote.close,
    }
    if ins.is_index:
        if mode == "quote":
            return packets.index_quote_packet(token, last_price=ltp, **ohlc)
        return packets.index_full_packet(
            token, last_price=ltp, exchange_timestamp=now_epoch, **ohlc
        )
    average = quote.turnover / quote.volume if quote.volume else ltp
    average = average.quantize(_wire_quantum(token), rounding=ROUND_HALF_UP)
    bids, asks = _depth(ins, quote)
    fields = {
        "last_quantity": quote.last_quantity,
        "average_price": average,
        "volume": quote.volume,
        "buy_quantity": sum(level.quantity for level in bids),
        "sell_quantity": sum(level.quantity for level in asks),
        **ohlc,
    }
    if mode == "quote":
        return packets.quote_packet(token, last_price=ltp, **fields)
    return packets.full_packet(
        token,
        last_price=ltp,
        last_trade_time=quote.last_trade_time or now_epoch,
        exchange_timestamp=now_epoch,
        bids=bids,
        asks=asks,
        **fields,
    )
