"""Which tick, lot and multiplier the daemon trades each symbol with: the config's in paper and
replay, the dump's (with the config's multiplier) in live and dry-run, where a configured value
that contradicts the dump is reported at start-up and a quantity that is not whole lots of the
dump's lot refuses to start. The start-up ones run against the fake Kite with the real client.
"""

from __future__ import annotations

import datetime
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from config import load_config_text
from core.instruments import InstrumentSpec
from daemon.clock import WallClock
from daemon.instruments import QuantityNotWholeLots, live_specs, multipliers, paper_specs, refresher
from daemon.topology import _risk_book, build
from feeds.kite_instruments import InstrumentFacts
from metrics import Metrics
from tests.e2e.daemon_process import REPO
from tests.fakekite import FakeKite

CRUDE = "MCX:CRUDEOILM25DECFUT"
OPTION = "NFO:NIFTY25DEC24000CE"
INFY = "NSE:INFY"


def config_text(symbols: str, *, mode: str = "paper", api_root: str = "http://127.0.0.1:9") -> str:
    return f"""
[system]
mode = "{mode}"
state_dir = "state"
[feed]
source = "{"kite" if mode in ("live", "dry-run") else "synthetic"}"
[broker.kite]
api_root = "{api_root}"
timeout_seconds = 2.0
{symbols}
[risk]
max_order_quantity = 1000
max_order_value = 10000
max_position_quantity = 1000
max_gross_exposure = 1000000
max_open_orders = 5
max_orders_per_minute = 60
price_band_bps = 500
max_daily_loss = 5000
max_drawdown = 5000
"""


def symbol(name: str, quantity: int, extra: str = "") -> str:
    return (
        f'[[symbols]]\nsymbol = "{name}"\nstrategy = "ema_cross"\nquantity = {quantity}\n'
        f'product = "NRML"\n{extra}\n'
    )


SYMBOLS = (
    symbol(INFY, 10, "tick_size_paise = 5\nlot_size = 1")
    + symbol(OPTION, 150, "lot_size = 25")
    + symbol(CRUDE, 2, "multiplier = 10")
)


def facts(name: str, token: int, tick: int, lot: int) -> InstrumentFacts:
    exchange = name.split(":", 1)[0]
    return InstrumentFacts(
        symbol=name, token=token, tick_size_paise=tick, lot_size=lot, exchange=exchange,
        segment=exchange, instrument_type="FUT",
    )  # fmt: skip


DUMP = {
    INFY: facts(INFY, 408065, 10, 1),
    OPTION: facts(OPTION, 10193666, 5, 75),
    CRUDE: facts(CRUDE, 116459783, 100, 1),
}


def test_paper_and_replay_trade_the_configured_values_or_their_defaults():
    config = load_config_text(config_text(SYMBOLS))
    assert paper_specs(config) == {
        INFY: InstrumentSpec(tick_size=5, lot_size=1),
        OPTION: InstrumentSpec(tick_size=5, lot_size=25),
        CRUDE: InstrumentSpec(tick_size=5, lot_size=1, multiplier=10),
    }


def test_live_trades_the_dumps_tick_and_lot_with_the_configs_multiplier(caplog):
    config = load_config_text(config_text(SYMBOLS))
    with caplog.at_level(logging.WARNING, logger="daemon.instruments"):
        specs = live_specs(config, DUMP)
    assert specs == {
        INFY: InstrumentSpec(tick_size=10, lot_size=1),
        OPTION: InstrumentSpec(tick_size=5, lot_size=75),
        CRUDE: InstrumentSpec(tick_size=100, lot_size=1, multiplier=10),
    }
    assert multipliers(specs) == {INFY: 1, OPTION: 1, CRUDE: 10}
    # One line per symbol whose *configured* value contradicts the dump, naming both values;
    # the crude mini configures neither and its defaults (5 paise) are not contradictions.
    lines = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(lines) == 2
    option, infy = sorted(lines)  # NFO before NSE
    assert infy.startswith(f"{INFY}: the config's tick_size_paise 5 (the dump says 10)")
    assert option.startswith(f"{OPTION}: the config's lot_size 25 (the dump says 75)")


def test_a_quantity_not_whole_lots_of_the_dumps_lot_refuses_to_start():
    config = load_config_text(config_text(symbol(OPTION, 100) + symbol(CRUDE, 2)))
    with pytest.raises(QuantityNotWholeLots) as refused:
        live_specs(config, DUMP)
    assert str(refused.value) == (
        f"{OPTION}: quantity 100 is not a whole number of lots of 75 (Kite's lot size today): "
        "every order would be refused; set quantity to whole lots"
    )


