"""The Kite binary decoder against packets built by hand from the documented layout, and
against kiteconnect's own parser on the same bytes."""

from __future__ import annotations

import struct

import pytest
from kiteconnect import KiteTicker

from feeds.kite_packets import decode_frame, decode_packet, paise

NSE_INFY = (408065 << 8) | 1  # segment 1: NSE, prices in paise
CDS_USDINR = (1234 << 8) | 3  # segment 3: CDS, prices in 1e-7 rupees
NIFTY = (256265 << 8) | 9  # segment 9: indices


def frame(*packets: bytes) -> bytes:
    body = b"".join(struct.pack(">H", len(p)) + p for p in packets)
    return struct.pack(">H", len(packets)) + body


def ltp_packet(token: int, price: int) -> bytes:
    return struct.pack(">ii", token, price)


def quote_packet(token: int, ltp: int, volume: int) -> bytes:
    # token, ltp, last qty, avg price, volume, buy qty, sell qty, open, high, low, close
    return struct.pack(">11i", token, ltp, 7, ltp - 5, volume, 1000, 900, 150000, 153000,
                       149500, 151000)  # fmt: skip


def full_packet(token: int, ltp: int, timestamp: int, bid: tuple[int, int], ask: tuple[int, int]):
    head = quote_packet(token, ltp, 123456)
    extra = struct.pack(">5i", timestamp - 1, 10, 20, 5, timestamp)  # LTT, OI, OI hi, OI lo, ts
    bids = struct.pack(">iihh", bid[0], bid[1], 3, 0) + struct.pack(">iihh", 0, 0, 0, 0) * 4
    asks = struct.pack(">iihh", ask[0], ask[1], 2, 0) + struct.pack(">iihh", 0, 0, 0, 0) * 4
    packet = head + extra + bids + asks
    assert len(packet) == 184
    return packet


def index_packet(token: int, ltp: int, timestamp: int | None) -> bytes:
    packet = struct.pack(">7i", token, ltp, ltp + 100, ltp - 100, ltp - 50, ltp + 10, 0)
    return packet if timestamp is None else packet + struct.pack(">i", timestamp)


def test_ltp_quote_full_and_index_packets_decode_to_exact_values():
    data = frame(
        ltp_packet(NSE_INFY, 152345),
        quote_packet(NSE_INFY, 152350, 99_000),
        full_packet(NSE_INFY, 152355, 1_795_146_300, bid=(40, 152350), ask=(25, 152360)),
        index_packet(NIFTY, 2_450_015, 1_795_146_301),
    )
    decoded = decode_frame(data)
    assert decoded.malformed == []
    ltp, quote, full, index = decoded.quotes
    assert (ltp.mode, ltp.token, ltp.last_price, ltp.scale) == ("ltp", NSE_INFY, 152345, 100)
    assert (quote.mode, quote.volume, quote.last_price) == ("quote", 99_000, 152350)
    assert full.mode == "full" and full.exchange_timestamp == 1_795_146_300
    assert (full.bid, full.bid_quantity) == (152350, 40)
    assert (full.ask, full.ask_quantity) == (152360, 25)
    assert index.index and index.exchange_timestamp == 1_795_146_301
    assert (index.last_price, index.scale) == (2_450_015, 100)
    assert [paise(q.last_price, q.scale) for q in (ltp, quote, full)] == [152345, 152350, 152355]


def test_a_quote_without_depth_has_no_bid_or_ask():
    empty = full_packet(NSE_INFY, 152355, 1_795_146_300, bid=(0, 0), ask=(0, 0))
    quote = decode_packet(empty)
    assert quote is not None and quote.bid is None and quote.ask is None
    assert (quote.bid_quantity, quote.ask_quantity) == (0, 0)


def test_currency_prices_use_the_finer_divisor():
    quote = decode_packet(ltp_packet(CDS_USDINR, 832_525_000))  # ₹83.2525000
    assert quote is not None and (quote.last_price, quote.scale) == (832_525_000, 10_000_000)
    assert paise(quote.last_price, quote.scale) is None  # finer than a paisa: not a shikra price


@pytest.mark.parametrize(
    ("price", "scale", "expected"),
    [
        (152345, 100, 152345),  # NSE/BSE/NFO/MCX: already paise
        (832_500_000, 10_000_000, 8325),  # CDS ₹83.25 exactly
        (832_525_000, 10_000_000, None),  # CDS ₹83.2525: finer than a paisa
        (1_523_400, 10_000, 15234),  # BCD/NCO ₹152.34
        (1_523_450, 10_000, None),  # BCD/NCO ₹152.345
        (-500, 100, -500),  # spreads can trade below zero
    ],
)
def test_paise_is_exact_or_refused(price, scale, expected):
    assert paise(price, scale) == expected


@pytest.mark.parametrize(
    ("data", "reasons", "decoded"),
    [
        (frame(b"\x00" * 12), ["unknown_length"], 0),
        (
            frame(ltp_packet(NSE_INFY, 100), b"\x00" * 13, ltp_packet(NSE_INFY, 101)),
            ["unknown_length"],
            2,
        ),
        (frame(ltp_packet(NSE_INFY, 100))[:-3], ["truncated"], 0),
        (struct.pack(">H", 3) + frame(ltp_packet(NSE_INFY, 100))[2:], ["truncated"], 1),
        (frame(ltp_packet(NSE_INFY, 100)) + b"\x01", ["trailing_bytes"], 1),
        (b"\x00", [], 0),  # a heartbeat
    ],
    ids=["unknown", "unknown-between-good", "truncated", "count-too-high", "trailing", "beat"],
)
def test_bad_frames_never_raise_and_say_why(data, reasons, decoded):
    result = decode_frame(data)
    assert result.malformed == reasons
    assert len(result.quotes) == decoded


def test_agrees_with_kiteconnects_own_parser_on_the_same_bytes():
    data = frame(
        ltp_packet(NSE_INFY, 152345),
        quote_packet(NSE_INFY, 152350, 99_000),
        full_packet(NSE_INFY, 152355, 1_795_146_300, bid=(40, 152350), ask=(25, 152360)),
        index_packet(NIFTY, 2_450_015, None),
        ltp_packet(CDS_USDINR, 832_525_000),
    )
    theirs = KiteTicker("key", "token")._parse_binary(data)
    ours = decode_frame(data).quotes
    assert len(theirs) == len(ours) == 5
    for their, our in zip(theirs, ours, strict=True):
        assert their["instrument_token"] == our.token
        assert their["mode"] == our.mode
        assert their["last_price"] == pytest.approx(our.last_price / our.scale)
    assert theirs[2]["depth"]["buy"][0]["price"] == pytest.approx(ours[2].bid / 100)
    assert theirs[2]["depth"]["sell"][0]["quantity"] == ours[2].ask_quantity
    assert theirs[1]["volume_traded"] == ours[1].volume
