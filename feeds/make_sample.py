"""Generates ``feeds/samples/nse_sample.csv``, the replay file shipped with shikra.

Run ``python -m feeds.make_sample [path]`` to regenerate it; the output is a pure function of
the seed, so regenerating gives the same bytes (a test checks it).

A plain random walk would make strategies trade, but on nothing a trader would recognise. The
sample instead alternates, per symbol, *trend* regimes (a steady drift up or down plus noise:
what EMA crossovers and channel breakouts are for) with *mean-reverting* regimes (a pull back
towards an anchor price: what RSI reversion is for), each lasting 60-160 of that symbol's ticks.
Arrival times are spread at random over one NSE session (09:15-15:30 IST on a Friday), and one
deliberately malformed line, announced by a comment, exercises the reader's skip-and-count path
end to end.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds.replay_format import HEADER_LINE
from feeds.synthetic import quote_around

SAMPLE_PATH = Path(__file__).parent / "samples" / "nse_sample.csv"
SEED = 20261120
TICKS = 4_000
TICK_SIZE = 5
SESSION_OPEN = datetime(2026, 11, 20, 9, 15, tzinfo=ZoneInfo("Asia/Kolkata"))
SESSION_MS = (6 * 3600 + 15 * 60) * 1000
MALFORMED_AFTER = TICKS // 2
MALFORMED_LINE = "NSE:INFY,15x3.45,,,,,"
MALFORMED_COMMENT = (
    "# Deliberately malformed next line (ltp not a number): skipped, counted as bad_price"
)
INSTRUMENTS = {
    "NSE:INFY": 150_000,
    "NSE:TCS": 340_000,
    "NSE:RELIANCE": 140_000,
    "NSE:HDFCBANK": 95_000,
    "NSE:SBIN": 80_000,
}
NOISE_BPS = 4.0
TREND_BPS = 1.5
REVERSION = 0.08


class _RegimeWalk:
    """One symbol's price: a trend or a mean reversion, switching after a random length."""

    def __init__(self, start_paise: int, rng: random.Random) -> None:
        self.level = float(start_paise)
        self.rng = rng
        self.volume = 0
        self._new_regime()

    def _new_regime(self) -> None:
        self.remaining = self.rng.randint(60, 160)
        self.trending = self.rng.random() < 0.5
        self.drift_bps = self.rng.choice((-TREND_BPS, TREND_BPS))
        self.anchor = self.level * (1 + self.rng.uniform(-0.004, 0.004))

    def step(self) -> int:
        """Advance one tick; the new last price in paise, on the tick grid."""
        if self.remaining == 0:
            self._new_regime()
        self.remaining -= 1
        noise = self.rng.gauss(0.0, NOISE_BPS) / 10_000 * self.level
        if self.trending:
            self.level += self.drift_bps / 10_000 * self.level + noise
        else:
            self.level += REVERSION * (self.anchor - self.level) + noise
        self.volume += self.rng.randint(1, 400)
        return max(TICK_SIZE, round(self.level / TICK_SIZE) * TICK_SIZE)


def _rupees(paise: int) -> str:
    return f"{paise // 100}.{paise % 100:02d}"


def render(seed: int = SEED) -> str:
    """The whole sample file as text."""
    rng = random.Random(seed)
    walks = {symbol: _RegimeWalk(start, rng) for symbol, start in INSTRUMENTS.items()}
    symbols = list(INSTRUMENTS)
    offsets_ms = sorted(rng.randrange(SESSION_MS) for _ in range(TICKS))
    lines = [
        "# shikra sample replay: 5 NSE symbols on one session, 09:15-15:30 IST.",
        "# Synthetic (trend and mean-reversion regimes), not market data.",
        "# Regenerate with: python -m feeds.make_sample   Format: feeds/REPLAY_FORMAT.md",
        HEADER_LINE,
    ]
    for index, offset_ms in enumerate(offsets_ms):
        stamp = (SESSION_OPEN + timedelta(milliseconds=offset_ms)).isoformat("T", "milliseconds")
        if index == MALFORMED_AFTER:
            lines.append(MALFORMED_COMMENT)
            lines.append(f"{stamp},{MALFORMED_LINE}")
        symbol = symbols[rng.randrange(len(symbols))]
        walk = walks[symbol]
        ltp = walk.step()
        bid, ask = quote_around(ltp, TICK_SIZE, rng)
        bid_qty, ask_qty = rng.randint(1, 2000), rng.randint(1, 2000)
        lines.append(
            f"{stamp},{symbol},{_rupees(ltp)},{_rupees(bid)},{_rupees(ask)},"
            f"{bid_qty},{ask_qty},{walk.volume}"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else SAMPLE_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8", newline="\n")
    print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