def add_dump(fake: FakeKite) -> None:
    fake.add_instrument(INFY, 408065, last_price="1500", tick_size="0.10", name="INFOSYS")
    fake.add_instrument(
        OPTION, 10193666, last_price="120", lot_size=75, instrument_type="CE",
        segment="NFO-OPT", expiry="2025-12-30", strike="24000", name="NIFTY",
    )  # fmt: skip
    fake.add_instrument(
        CRUDE, 116459783, last_price="5400", tick_size="1", instrument_type="FUT",
        expiry="2025-12-16", name="CRUDEOILM",
    )  # fmt: skip


def test_a_dry_run_is_built_with_the_dumps_facts(tmp_path: Path, monkeypatch, caplog):
    with FakeKite() as fake:
        add_dump(fake)
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv("KITE_API_KEY", fake.api_key)
        monkeypatch.setenv("KITE_ACCESS_TOKEN", fake.access_token)
        text = config_text(SYMBOLS, mode="dry-run", api_root=fake.api_root)
        config = load_config_text(text.replace('state_dir = "state"', f'state_dir = "{tmp_path}"'))
        with caplog.at_level(logging.WARNING):
            daemon = build(config, clock=WallClock(), metrics=Metrics())
        downloads = len(fake.requests_to("GET /instruments/*"))
    expected = {
        INFY: InstrumentSpec(tick_size=10, lot_size=1),
        OPTION: InstrumentSpec(tick_size=5, lot_size=75),
        CRUDE: InstrumentSpec(tick_size=100, lot_size=1, multiplier=10),
    }
    assert dict(daemon.market.instruments) == expected
    assert _risk_book(config, daemon.market).instruments == expected
    assert downloads == 3  # NSE, NFO, MCX: one each
    warned = sorted(r.getMessage() for r in caplog.records if r.name == "daemon.instruments")
    assert [w.split(": the config's")[0] for w in warned] == [OPTION, INFY]
    assert len(list(tmp_path.glob("instruments-*.json"))) == 1  # the day's cache


def test_live_run_exits_2_with_the_reason_when_quantity_is_not_whole_lots(tmp_path: Path):
    with FakeKite() as fake:
        add_dump(fake)
        (tmp_path / "shikra.toml").write_text(
            config_text(symbol(OPTION, 100), mode="live", api_root=fake.api_root)
        )
        env = {"KITE_API_KEY": fake.api_key, "KITE_ACCESS_TOKEN": fake.access_token}
        result = subprocess.run(
            [sys.executable, str(REPO / "main.py"), "run", "--config", "shikra.toml"],
            cwd=tmp_path, env={**_base_env(), **env}, capture_output=True, text=True,
            timeout=60, check=False,
        )  # fmt: skip
        placed = fake.requests_to("POST /orders/*")
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "quantity 100 is not a whole number of lots of 75" in output
    assert "Traceback" not in output
    assert placed == []


def _base_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("KITE_")}


def test_a_new_day_says_loudly_when_a_symbols_facts_changed_or_it_is_gone(caplog):
    def facts(symbol: str, tick: int, lot: int) -> InstrumentFacts:
        return InstrumentFacts(symbol=symbol, token=1, tick_size_paise=tick, lot_size=lot,
                               exchange="NSE", segment="NSE", instrument_type="EQ")  # fmt: skip

    specs = {
        "NSE:INFY": InstrumentSpec(tick_size=5, lot_size=1),
        "NSE:TCS": InstrumentSpec(tick_size=5, lot_size=1),
        "NFO:OLD": InstrumentSpec(tick_size=5, lot_size=50),
    }
    asked: list[datetime.date] = []

    def load(day: datetime.date) -> dict[str, InstrumentFacts]:
        asked.append(day)
        return {"NSE:INFY": facts("NSE:INFY", 10, 1), "NSE:TCS": facts("NSE:TCS", 5, 1)}

    monday = datetime.date(2026, 11, 30)
    with caplog.at_level("ERROR"):
        refresher(load, specs)(monday)
    assert asked == [monday]
    messages = [r.getMessage() for r in caplog.records]
    assert messages == [
        "NFO:OLD is not in Kite's instruments of 2026-11-30 (expired?)",
        "NSE:INFY changed on 2026-11-30: tick 5 -> 10 paise, lot 1 -> 1; restart to trade "
        "with the new facts",
    ]


def test_a_failed_download_on_a_new_day_is_said_and_trading_goes_on(caplog):

    def load(day: datetime.date) -> dict:
        raise OSError("network unreachable")

    with caplog.at_level("ERROR"):
        refresher(load, {"NSE:INFY": InstrumentSpec(tick_size=5, lot_size=1)})(
            datetime.date(2026, 11, 30)
        )
    assert [r.getMessage() for r in caplog.records] == [
        "could not refresh Kite's instruments for 2026-11-30: network unreachable"
    ]
