"""kill -9 on the live daemon against the fake Kite (the real kiteconnect client), each time
while a placement is in flight: Kite has taken the order, its reply has not come back. After
every restart the order is found by its tag, never placed again; after a clean run the
journal and Kite agree on every order and trade."""

from __future__ import annotations

import signal
import time
from decimal import Decimal
from pathlib import Path

from daemon.control_wire import request
from tests.e2e.daemon_process import DaemonProcess, free_port, total
from tests.e2e.invariants import Venue, VenueOrder, VenueTrade, check
from tests.e2e.kill_drill import submitted
from tests.e2e.live_harness import INFY, INFY_TOKEN, daemon_env, live_config, login, moving_market
from tests.fakekite import FakeKite

KITE_FINAL = {"COMPLETE": "filled", "CANCELLED": "cancelled", "REJECTED": "rejected"}
CYCLES = 6


def kite_venue(fake: FakeKite) -> Venue:
    """The fake Kite's book in the invariants' words."""
    orders = fake.orders()
    tags = {o["order_id"]: o.get("tag") or "" for o in orders}
    return Venue(
        orders=[
            VenueOrder(o["order_id"], o.get("tag") or "", KITE_FINAL.get(o["status"], "open"))
            for o in orders
        ],
        trades=[
            VenueTrade(
                trade_id=str(t["trade_id"]),
                order_id=str(t["order_id"]),
                tag=tags.get(str(t["order_id"]), ""),
                symbol=f"{t['exchange']}:{t['tradingsymbol']}",
                side=t["transaction_type"],
                quantity=int(t["quantity"]),
                price=int(Decimal(str(t["average_price"])) * 100),
                product=t["product"],
            )
            for t in fake.trades()
        ],
    )


def placements(fake: FakeKite) -> int:
    return len(fake.requests_to("POST /orders/*"))


def test_kills_while_a_placement_is_in_flight_never_send_an_order_twice(tmp_path: Path):
    port = free_port()
    with FakeKite() as fake:
        fake.add_instrument(INFY, INFY_TOKEN, last_price="1500", close="1490", name="INFOSYS")
        text = live_config(fake, port)
        (tmp_path / "state").mkdir()
        (tmp_path / "shikra.toml").write_text(text)
        assert login(fake, tmp_path, tmp_path / "shikra.toml").returncode == 0
        with moving_market(fake):
            for _ in range(CYCLES):
                daemon = DaemonProcess(tmp_path, text, port)
                daemon.env = daemon_env(fake)
                try:
                    daemon.start()
                    daemon.wait_for(lambda s: submitted(s) >= 1, timeout=60)
                    before = placements(fake)
                    fake.delay_next_placement(0.8)  # shorter than the client's 1 s timeout
                    fake.wait_until(lambda n=before: placements(fake) > n, timeout=30)
                    assert daemon.process is not None
                    daemon.process.send_signal(signal.SIGKILL)  # Kite has it; no reply yet
                    daemon.wait(30)
                finally:
                    daemon.kill()
            daemon = DaemonProcess(tmp_path, text, port)
            daemon.env = daemon_env(fake)
            try:
                daemon.start()
                daemon.wait_for(lambda s: submitted(s) >= 1, timeout=60)
                assert request(tmp_path / "state" / "control.sock", "halt").ok
                samples = _settle(daemon, fake, tmp_path)
                assert daemon.terminate() == 0, daemon.log()
            finally:
                daemon.kill()
        problems = check(tmp_path / "state" / "journal.sqlite", kite_venue(fake), settled=True)
    log = daemon.log()
    assert problems == [], "\n".join(problems)
    # Each in-flight order was found by its tag after the restart, not placed again.
    assert log.count("orders open at restart: looking each up by tag") >= CYCLES, log
    assert "not found at the broker" not in log and "not sent before a restart" not in log, log
    assert total(samples, "shikra_actor_restarts_total") == 0, log


def _settle(daemon: DaemonProcess, fake: FakeKite, tmp_path: Path, timeout: float = 60) -> dict:
    """Halted: wait until every invariant holds (nothing working at Kite or in the journal,
    every trade journaled); a drill that never gets there fails with the log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        samples = daemon.scrape()
        if not check(tmp_path / "state" / "journal.sqlite", kite_venue(fake), settled=True):
            return samples
        time.sleep(0.2)  # polling interval of a deadline-bounded wait
    raise AssertionError(f"not settled within {timeout}s:\n{daemon.log()}")
