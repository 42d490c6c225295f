"""Live trading on the fake Kite with the real kiteconnect client, end to end: the real daemon
(``main.py login``, then ``main.py run`` in live mode) against a fake that speaks Kite's REST
and WebSocket protocols, moved and broken by the test."""

from __future__ import annotations

import stat
import subprocess
import sys
import urllib.request
from pathlib import Path

from daemon.clock import WallClock
from journal import Journal
from tests.e2e.daemon_process import REPO, total, value
from tests.e2e.live_harness import INFY, live_daemon
from tests.e2e.reckoning import Reckoning


def test_a_full_live_session_on_the_fake(tmp_path: Path):
    with live_daemon(tmp_path) as (fake, daemon):
        token_file = tmp_path / "state" / "access_token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 6, timeout=60)
        # What an operator or a scraper sees carries no secret.
        metrics_text = (
            urllib.request.urlopen(f"http://127.0.0.1:{daemon.port}/metrics", timeout=5)
            .read()
            .decode()
        )
        status = subprocess.run(
            [sys.executable, str(REPO / "main.py"), "status", "--config", str(daemon.config)],
            cwd=tmp_path, env=daemon.env, capture_output=True, text=True, timeout=60,
            check=False,
        )  # fmt: skip
        assert status.returncode == 0 and "trading: ACTIVE" in status.stdout, status.stderr
        fake.go_silent()  # freeze the market so the books can settle
        daemon.wait_for(lambda s: value(s, "shikra_orders_queued") == 0, timeout=30)
        # An order filled just as the link went silent has lost its update: the router's
        # check of working orders finds the fill anyway.
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") == len(fake.trades()), timeout=30)
        runs = value(daemon.scrape(), "shikra_reconciliation_runs_total")
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_reconciliation_runs_total") >= runs + 3, timeout=30
        )
        assert daemon.terminate() == 0, daemon.log()
        trades = {t["trade_id"] for t in fake.trades()}
        fake_position = sum(
            p["quantity"] for p in fake.positions()["net"] if p["tradingsymbol"] == "INFY"
        )
        tags = {o["tag"] for o in fake.orders()}
    log = daemon.log()
    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        fills = journal.fills()
        orders = journal.orders()
    # Every order went to Kite once, under its client id as the tag; every Kite trade is
    # journaled, and nothing else is.
    assert {o.client_id for o in orders} == tags
    assert {f.trade_id for f in fills} == trades
    # Positions reconcile, and PnL is the exact arithmetic of the fills.
    book = Reckoning()
    for fill in fills:
        book.apply(fill)
    assert book.positions[INFY] == fake_position
    assert value(samples, "shikra_broker_position_quantity", symbol=INFY) == fake_position
    assert total(samples, "shikra_reconciliation_mismatches_total") == 0
    assert value(samples, "shikra_pnl_realized_rupees") == book.realized / 100
    # No secret in the log, the metrics or the status output.
    for secret in (fake.api_key, fake.api_secret, token_file.read_text().strip()):
        for shown in (log, metrics_text, status.stdout, status.stderr):
            assert secret not in shown


def test_dry_run_trades_live_ticks_on_the_paper_broker_and_sends_kite_nothing(tmp_path: Path):
    with live_daemon(tmp_path, mode="dry-run") as (fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 3, timeout=60)
        assert daemon.terminate() == 0, daemon.log()
        placed = fake.requests_to("POST /orders/*")
    assert placed == []
    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        fills = journal.fills()
    assert len(fills) >= 3
    assert all(f.trade_id.startswith("P") for f in fills)  # the paper broker's trades
