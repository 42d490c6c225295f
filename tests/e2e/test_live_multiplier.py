"""Kite's positions carry the contract multiplier; a config that declares another is said
loudly, once, with what to set (money for that symbol would be off by the factor)."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.daemon_process import total, value
from tests.e2e.live_harness import INFY, live_daemon


def test_a_multiplier_the_broker_disagrees_with_is_reported(tmp_path: Path):
    with live_daemon(tmp_path, lambda fake: fake.set_multiplier(INFY, 25)) as (_fake, daemon):
        daemon.wait_for(lambda s: total(s, "shikra_fills_total") >= 1, timeout=60)
        samples = daemon.wait_for(lambda s: value(s, "shikra_multiplier_mismatches") == 1)
        assert value(samples, "shikra_trading_state", state="ACTIVE") == 1
        assert daemon.terminate() == 0, daemon.log()
    log = daemon.log()
    expected = (
        "contract multiplier mismatch: NSE:INFY: the config declares multiplier 1 but the "
        "broker's position reports 25"
    )
    assert log.count(expected) == 1, log
