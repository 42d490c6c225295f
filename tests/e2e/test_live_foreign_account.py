"""The real daemon, live on the fake Kite, in an account that is not shikra's alone: its owner
bought MTF shares by hand in the Kite app today (an untagged order, with Kite's own tag), holds
MTF shares from last week, holds INFY (shikra's symbol) in MTF, and bought INFY MIS (shikra's
own symbol and product) by hand today. Before, the first such order in the day's order book
raised ``'MTF' is not a valid Product`` out of the adapter and the OrderRouter crash-looped at
start-up; and any position shikra did not open was a difference that kept trading from
starting. Now it starts, reports the foreign holdings (metric and one log line) without
adopting or halting on them, checks its working orders and looks orders up by tag over an
order book full of foreign records, and places and fills its own orders under the default
``alert`` policy.
"""

from __future__ import annotations

from pathlib import Path

from daemon.control_wire import request
from daemon.status import show
from tests.e2e.daemon_process import total, value
from tests.e2e.live_harness import INFY, live_daemon
from tests.fakekite import FakeKite

SBIN = "NSE:SBIN"  # not in the config: shikra never trades it


def the_owners_account(fake: FakeKite) -> None:
    fake.add_instrument(SBIN, 779521, last_price="800", close="795", name="STATE BANK OF INDIA")
    fake.carry_position(SBIN, 25, "790.25", product="MTF")  # bought last week, on margin
    fake.by_hand(SBIN, product="MTF", quantity=10, kite_tags=("mktp",))  # today, no tag
    fake.carry_position(INFY, 40, "1480.00", product="MTF")  # shikra's symbol, another product
    fake.by_hand(INFY, product="MIS", quantity=3)  # shikra's symbol and product, by hand


def test_a_foreign_account_is_reported_and_never_stops_trading(tmp_path: Path):
    with live_daemon(tmp_path, the_owners_account) as (fake, daemon):
        samples = daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 3, timeout=60)
        assert value(samples, "shikra_broker_api_calls_total", call="trades") >= 1  # start-up
        # SBIN MTF (not configured), INFY MTF (another product), INFY MIS by hand: reported.
        assert value(samples, "shikra_foreign_positions") == 3
        reply = request(tmp_path / "state" / "control.sock", "status")
        # Orders by hand today: the MTF and the MIS ones (the carried positions have none).
        assert value(samples, "shikra_foreign_orders") == 2
        assert reply.status is not None
        assert "foreign holdings: 3, orders today: 2 (not shikra's" in show(reply.status)
        assert total(samples, "shikra_reconciliation_mismatches_total") == 0

        # The owner keeps at it while shikra runs: more orders, pushed on the WebSocket too.
        fake.by_hand(SBIN, product="MTF", variety="amo", status="AMO REQ RECEIVED",
                     order_type="LIMIT", price="780")  # fmt: skip
        fake.by_hand(SBIN, product="CO", variety="co", side="SELL", status="TRIGGER PENDING",
                     order_type="LIMIT", price="820")  # fmt: skip
        fake.by_hand(SBIN, product="BO", variety="iceberg", status="CANCELLED AMO")

        # Updates lost on the link: only the working-order check (GET /orders, over the
        # foreign records) can tell the router its orders filled.
        checks = value(samples, "shikra_broker_api_calls_total", call="orders")
        fills = total(samples, "shikra_fills_total")
        fake.lose_order_updates(10_000)
        daemon.wait_for(
            lambda s: (
                value(s, "shikra_broker_api_calls_total", call="orders") >= checks + 2
                and total(s, "shikra_fills_total") >= fills + 2
            ),
            timeout=60,
        )
        fake.lose_order_updates(0)

        # A placement whose reply is lost: the router looks it up by tag, in the same book.
        fake.delay_next_placement(2.5)
        fills = total(daemon.scrape(), "shikra_fills_total")
        samples = daemon.wait_for(
            lambda s: (
                value(s, "shikra_broker_api_calls_total", call="order_by_tag") >= 1
                and total(s, "shikra_fills_total") >= fills + 2
            ),
            timeout=60,
        )
        assert value(samples, "shikra_actor_restarts_total", actor="OrderRouter") == 0
        # Fills whose updates were lost are not differences while the router brings them.
        assert total(samples, "shikra_reconciliation_mismatches_total") == 0
        assert total(samples, "shikra_actor_restarts_total") == 0
        assert total(samples, "shikra_actor_crashes_total") == 0
        assert value(samples, "shikra_trading_state", state="ACTIVE") == 1
        # Everything the owner did is a documented value: nothing unknown, nothing skipped.
        assert total(samples, "shikra_broker_unknown_values_total") == 0
        tags = [o["tag"] for o in fake.orders() if o["tradingsymbol"] == "INFY"]
        assert daemon.terminate() == 0, daemon.log()
    assert tags and len(tags) == len(set(tags))  # every order of shikra's sent once
    log = daemon.log()
    assert "Traceback" not in log and "is not a valid Product" not in log
    assert log.count("foreign holdings in the account") >= 1
    assert "adopted the broker's position" not in log and "HALTED" not in log
