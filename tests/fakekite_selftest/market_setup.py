"""The instruments every selftest trades, one per price convention Kite has."""

from __future__ import annotations

from tests.fakekite import FakeKite

INFY = 408065  # NSE equity (segment 1: paise)
USDINR = (1234 << 8) | 3  # CDS future (segment 3: 1e-7 rupees)
NIFTY = 256265  # NIFTY 50 index (segment 9: not tradable, index packets)
NIFTYFUT = (13368 << 8) | 2  # NFO future, lot size 75


def populate(fake: FakeKite) -> None:
    fake.add_instrument("NSE:INFY", INFY, last_price="1500", close="1490", name="INFOSYS")
    fake.add_instrument(
        "CDS:USDINR25DECFUT", USDINR, last_price="83.2475", tick_size="0.0025",
        instrument_type="FUT", expiry="2025-12-29",
    )  # fmt: skip
    fake.add_instrument(
        "NSE:NIFTY 50", NIFTY, last_price="24000", close="23900", instrument_type="EQ"
    )
    fake.add_instrument(
        "NFO:NIFTY25DECFUT", NIFTYFUT, last_price="24100", lot_size=75,
        instrument_type="FUT", expiry="2025-12-30",
    )  # fmt: skip
