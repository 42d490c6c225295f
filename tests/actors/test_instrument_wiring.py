"""The configured multiplier reaches the PnL the daemon reports: the real actor tree (paper,
synthetic feed) trades one symbol declared with ``multiplier = 10`` beside two without, and the
tracker's realized PnL and charges equal an independent reckoning of the journaled fills in
which that symbol's every fill is worth ten times its price x quantity."""

from __future__ import annotations

from pathlib import Path

import msgspec

from config import load_config_text
from config.actors import PNL_TRACKER, RISK_GATE
from daemon.clock import WallClock
from daemon.topology import build
from journal import Journal
from messages import Flatten, PnLQuery, PnLUpdate
from metrics import Metrics
from tests.actors.tree_harness import SYMBOLS, eventually, metric, synthetic_config
from tests.e2e.reckoning import Reckoning

MULTIPLIED = SYMBOLS[0]
MULTIPLIER = 10


def test_the_trackers_pnl_values_the_declared_multiplier(tmp_path: Path):
    text = synthetic_config(tmp_path).replace(
        f'symbol = "{MULTIPLIED}"\n', f'symbol = "{MULTIPLIED}"\nmultiplier = {MULTIPLIER}\n'
    )
    daemon = build(load_config_text(text), clock=WallClock(), metrics=Metrics())
    daemon.tree.start(timeout=30)
    try:
        eventually(lambda: _traded(tmp_path, MULTIPLIED), timeout=30)
        daemon.tree.address(RISK_GATE).tell(Flatten(reason="settle the books"))
        eventually(lambda: metric(daemon, "shikra_trading_state", state="HALTED") == 1)
        eventually(lambda: all(p.quantity == 0 for p in daemon.broker.positions()), timeout=30)
        ask = daemon.tree.address(PNL_TRACKER).ask

        def agrees() -> bool:
            reported: PnLUpdate = ask(PnLQuery(), timeout=5.0)
            expected = _reckon(tmp_path)
            return (reported.realized, reported.charges) == expected

        eventually(agrees, timeout=30)
        realized, charges = _reckon(tmp_path)
        unmultiplied = _reckon(tmp_path, multiplier=1)
        assert (realized, charges) != unmultiplied  # the multiplier made a difference
    finally:
        assert daemon.tree.stop(timeout=30)


def _fills(state_dir: Path) -> list:
    with Journal.open(state_dir / "journal.sqlite", WallClock()) as journal:
        return journal.fills()


def _traded(state_dir: Path, symbol: str) -> bool:
    """A round trip of the symbol done, so realized PnL is not trivially 0."""
    fills = [f for f in _fills(state_dir) if f.symbol == symbol]
    return len({f.side for f in fills}) == 2


def _reckon(state_dir: Path, multiplier: int = MULTIPLIER) -> tuple[int, int]:
    """Realized and charges, the multiplied symbol's fills counted as ``multiplier`` times the
    quantity: the same money as price x quantity x multiplier, reckoned without the code."""
    book = Reckoning()
    for fill in _fills(state_dir):
        if fill.symbol == MULTIPLIED:
            fill = msgspec.structs.replace(fill, quantity=fill.quantity * multiplier)
        book.apply(fill)
    return book.realized, book.charges
