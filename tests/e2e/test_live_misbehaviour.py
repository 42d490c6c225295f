"""The fake Kite misbehaves; the real daemon copes: no order sent twice after a placement
timeout, a clear halt on an expired token (and recovery after a new login), a reconnect when
the socket goes silent, a malformed packet skipped and counted, 429s survived."""

from __future__ import annotations

import struct
from collections import Counter
from pathlib import Path

from tests.e2e.daemon_process import total, value
from tests.e2e.live_harness import live_daemon as running
from tests.e2e.live_harness import login


def test_a_placement_that_times_out_is_looked_up_not_sent_again(tmp_path: Path):
    with running(tmp_path) as (fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 1, timeout=60)
        fake.delay_next_placement(2.5)  # accepted, then answered after the 1 s client timeout
        daemon.wait_for(
            lambda s: value(s, "shikra_broker_api_errors_total", call="place",
                            kind="unknown_outcome") >= 1,
            timeout=60,
        )  # fmt: skip
        samples = daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 4, timeout=60)
        assert value(samples, "shikra_broker_api_error_causes_total", cause="timeout") >= 1
        tags = Counter(o["tag"] for o in fake.orders())
        assert daemon.terminate() == 0, daemon.log()
    assert tags and max(tags.values()) == 1  # no tag placed twice
    log = daemon.log()
    assert "no reply to the placement (ReadTimeout)" in log


def test_an_expired_token_halts_with_one_clear_line_and_a_new_login_heals_reads(tmp_path: Path):
    with running(tmp_path) as (fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 1, timeout=60)
        fake.expire_token()
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_trading_state", state="HALTED") == 1, timeout=60
        )
        assert total(samples, "shikra_actor_restarts_total") == 0  # no crash loop
        # Reads fail too (reconciliation reads positions) until a person logs in again.
        samples = daemon.wait_for(
            lambda s: (
                value(s, "shikra_broker_api_errors_total", call="positions", kind="token") >= 1
            ),
            timeout=30,
        )
        assert value(samples, "shikra_broker_api_error_causes_total", cause="http_403") >= 1
        runs = value(samples, "shikra_reconciliation_runs_total")
        result = login(fake, tmp_path, daemon.config)
        assert result.returncode == 0, result.stderr
        # The next reads use the new token from the file: reconciliations succeed again.
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_reconciliation_runs_total") >= runs + 2, timeout=30
        )
        assert value(samples, "shikra_trading_state", state="HALTED") == 1  # a person resumes
        assert daemon.terminate() == 0, daemon.log()
    log = daemon.log()
    assert "access token expired or invalid: run `main.py login`" in log


def test_a_silent_socket_is_dropped_and_reopened_within_the_staleness(tmp_path: Path):
    with running(tmp_path, stale_after=1.0) as (fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_feed_ticks_total") >= 5, timeout=60)
        assert fake.connection_count == 1
        fake.go_silent()
        daemon.wait_for(lambda s: value(s, "shikra_feed_reconnects_total") >= 1, timeout=10)
        fake.resume()
        ticks = total(daemon.scrape(), "shikra_feed_ticks_total")
        daemon.wait_for(lambda s: total(s, "shikra_feed_ticks_total") >= ticks + 5, timeout=30)
        connections = fake.connections
        assert daemon.terminate() == 0, daemon.log()
    assert len(connections) >= 2
    for connection in connections:  # each connection subscribed once, never twice
        assert len(connection.actions("subscribe")) <= 1


def test_a_malformed_packet_is_skipped_and_counted(tmp_path: Path):
    with running(tmp_path) as (fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_feed_ticks_total") >= 5, timeout=60)
        bad = struct.pack(">HH", 1, 13) + b"\x00" * 13  # one packet of a length Kite never sends
        fake.send_raw_frame(bad)
        samples = daemon.wait_for(
            lambda s: value(s, "shikra_feed_ticks_dropped_total", reason="unknown_length") >= 1,
            timeout=30,
        )
        ticks = total(samples, "shikra_feed_ticks_total")
        daemon.wait_for(lambda s: total(s, "shikra_feed_ticks_total") >= ticks + 5, timeout=30)
        assert daemon.terminate() == 0, daemon.log()


def test_trading_goes_on_through_429s_without_breaching_the_limits(tmp_path: Path):
    with running(tmp_path) as (fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 1, timeout=60)
        fake.fail_next(6, 429, endpoint="GET /portfolio/positions")
        fake.fail_next(2, 429, endpoint="POST /orders/*")
        fills = total(daemon.scrape(), "shikra_fills_total")
        samples = daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= fills + 4,
                                  timeout=60)  # fmt: skip
        assert value(samples, "shikra_broker_api_errors_total", call="place",
                     kind="rate_limited") >= 1  # fmt: skip
        assert value(samples, "shikra_broker_api_error_causes_total", cause="http_429") >= 1
        assert total(samples, "shikra_actor_restarts_total") == 0
        assert daemon.terminate() == 0, daemon.log()
        positions = [p["quantity"] for p in fake.positions()["net"] if p["tradingsymbol"] == "INFY"]
        times = sorted(r.at for r in fake.requests_to("POST /orders/*"))
    assert all(abs(q) <= 5 for q in positions)  # max_position_quantity held
    assert times
    for start in times:  # never more than 10 placements in any second
        assert sum(start <= t < start + 1.0 for t in times) <= 10


def test_an_input_exception_rejects_the_order_with_the_brokers_words(tmp_path: Path):
    from daemon.clock import WallClock
    from journal import Journal
    from messages import OrderStatus

    words = "Quantity should be a multiple of the lot size"
    with running(tmp_path) as (fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 1, timeout=60)
        fake.fail_next(1, 400, error_type="InputException", message=words,
                       endpoint="POST /orders/*")  # fmt: skip
        daemon.wait_for(
            lambda s: value(s, "shikra_orders_total", status="rejected") >= 1, timeout=60
        )
        fills = total(daemon.scrape(), "shikra_fills_total")
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= fills + 2, timeout=60)
        assert daemon.terminate() == 0, daemon.log()
    with Journal.open(tmp_path / "state" / "journal.sqlite", WallClock()) as journal:
        rejected = [o for o in journal.orders() if o.status is OrderStatus.REJECTED]
    assert len(rejected) == 1 and words in rejected[0].reason
