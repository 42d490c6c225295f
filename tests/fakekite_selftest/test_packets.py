"""The fake's packet encoder against kiteconnect's own decoder (``KiteTicker._parse_binary``),
and against bytes written out by hand from Kite's documented layout."""

from __future__ import annotations

import struct
from datetime import datetime

import pytest
from kiteconnect import KiteTicker

from tests.fakekite import packets
from tests.fakekite.packets import DepthLevel
from tests.fakekite_selftest.market_setup import INFY, NIFTY, USDINR

BCD = (77 << 8) | 6
NCO = (88 << 8) | 12


def decode(frame: bytes) -> list[dict]:
    """The real client's parser; it needs no connection."""
    return KiteTicker("key", "token")._parse_binary(frame)


def test_ltp_packet_is_token_and_paise_big_endian():
    packet = packets.ltp_packet(INFY, "1523.45")
    assert packet == struct.pack(">II", INFY, 152345)
    frame = packets.frame([packet])
    assert frame == b"\x00\x01\x00\x08" + packet
    assert decode(frame) == [
        {"tradable": True, "mode": "ltp", "instrument_token": INFY, "last_price": 1523.45}
    ]


@pytest.mark.parametrize(
    ("token", "price", "wire"),
    [
        (INFY, "1523.45", 152345),  # NSE: paise
        (USDINR, "83.2475", 832475000),  # CDS: 1e-7 rupees
        (BCD, "83.2475", 832475),  # BCD: 1e-4 rupees
        (NCO, "5123.1234", 51231234),  # NCO: 1e-4 rupees
        (NIFTY, "24010.35", 2401035),  # indices: paise
    ],
)
def test_each_segment_uses_its_divisor(token, price, wire):
    packet = packets.ltp_packet(token, price)
    assert struct.unpack(">I", packet[4:])[0] == wire
    assert decode(packets.frame([packet]))[0]["last_price"] == float(price)


def test_a_price_finer_than_the_segment_unit_is_refused_not_rounded():
    with pytest.raises(ValueError, match="not representable"):
        packets.wire_price(INFY, "1523.455")


def test_quote_packet_fields_in_documented_order():
    packet = packets.quote_packet(
        INFY, last_price="1500.5", last_quantity=7, average_price="1499.25", volume=123456,
        buy_quantity=1000, sell_quantity=900, open="1490", high="1510", low="1485.1",
        close="1480",
    )  # fmt: skip
    by_hand = struct.pack(">11I", INFY, 150050, 7, 149925, 123456, 1000, 900, 149000, 151000,
                          148510, 148000)  # fmt: skip
    assert packet == by_hand
    (tick,) = decode(packets.frame([packet]))
    assert tick["mode"] == "quote"
    assert tick["last_price"] == 1500.5
    assert tick["last_traded_quantity"] == 7
    assert tick["average_traded_price"] == 1499.25
    assert tick["volume_traded"] == 123456
    assert (tick["total_buy_quantity"], tick["total_sell_quantity"]) == (1000, 900)
    assert tick["ohlc"] == {"open": 1490.0, "high": 1510.0, "low": 1485.1, "close": 1480.0}


def test_full_packet_carries_timestamps_oi_and_five_levels_a_side():
    bids = [DepthLevel(10 * (i + 1), f"{1500 - i}", i + 1) for i in range(5)]
    asks = [DepthLevel(20 * (i + 1), f"{1501 + i}.5", i + 2) for i in range(5)]
    packet = packets.full_packet(
        INFY, last_price="1500.5", last_trade_time=1_700_000_000, exchange_timestamp=1_700_000_005,
        oi=11, oi_day_high=22, oi_day_low=3, bids=bids, asks=asks, volume=5, close="1490",
    )  # fmt: skip
    assert len(packet) == 184
    assert struct.unpack(">5I", packet[44:64]) == (1_700_000_000, 11, 22, 3, 1_700_000_005)
    assert packet[64:76] == struct.pack(">IIHH", 10, 150000, 1, 0)  # first bid, 2 pad bytes
    assert packet[124:136] == struct.pack(">IIHH", 20, 150150, 2, 0)  # first ask
    (tick,) = decode(packets.frame([packet]))
    assert tick["mode"] == "full"
    assert (tick["oi"], tick["oi_day_high"], tick["oi_day_low"]) == (11, 22, 3)
    # kiteconnect converts epoch seconds with the host's local zone (naive datetimes).
    assert tick["last_trade_time"] == datetime.fromtimestamp(1_700_000_000)
    assert tick["exchange_timestamp"] == datetime.fromtimestamp(1_700_000_005)
    assert tick["depth"]["buy"][0] == {"quantity": 10, "price": 1500.0, "orders": 1}
    assert tick["depth"]["buy"][4] == {"quantity": 50, "price": 1496.0, "orders": 5}
    assert tick["depth"]["sell"][0] == {"quantity": 20, "price": 1501.5, "orders": 2}
    assert tick["depth"]["sell"][4] == {"quantity": 100, "price": 1505.5, "orders": 6}


def test_index_packets_order_high_low_open_close_and_are_not_tradable():
    ohlc = {"high": "24100", "low": "23800.5", "open": "23900", "close": "23850"}
    quote = packets.index_quote_packet(NIFTY, last_price="24010.35", **ohlc)
    full = packets.index_full_packet(NIFTY, last_price="24010.35", exchange_timestamp=1_700_000_000,
                                     **ohlc)  # fmt: skip
    assert quote == struct.pack(">6Ii", NIFTY, 2401035, 2410000, 2380050, 2390000, 2385000,
                                2401035 - 2385000)  # fmt: skip
    assert (len(quote), len(full)) == (28, 32)
    q, f = decode(packets.frame([quote, full]))
    assert (q["mode"], f["mode"], q["tradable"]) == ("quote", "full", False)
    assert q["ohlc"] == {"high": 24100.0, "low": 23800.5, "open": 23900.0, "close": 23850.0}
    assert q["change"] == pytest.approx((24010.35 - 23850) * 100 / 23850)
    assert f["exchange_timestamp"] == datetime.fromtimestamp(1_700_000_000)


def test_a_frame_carries_several_packets_of_different_sizes():
    frame = packets.frame(
        [packets.ltp_packet(INFY, "1"), packets.quote_packet(USDINR, last_price="83.25")]
    )
    assert frame[:8] == b"\x00\x02\x00\x08" + struct.pack(">I", INFY)
    assert frame[12:14] == b"\x00\x2c"  # second packet: 44 bytes
    ticks = decode(frame)
    assert [(t["instrument_token"], t["mode"]) for t in ticks] == [(INFY, "ltp"), (USDINR, "quote")]
    assert ticks[1]["last_price"] == 83.25


def test_client_ignores_heartbeats_and_skips_packets_of_unknown_length():
    assert decode(packets.HEARTBEAT) == []
    odd = packets.frame([struct.pack(">III", INFY, 1, 2)])  # 12 bytes: no such packet
    assert decode(odd) == []
