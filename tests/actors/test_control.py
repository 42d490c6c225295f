"""Halt, resume and flatten on the real actor tree (in-process, synthetic feed): what RiskGate
lets through changes at once, flatten leaves the paper broker flat, and a halt is journaled."""

from __future__ import annotations

from pathlib import Path

from daemon.clock import WallClock
from journal import Journal
from messages import Flatten, Halt, OrderIntent, Resume, Side, StateSource, TradingState
from tests.actors.tree_harness import SYMBOLS, eventually, metric, running_daemon


def _state(daemon, state: TradingState) -> bool:
    return metric(daemon, "shikra_trading_state", state=state.value) == 1


def test_halt_rejects_new_intents_with_its_reason_until_resume(tmp_path: Path):
    with running_daemon(tmp_path) as daemon:
        eventually(lambda: _state(daemon, TradingState.ACTIVE))
        eventually(lambda: metric(daemon, "shikra_risk_approvals_total") >= 2)
        daemon.tree.address("RiskGate").tell(Halt(reason="drill", source=StateSource.OPERATOR))
        eventually(lambda: _state(daemon, TradingState.HALTED))
        approvals = metric(daemon, "shikra_risk_approvals_total")
        eventually(lambda: metric(daemon, "shikra_risk_rejections_total", reason="halted") >= 2)
        # Nothing was approved while halted (an in-flight approval may have just preceded it).
        assert metric(daemon, "shikra_risk_approvals_total") <= approvals + 1
        daemon.tree.address("RiskGate").tell(Resume(reason="drill over"))
        eventually(lambda: _state(daemon, TradingState.ACTIVE))
        eventually(lambda: metric(daemon, "shikra_risk_approvals_total") >= approvals + 2)
    with Journal.open(tmp_path / "journal.sqlite", WallClock()) as journal:
        states = [(c.state, c.source) for c in journal.trading_states()]
    assert (TradingState.HALTED, StateSource.OPERATOR) in states
    assert states[-1] == (TradingState.ACTIVE, StateSource.OPERATOR)


def test_flatten_cancels_and_closes_everything_through_the_normal_path(tmp_path: Path):
    with running_daemon(tmp_path) as daemon:
        eventually(lambda: any(p.quantity for p in daemon.broker.positions()))
        daemon.tree.address("RiskGate").tell(Flatten(reason="end of drill"))
        eventually(lambda: _state(daemon, TradingState.HALTED))
        eventually(lambda: all(p.quantity == 0 for p in daemon.broker.positions()))
        # The closing orders went through the router like any other (journaled, filled).
        eventually(lambda: metric(daemon, "shikra_risk_rejections_total", reason="halted") >= 1)
    with Journal.open(tmp_path / "journal.sqlite", WallClock()) as journal:
        flatten_orders = [o for o in journal.orders() if o.client_id.startswith("FLAT")]
    assert flatten_orders
    assert all(o.status.is_terminal for o in flatten_orders)


def test_an_intent_with_a_non_positive_quantity_is_rejected_with_its_reason(tmp_path: Path):
    with running_daemon(tmp_path, ticks_per_second=1.0) as daemon:
        eventually(lambda: _state(daemon, TradingState.ACTIVE))
        before = metric(daemon, "shikra_risk_rejections_total", reason="invalid_quantity")
        bad = OrderIntent(client_id="BAD000001", symbol=SYMBOLS[0], side=Side.BUY, quantity=0)
        daemon.tree.address("RiskGate").tell(bad)
        eventually(
            lambda: (
                metric(daemon, "shikra_risk_rejections_total", reason="invalid_quantity")
                == before + 1
            )
        )
        assert metric(daemon, "shikra_actor_crashes_total", actor="RiskGate") == 0
