"""Kite's binary WebSocket frames, decoded exactly and defensively.

A frame is a big-endian uint16 packet count, then for each packet a uint16 length and the
packet. Packet kinds by length: 8 (LTP), 28/32 (index quote/full), 44 (quote), 184 (full, with
timestamps and five levels of depth). Prices are integers over a divisor set by the segment
(the low byte of the instrument token): 1e7 for currency derivatives (CDS), 1e4 for BCD and
NCO, 100 (i.e. paise) for everything else. A one-byte frame is Kite's heartbeat.

kiteconnect's own parser turns prices into floats and raises on a truncated frame; this one
keeps them exact (``Fraction`` of a rupee) and never raises: a packet of unknown length is
skipped, a truncated frame yields what was whole, and both are reported by reason so the feed
can count them (rule: a bad tick is skipped and counted).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from fractions import Fraction

SEGMENT_CDS = 3
SEGMENT_BCD = 6
SEGMENT_INDICES = 9
SEGMENT_NCO = 12

_INT = struct.Struct(">i")
_UINT16 = struct.Struct(">H")


def divisor(token: int) -> int:
    segment = token & 0xFF
    if segment == SEGMENT_CDS:
        return 10_000_000
    if segment in (SEGMENT_BCD, SEGMENT_NCO):
        return 10_000
    return 100


@dataclass(frozen=True, slots=True)
class Quote:
    """One decoded packet. Prices are exact rupees; absent fields are None."""

    token: int
    mode: str  # "ltp", "quote" or "full"
    last_price: Fraction
    volume: int | None = None
    bid: Fraction | None = None
    ask: Fraction | None = None
    bid_quantity: int = 0
    ask_quantity: int = 0
    exchange_timestamp: int | None = None
    """Epoch seconds, as Kite sends it (full mode only)."""
    index: bool = False


@dataclass(slots=True)
class Decoded:
    quotes: list[Quote] = field(default_factory=list)
    malformed: list[str] = field(default_factory=list)
    """Reasons, one per bad packet or frame: ``unknown_length``, ``truncated``,
    ``trailing_bytes``."""


def decode_frame(frame: bytes) -> Decoded:
    out = Decoded()
    if len(frame) < 2:
        return out  # heartbeat
    (count,) = _UINT16.unpack_from(frame, 0)
    at = 2
    for _ in range(count):
        if at + 2 > len(frame):
            out.malformed.append("truncated")
            return out
        (length,) = _UINT16.unpack_from(frame, at)
        packet = frame[at + 2 : at + 2 + length]
        at += 2 + length
        if len(packet) < length:
            out.malformed.append("truncated")
            return out
        quote = decode_packet(packet)
        if quote is None:
            out.malformed.append("unknown_length")
        else:
            out.quotes.append(quote)
    if at != len(frame):
        out.malformed.append("trailing_bytes")
    return out


def decode_packet(packet: bytes) -> Quote | None:
    size = len(packet)
    if size not in (8, 28, 32, 44, 184):
        return None
    token = _int(packet, 0)
    scale = divisor(token)

    def price(offset: int) -> Fraction:
        return Fraction(_int(packet, offset), scale)

    if size == 8:
        return Quote(token=token, mode="ltp", last_price=price(4))
    if size in (28, 32):
        return Quote(
            token=token,
            mode="quote" if size == 28 else "full",
            last_price=price(4),
            exchange_timestamp=_int(packet, 28) if size == 32 else None,
            index=True,
        )
    bid = ask = None
    bid_quantity = ask_quantity = 0
    timestamp = None
    if size == 184:
        timestamp = _int(packet, 60)
        # Depth: 5 bids then 5 asks, 12 bytes each: quantity, price, orders (int16), padding.
        bid_quantity, ask_quantity = _int(packet, 64), _int(packet, 64 + 5 * 12)
        bid = price(68) if bid_quantity else None
        ask = price(68 + 5 * 12) if ask_quantity else None
    return Quote(
        token=token,
        mode="quote" if size == 44 else "full",
        last_price=price(4),
        volume=_int(packet, 16),
        bid=bid,
        ask=ask,
        bid_quantity=bid_quantity,
        ask_quantity=ask_quantity,
        exchange_timestamp=timestamp,
    )


def paise(rupees: Fraction) -> int | None:
    """Whole paise, or None for a price finer than a paisa (CDS): shikra does not trade those."""
    value = rupees * 100
    return value.numerator if value.denominator == 1 else None


def _int(packet: bytes, offset: int) -> int:
    return _INT.unpack_from(packet, offset)[0]
