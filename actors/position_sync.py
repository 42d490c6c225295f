"""PositionSync: compares shikra's positions with the broker's, at start-up and every interval,
and closes the books of a trading day when the next begins.

Shikra's side is the recovery model's (``core.recovery.local_positions``: positions carried into
the day, then the day's fills, per symbol and product); the broker's is its positions call, split
by ``core.account`` into shikra's part and what the owner holds by hand (foreign: reported, never
a difference). A difference counts only once it has stood, unchanged, for ``confirm_seconds``: a
fill in flight between the broker and the journal looks like one for a moment — longest when
the WebSocket lost its update and only the router's working-order check will bring it, so the
window is wider than that check's interval — at start-up too (the router may still be
journaling the trades it recovered). A difference found is checked again soon, not a full
interval later. The verdict goes to RiskGate as a
``ReconciliationReport``: the first one is what lets trading start.

Policy for a confirmed difference: ``alert`` reports it and trading goes on; ``halt`` reports it
and RiskGate halts; ``adopt`` takes the broker's quantity as truth by an adjustment
(``core.account.adjustment``: one transaction, ids stable across restarts and days) and tells the
actors that keep positions. Foreign holdings are only reported, unless ``foreign = "halt"``.

On ``DayStarted`` it writes the finished day's CSV exports next to the journal.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Mapping

from brokers.base import Broker, BrokerPosition
from brokers.errors import BrokerError
from config.actors import PNL_TRACKER, POSITION_SYNC, RISK_GATE, strategy_actor_name
from core.account import (
    AccountView,
    BrokerHolding,
    Foreign,
    adjustment,
    diffs_in_scope,
    split_account,
)
from core.instruments import MultiplierMismatch, multiplier_mismatches
from core.market_hours import MarketHours
from core.recovery import CARRIED_PRODUCTS, carried_quantities, carries, local_positions
from journal import Journal, export_day, writes
from journal.writer import JournalWriter
from messages import (
    DayStarted,
    DiffKind,
    Halt,
    PositionDiff,
    Product,
    ReconcilePolicy,
    ReconciliationReport,
    StateSource,
)
from supervisors import SupervisedActor
from supervisors.spec import Link

_log = logging.getLogger(__name__)

NAME = POSITION_SYNC
RECHECK_SECONDS = 1.0
"""How soon a difference not yet confirmed is looked at again (at most the interval)."""


class PositionSync(SupervisedActor):
    def __init__(
        self,
        link: Link,
        *,
        broker: Broker,
        journal: JournalWriter,
        interval: float,
        policy: ReconcilePolicy,
        tolerance_bps: float,
        hours: MarketHours,
        start_day: datetime.date,
        scope: Mapping[str, Product],
        halt_on_foreign: bool = False,
        confirm_seconds: float = 10.0,
        declared_multipliers: Mapping[str, int] | None = None,
        multipliers: Mapping[str, int] | None = None,
        on_new_day: Callable[[datetime.date], None] | None = None,
        report_to: tuple[str, ...] = (RISK_GATE,),
        adjust_to: tuple[str, ...] = (RISK_GATE, PNL_TRACKER),
    ) -> None:
        super().__init__(link)
        self.broker = broker
        self.journal = journal
        self.interval = interval
        self.policy = policy
        self.tolerance_bps = tolerance_bps
        self.hours = hours
        self.start_day = start_day
        self.day = start_day
        self.scope = dict(scope)
        self.halt_on_foreign = halt_on_foreign
        self.report_to = report_to
        self.adjust_to = adjust_to
        self.runs = 0
        self.confirm_seconds = confirm_seconds
        self.declared_multipliers = declared_multipliers
        self.multipliers = dict(multipliers or {})
        """Each symbol's contract multiplier, for the money in the exports."""
        self.multiplier_problems: list[MultiplierMismatch] = []
        self.on_new_day = on_new_day
        self.first_seen: dict[PositionDiff, float] = {}
        """Each standing difference and when (monotonic) it was first seen as it is now."""
        self.foreign: tuple[Foreign, ...] = ()
        self.reported_once = False
        self.foreign_orders = 0
        self.last_reported: list[PositionDiff] = []
        self.metrics = link.metrics

    def started(self) -> None:
        current = self.journal.read(lambda j: j.current_day())
        self.day = max(current or self.start_day, self.start_day)
        self.wake_in(0, "sync")

    def handle(self, message: object) -> None:
        if isinstance(message, DayStarted):
            if message.day > self.day:
                finished, self.day = self.day, message.day
                self._intraday_left_open(finished)
                self._export(finished)
                if self.on_new_day is not None:
                    self.on_new_day(message.day)
                self.first_seen = {}
        else:
            super().handle(message)

    def wakeup(self, purpose: str) -> None:
        try:
            pending = self._sync()
        except BrokerError as exc:
            _log.warning("reconciliation could not read the broker's book: %s", exc)
            self.wake_in(min(self.interval, 5.0), "sync")
            return
        self.wake_in(min(self.interval, RECHECK_SECONDS) if pending else self.interval, "sync")

    # -- one comparison ------------------------------------------------------------------------

    def _sync(self) -> bool:
        """One run; True when a difference awaits confirmation by the next run."""
        day = self.day
        positions = self.broker.positions()
        self._check_multipliers(positions)
        orders, trades = self.broker.orders(), self.broker.trades()
        # Shikra's own orders and trades are those of its client ids, of any day: Kite lists
        # yesterday's until its own day begins, some hours after midnight.
        tags = {o.tag for o in orders if o.tag} | {t.tag for t in trades if t.tag}
        ours, carried_fills, day_fills = self.journal.read(
            lambda j: (
                j.known_client_ids(tags),
                j.fills_before(day, CARRIED_PRODUCTS),
                j.fills_of_day(day),
            )
        )
        self._show_foreign_orders(sum(1 for o in orders if o.tag not in ours))
        by_hand: dict[tuple[str, Product], int] = {}
        for trade in trades:
            if trade.tag not in ours:
                bucket = (trade.symbol, trade.product)
                by_hand[bucket] = by_hand.get(bucket, 0) + trade.side.signed(trade.quantity)
        local = local_positions(carried_fills, day_fills)
        holdings = [
            BrokerHolding(
                symbol=p.symbol, product=p.product, quantity=p.quantity, open_cost=p.open_cost
            )
            for p in positions
        ]
        view = split_account(holdings, by_hand, self.scope, local)
        self._show_broker(positions, view)
        carried = {(s, p) for (s, p) in local if s in carried_quantities(carried_fills)}
        diffs = diffs_in_scope(local, view, self.tolerance_bps, quantity_only=carried)
        self.runs += 1
        now = self.link.clock.monotonic()
        self.first_seen = {diff: self.first_seen.get(diff, now) for diff in diffs}
        confirmed = [d for d in diffs if now - self.first_seen[d] >= self.confirm_seconds]
        unconfirmed = len(diffs) > len(confirmed)
        if unconfirmed and not self.reported_once:
            return True  # the first verdict lets trading start: make sure of it first
        self._report(confirmed)
        return unconfirmed

    def _report(self, confirmed: list[PositionDiff]) -> None:
        metrics = self.metrics
        metrics.reconciliations.inc()
        for diff in confirmed:
            metrics.reconciliation_mismatches.labels(kind=diff.kind.value).inc()
        if confirmed != self.last_reported:  # a standing difference is said once, not per run
            for diff in confirmed:
                _log.warning(
                    "position difference %s %s %s: local %d (cost %d), broker %d (cost %d)",
                    diff.symbol, diff.product.value, diff.kind.value, diff.local_quantity,
                    diff.local_open_cost, diff.broker_quantity, diff.broker_open_cost,
                )  # fmt: skip
        clean = not confirmed
        if confirmed and self.policy is ReconcilePolicy.ADOPT:
            # Quantities are adopted; an average price alone is reported, never adopted: no
            # fill can correct it, and it changes no exposure.
            quantities = [d for d in confirmed if d.kind is not DiffKind.AVG_PRICE_MISMATCH]
            clean = all([self._adopt(diff) for diff in quantities])
        report = ReconciliationReport(
            run=self.runs,
            clean=clean,
            diffs=tuple(confirmed),
            policy=self.policy,
            at_ns=self.link.clock.now_ns(),
        )
        first, self.reported_once = not self.reported_once, True
        if first or confirmed != self.last_reported:
            detail = "clean" if not confirmed else f"{len(confirmed)} differences"
            _log.info("reconciliation #%d: %s", self.runs, detail)
        self.last_reported = confirmed
        for name in self.report_to:
            self.address(name).tell(report)

    def _adopt(self, diff: PositionDiff) -> bool:
        """Make the journal agree with the broker's quantity; False if a fill cannot do it."""
        day, symbol = self.day, diff.symbol
        earlier = sum(
            1
            for a in self.journal.read(lambda j: j.adjustments(symbol, day))
            if a.product is diff.product
        )
        start, end = self.hours.day_bounds(day)
        at_ns = min(max(self.link.clock.now_ns(), start), end - 1)
        made = adjustment(diff, day, earlier, at_ns)
        if made is None:
            return False
        fill, record = made

        def between() -> None:
            self.link.faults_at("sync.adjustment_half_written")

        written = self.journal.run(lambda db: writes.adjustment(db, fill, record, between))
        if written:
            for name in (*self.adjust_to, strategy_actor_name(diff.symbol)):
                self.address(name).tell(fill)
            _log.warning(
                "adopted the broker's position in %s %s: %+d at %d paise (cost %+d exactly)",
                diff.symbol,
                diff.product.value,
                record.quantity_delta,
                fill.price,
                record.cost_delta,
            )
        return True

    def _show_broker(self, positions: list[BrokerPosition], view: AccountView) -> None:
        net: dict[str, int] = {}
        for position in positions:
            net[position.symbol] = net.get(position.symbol, 0) + position.quantity
        for symbol, quantity in net.items():
            if symbol in self.scope:
                self.metrics.broker_position.labels(symbol=symbol).set(quantity)
        if view.foreign != self.foreign:
            self.foreign = view.foreign
            if view.foreign:
                _log.warning(
                    "foreign holdings in the account (reported, not shikra's): %s",
                    "; ".join(f"{f.symbol} {f.product.value} {f.quantity:+d} ({f.why})"
                              for f in view.foreign),
                )  # fmt: skip
            if view.foreign and self.halt_on_foreign:
                reason = f"{len(view.foreign)} foreign holdings in the account"
                self.address(RISK_GATE).tell(Halt(reason=reason, source=StateSource.RECONCILIATION))
        self.metrics.foreign_positions.set(len(view.foreign))

    def _show_foreign_orders(self, count: int) -> None:
        if count != self.foreign_orders:
            _log.warning(
                "%d orders of today in the account were not placed by shikra (reported, left "
                "alone)", count,
            )  # fmt: skip
            self.foreign_orders = count
        self.metrics.foreign_orders.set(count)

    def _intraday_left_open(self, day: datetime.date) -> None:
        """An intraday (MIS) position still open when its day ends should have been closed
        before the close: the broker squares it off itself (Zerodha charges ₹50 + GST an
        order for that), and shikra's books take it as flat from the next day. Said loudly."""
        carried, fills = self.journal.read(
            lambda j: (j.fills_before(day, CARRIED_PRODUCTS), j.fills_of_day(day))
        )
        held = local_positions(carried, fills)
        for (symbol, product), (quantity, _cost) in held.items():
            if not carries(product):
                self.metrics.intraday_left_open.inc()
                _log.error(
                    "%s %s position of %+d was still open when %s ended: the broker squares it "
                    "off (and charges for it); it is flat in shikra's books from %s",
                    symbol, product.value, quantity, day, self.day,
                )  # fmt: skip

    def _check_multipliers(self, positions: list[BrokerPosition]) -> None:
        """Say loudly, once, when the broker values a configured symbol with another contract
        multiplier than the config declares: every money figure for it is off by that factor."""
        if self.declared_multipliers is None:
            return
        found = multiplier_mismatches(self.declared_multipliers, positions)
        if found != self.multiplier_problems:
            for mismatch in found:
                _log.error("contract multiplier mismatch: %s", mismatch.describe())
        self.multiplier_problems = found
        self.metrics.multiplier_mismatches.set(len(found))

    def _export(self, day: datetime.date) -> None:
        """The finished day's orders, fills and round trips as CSV, next to the journal."""
        out = self.journal.path.parent / "exports" / day.isoformat()
        try:
            self.journal.flush()  # the day's last writes, for the connection below to see
            # A reading connection of its own, on this thread: a day's export is no reason
            # to hold up the writer that every order waits on.
            with Journal.open(self.journal.path, self.link.clock, zone=str(self.hours.zone)) as j:
                export_day(j, day, out, tz=str(self.hours.zone), multipliers=self.multipliers)
            _log.info("exported trading day %s to %s", day, out)
        except OSError as exc:  # a full disk must not stop trading; the next stop retries
            _log.error("export of %s failed: %s", day, exc)
