"""What the operator's commands do, apart from the socket that carries them.

Halt, reduce, resume and flatten become the same control messages a limit would send, told to
RiskGate's address; the trading state they produce is journaled there, so a halt survives a
restart. A ``tell`` never blocks, so these are answered at once, on the control loop itself.
Status is gathered from the truth: PnLTracker's exact figures (asked, which can take seconds),
the journal's open orders, and the metrics the dashboard shows; it is run off the loop.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from config.actors import PNL_TRACKER, RISK_GATE
from core.clock import Clock
from daemon.status import order_line
from journal import Journal
from messages import (
    ActorStatus,
    Flatten,
    Halt,
    OperatorReply,
    OperatorRequest,
    PnLQuery,
    PnLUpdate,
    Reduce,
    Resume,
    StateSource,
    StatusReport,
    TradingState,
)
from supervisors import SupervisionTree

_log = logging.getLogger(__name__)

PNL_ASK_SECONDS = 5.0
"""How long status waits for PnLTracker before reporting zeros rather than failing."""


class OperatorCommands:
    def __init__(
        self, tree: SupervisionTree, journal_path: Path, actors: tuple[str, ...], clock: Clock
    ) -> None:
        self.tree = tree
        self.journal_path = journal_path
        self.actors = actors
        self.clock = clock

    def steer(self, request: OperatorRequest) -> OperatorReply:
        """Halt, reduce, resume or flatten: one ``tell`` to RiskGate, never blocking."""
        risk = self.tree.address(RISK_GATE)
        reason = request.reason or f"operator {request.command}"
        if request.command == "halt":
            risk.tell(Halt(reason=reason, source=StateSource.OPERATOR))
            _log.warning("operator: halt (%s)", reason)
            return OperatorReply(ok=True, text="halt sent: no new orders; cancels still go")
        if request.command == "reduce":
            risk.tell(Reduce(reason=reason, source=StateSource.OPERATOR))
            _log.warning("operator: reduce (%s)", reason)
            return OperatorReply(
                ok=True, text="reduce sent: only orders that shrink exposure; resume to undo"
            )
        if request.command == "resume":
            risk.tell(Resume(reason=reason, source=StateSource.OPERATOR))
            _log.warning("operator: resume (%s)", reason)
            return OperatorReply(ok=True, text="resume sent")
        if request.command == "flatten":
            risk.tell(Flatten(reason=reason, source=StateSource.OPERATOR))
            _log.warning("operator: flatten (%s)", reason)
            return OperatorReply(
                ok=True, text="flatten sent: open orders cancelled, positions closed, then halted"
            )
        raise ValueError(f"{request.command!r} is not a steering command")

    def status(self) -> OperatorReply:
        """The status report; may take up to ``PNL_ASK_SECONDS`` and a journal read."""
        return OperatorReply(ok=True, text="status", status=self._report())

    def _report(self) -> StatusReport:
        registry = self.tree.metrics.registry

        def sample(name: str, **labels: str) -> float | None:
            return registry.get_sample_value(name, labels)

        state = next(
            (s.value for s in TradingState if sample("shikra_trading_state", state=s.value) == 1),
            "UNKNOWN",
        )
        actors = tuple(
            ActorStatus(
                name=name,
                up=self.tree.directory.is_up(name),
                healthy=sample("shikra_actor_healthy", actor=name) != 0,
                restarts=int(sample("shikra_actor_restarts_total", actor=name) or 0),
            )
            for name in self.actors
        )
        try:
            pnl: Any = self.tree.address(PNL_TRACKER).ask(PnLQuery(), timeout=PNL_ASK_SECONDS)
        except Exception:  # down or busy: say so rather than fail the whole status
            pnl = None
        if not isinstance(pnl, PnLUpdate):
            pnl = PnLUpdate(realized=0, unrealized=0, charges=0, net=0, peak_net=0, drawdown=0)
        with Journal.open(self.journal_path, self.clock) as journal:
            open_orders = tuple(order_line(o) for o in journal.open_orders())
            day = journal.current_day()
        return StatusReport(
            trading_state=state,
            actors=actors,
            symbols=pnl.symbols,
            realized=pnl.realized,
            unrealized=pnl.unrealized,
            charges=pnl.charges,
            net=pnl.net,
            open_orders=open_orders,
            feed_age_seconds=sample("shikra_feed_last_tick_age_seconds"),
            trading_day=day.isoformat() if day is not None else "",
            foreign_holdings=int(sample("shikra_foreign_positions") or 0),
            foreign_orders=int(sample("shikra_foreign_orders") or 0),
            multiplier_mismatches=int(sample("shikra_multiplier_mismatches") or 0),
        )
