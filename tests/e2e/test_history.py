"""``main.py history`` against the fake Kite, as a user runs it: log in, fetch a range longer
than one request may span (150 days of minute candles: Kite allows 60 a request), and get one
candle file per configured symbol, every candle once, oldest first, prices exact; the requests
each within Kite's span, three a second at most; a missing token is a clear error."""

from __future__ import annotations

import datetime
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from feeds.candles import IST, is_header, parse_candle
from tests.e2e.daemon_process import REPO, free_port
from tests.e2e.live_harness import INFY, INFY_TOKEN, daemon_env, live_config, login
from tests.fakekite import FakeKite

TCS_TOKEN = 2953217


def candles(first: datetime.date, last: datetime.date, base: int) -> list[tuple]:
    rows, day = [], first
    while day <= last:
        if day.weekday() < 5:
            for minute in (15, 16):
                start = datetime.datetime.combine(day, datetime.time(9, minute), tzinfo=IST)
                price = Decimal(base) + Decimal(day.day) / 20
                rows.append((start, price, price + 2, price - 1, price + 1, 10 * minute))
        day += datetime.timedelta(days=1)
    return rows


def history(workdir: Path, config: Path, env: dict[str, str], *args: str):
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "history", "--config", str(config), *args],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_history_fetches_a_long_range_in_windows_and_writes_a_candle_file_per_symbol(
    tmp_path: Path,
):
    first, last = datetime.date(2026, 1, 1), datetime.date(2026, 5, 30)
    with FakeKite() as fake:
        fake.add_instrument(INFY, INFY_TOKEN, last_price="1500")
        fake.add_instrument("NSE:TCS", TCS_TOKEN, last_price="3400")
        fake.add_candles(INFY, candles(first, last, 1500))
        fake.add_candles("NSE:TCS", candles(first, last, 3400))
        text = live_config(fake, free_port()) + (
            '[[symbols]]\nsymbol = "NSE:TCS"\nstrategy = "ema_cross"\n'
            "params = { fast = 2, slow = 4 }\nquantity = 1\n"
        )
        config = tmp_path / "shikra.toml"
        config.write_text(text)
        assert login(fake, tmp_path, config).returncode == 0
        out = tmp_path / "data"
        done = history(tmp_path, config, daemon_env(fake), "--from", "2026-01-01", "--to",
                       "2026-05-30", "--out", str(out))  # fmt: skip
        requests = fake.requests_to("GET /instruments/historical/*")
    assert done.returncode == 0, done.stdout + done.stderr
    assert len(requests) == 6 and all(r.status == 200 for r in requests)  # 3 windows x 2
    assert {r.query["to"][0][:10] for r in requests} == {"2026-03-01", "2026-04-30", "2026-05-30"}
    times = sorted(r.at for r in requests)
    assert all(b - a >= 1.0 for a, b in zip(times, times[3:], strict=False))
    for symbol, base in ((INFY, 1500), ("NSE:TCS", 3400)):
        exchange, name = symbol.split(":")
        lines = (out / f"{exchange}-{name}.minute.csv").read_text().splitlines()
        assert lines[0].startswith("#") and is_header(lines[1])
        parsed = [parse_candle(line, n) for n, line in enumerate(lines[2:], 3)]
        expected = candles(first, last, base)
        assert len(parsed) == len(expected)
        assert [c.start_ns for c in parsed] == [int(r[0].timestamp()) * 10**9 for r in expected]
        assert [c.open for c in parsed] == [int(r[1] * 100) for r in expected]
        assert all(c.symbol == symbol and c.interval_seconds == 60 for c in parsed)
    assert "3 requests" not in done.stdout and "6 requests" in done.stdout


def test_history_without_a_token_says_what_to_do(tmp_path: Path):
    with FakeKite() as fake:
        fake.add_instrument(INFY, INFY_TOKEN, last_price="1500")
        config = tmp_path / "shikra.toml"
        config.write_text(live_config(fake, free_port()))
        done = history(tmp_path, config, daemon_env(fake), "--from", "2026-01-01", "--to",
                       "2026-01-31", "--out", str(tmp_path / "data"))  # fmt: skip
    assert done.returncode == 2
    assert "access_token" in done.stderr and "main.py login" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()
