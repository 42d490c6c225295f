"""Kite's binary market-data frames, built from plain values.

Pure functions, no I/O and no use of kiteconnect: the fake streams what these build, and the
selftests feed hand-checked bytes from here to the client's own ``_parse_binary``, so the
encoder is checked against the real decoder rather than against itself.

Layout (big-endian throughout, per Kite's WebSocket docs): a frame is a uint16 packet count,
then for each packet a uint16 length and the packet. Packets are 8 bytes (ltp), 28 (index
quote), 32 (index full), 44 (quote) or 184 (full). Prices travel as int32 in the segment's
minor unit: paise (x100), except CDS (x1e7) and BCD/NCO (x1e4); the segment is the low byte of
the instrument token. A one-byte binary message is Kite's heartbeat.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

Price = Decimal | int | str

# Segment numbers, the low byte of an instrument token (kiteconnect's KiteTicker.EXCHANGE_MAP).
NSE, NFO, CDS, BSE, BFO, BCD, MCX, MCXSX, INDICES, NCO = 1, 2, 3, 4, 5, 6, 7, 8, 9, 12

LTP_LENGTH, INDEX_QUOTE_LENGTH, INDEX_FULL_LENGTH, QUOTE_LENGTH, FULL_LENGTH = 8, 28, 32, 44, 184
HEARTBEAT = b"\x00"
DEPTH_LEVELS = 5


@dataclass(frozen=True)
class DepthLevel:
    """One level of market depth: 12 bytes on the wire (int32 qty, int32 price, int16
    orders, 2 bytes of padding)."""

    quantity: int
    price: Price
    orders: int


EMPTY_LEVEL = DepthLevel(0, 0, 0)


def segment_of(token: int) -> int:
    """The exchange segment Kite encodes in the token's low byte."""
    return token & 0xFF


def price_divisor(token: int) -> int:
    """How many wire units make one rupee for this token's segment."""
    segment = segment_of(token)
    if segment == CDS:
        return 10_000_000
    if segment in (BCD, NCO):
        return 10_000
    return 100


def wire_price(token: int, price: Price) -> int:
    """``price`` (rupees) in the segment's wire unit, exactly; a price finer than the unit is
    a test bug, so it raises instead of rounding."""
    scaled = Decimal(price) * price_divisor(token)
    if scaled != scaled.to_integral_value():
        raise ValueError(f"price {price} is not representable for token {token}")
    return _int32(int(scaled))


def _int32(value: int) -> int:
    if not -(2**31) <= value < 2**31:
        raise ValueError(f"{value} does not fit in an int32")
    return value


def _u32(value: int) -> int:
    if not 0 <= value < 2**32:
        raise ValueError(f"{value} does not fit in a uint32")
    return value


def ltp_packet(token: int, last_price: Price) -> bytes:
    """8 bytes: token, last traded price."""
    return struct.pack(">Ii", _u32(token), wire_price(token, last_price))


def quote_packet(
    token: int,
    *,
    last_price: Price,
    last_quantity: int = 0,
    average_price: Price = 0,
    volume: int = 0,
    buy_quantity: int = 0,
    sell_quantity: int = 0,
    open: Price = 0,
    high: Price = 0,
    low: Price = 0,
    close: Price = 0,
) -> bytes:
    """44 bytes: token, LTP, last qty, average traded price, volume, total buy and sell
    quantity, then open, high, low, close."""
    p = wire_price
    return struct.pack(
        ">I10i",
        _u32(token),
        p(token, last_price),
        _int32(last_quantity),
        p(token, average_price),
        _int32(volume),
        _int32(buy_quantity),
        _int32(sell_quantity),
        p(token, open),
        p(token, high),
        p(token, low),
        p(token, close),
    )


def full_packet(
    token: int,
    *,
    last_price: Price,
    last_trade_time: int,
    exchange_timestamp: int,
    bids: Sequence[DepthLevel] = (),
    asks: Sequence[DepthLevel] = (),
    oi: int = 0,
    oi_day_high: int = 0,
    oi_day_low: int = 0,
    **quote: Price,
) -> bytes:
    """184 bytes: the quote packet, then last trade time (epoch s), OI, OI day high, OI day
    low, exchange timestamp (epoch s), then 5 bid levels and 5 ask levels. ``quote`` takes the
    remaining :func:`quote_packet` fields."""
    head = quote_packet(token, last_price=last_price, **quote)  # type: ignore[arg-type]
    middle = struct.pack(
        ">I3iI",
        _u32(last_trade_time),
        _int32(oi),
        _int32(oi_day_high),
        _int32(oi_day_low),
        _u32(exchange_timestamp),
    )
    packet = head + middle + _depth(token, bids) + _depth(token, asks)
    assert len(packet) == FULL_LENGTH
    return packet


def _depth(token: int, levels: Sequence[DepthLevel]) -> bytes:
    if len(levels) > DEPTH_LEVELS:
        raise ValueError(f"at most {DEPTH_LEVELS} depth levels, got {len(levels)}")
    padded = list(levels) + [EMPTY_LEVEL] * (DEPTH_LEVELS - len(levels))
    return b"".join(
        struct.pack(">iiHxx", _int32(lv.quantity), wire_price(token, lv.price), lv.orders)
        for lv in padded
    )


def index_quote_packet(
    token: int,
    *,
    last_price: Price,
    high: Price,
    low: Price,
    open: Price,
    close: Price,
) -> bytes:
    """28 bytes: token, LTP, then high, low, open, close (note: not the quote packet's order),
    then the price change (LTP - close) in wire units."""
    p = wire_price
    change = p(token, last_price) - p(token, close)
    return struct.pack(
        ">Iiiiiii",
        _u32(token),
        p(token, last_price),
        p(token, high),
        p(token, low),
        p(token, open),
        p(token, close),
        _int32(change),
    )


def index_full_packet(token: int, *, exchange_timestamp: int, **quote: Price) -> bytes:
    """32 bytes: the index quote packet, then the exchange timestamp (epoch seconds)."""
    head = index_quote_packet(token, **quote)  # type: ignore[arg-type]
    return head + struct.pack(">I", _u32(exchange_timestamp))


def frame(packets: Iterable[bytes]) -> bytes:
    """One binary WebSocket message carrying ``packets``."""
    items = list(packets)
    body = b"".join(struct.pack(">H", len(item)) + item for item in items)
    return struct.pack(">H", len(items)) + body
