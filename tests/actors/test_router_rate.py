"""200 placements asked for in one second leave at no more than the configured 10/s and
400/min, exits first — on the real OrderRouter, in virtual time."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

from actors.order_router import OrderRouter
from core.clock import VirtualClock
from journal import Journal
from journal.writer import JournalWriter
from messages import ApprovedOrder, OrderEvent, OrderIntent, OrderStatus, Side
from metrics import Metrics
from supervisors import ChildSpec, SupervisionTree, SupervisorSpec
from tests.actors.tree_harness import NSE, eventually


class RecordingBroker:
    """Accepts every placement and records when it came (virtual seconds) and what it was."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.sent: list[tuple[float, str]] = []
        self.lock = threading.Lock()

    def place(self, intent: OrderIntent) -> str:
        with self.lock:
            self.sent.append((self.clock.monotonic(), intent.client_id))
            return f"B{len(self.sent)}"

    def subscribe(self, listener) -> None:
        pass

    def trades(self) -> list:
        return []

    def orders(self) -> list:
        return []

    def orders_tagged(self, tags) -> list:
        return []

    def order_by_tag(self, tag: str) -> None:
        return None


def test_two_hundred_placements_respect_the_limits_and_exits_go_first(tmp_path: Path):
    clock = VirtualClock()
    broker = RecordingBroker(clock)
    journal = tmp_path / "journal.sqlite"
    Journal.open(journal, clock).close()
    spec = ChildSpec(
        name="OrderRouter",
        factory=lambda link: OrderRouter.start(
            link,
            broker=broker,
            journal=JournalWriter(journal),
            hours=NSE,
            start_day=NSE.trading_day(clock.now_ns()),
            limits=[(10, 1.0), (400, 60.0), (5000, 86_400.0)],
        ),
    )
    tree = SupervisionTree(
        SupervisorSpec(name="root", children=(spec,)), clock=clock, metrics=Metrics()
    )
    tree.start()
    try:
        router = tree.address("OrderRouter")
        for n in range(200):
            exit_order = n % 4 == 3  # every fourth is an exit, asked for after entries
            intent = OrderIntent(
                client_id=f"{'X' if exit_order else 'E'}{n:06d}",
                symbol="NSE:INFY",
                side=Side.SELL if exit_order else Side.BUY,
                quantity=1,
            )
            router.tell(ApprovedOrder(intent=intent, approved_ns=0, reduces_exposure=exit_order))
        eventually(lambda: len(broker.sent) == 10)  # the first second's budget, at once
        # Every approval is in before time moves: one still on its way when the budget frees
        # would meet a queue without the exits behind it (the test's race, not the router's).
        queued = tree.metrics.registry.get_sample_value
        eventually(lambda: queued("shikra_orders_queued") == 190)
        for _ in range(40):  # 20 virtual seconds, in half-second steps
            clock.advance(0.5)
            eventually(lambda: len(broker.sent) >= min(200, 10 * int(clock.monotonic() + 1)))
        eventually(lambda: len(broker.sent) == 200)
    finally:
        tree.stop()
    times = [t for t, _ in broker.sent]
    for start in times:  # every 1-second window from any send holds at most 10
        assert sum(start <= t < start + 1.0 for t in times) <= 10
        assert sum(start <= t < start + 60.0 for t in times) <= 400
    ids = [client_id for _, client_id in broker.sent]
    # The first ten went before anything queued; of what waited, every exit left before
    # any entry that was still waiting.
    queued = ids[10:]
    exits = [i for i, c in enumerate(queued) if c.startswith("X")]
    entries = [i for i, c in enumerate(queued) if c.startswith("E")]
    assert exits and entries and max(exits) < min(entries)
    assert len(set(ids)) == 200  # none twice


def test_a_restart_mid_day_counts_the_orders_already_sent_toward_the_days_cap(tmp_path: Path):
    clock = VirtualClock()
    day = NSE.trading_day(clock.now_ns())
    broker = RecordingBroker(clock)
    journal_path = tmp_path / "journal.sqlite"
    with Journal.open(journal_path, clock) as journal:  # an earlier process sent 3 today...
        for n in range(3):
            intent = OrderIntent(client_id=f"OLD{n}", symbol="NSE:INFY", side=Side.BUY, quantity=1)
            journal.record_order(intent, day)
            journal.record_order_event(
                OrderEvent(client_id=intent.client_id, symbol="NSE:INFY", side=Side.BUY,
                           status=OrderStatus.REJECTED, quantity=1, reason="refused"),
                sent=True,
            )  # fmt: skip
        # ... and 2 on the day before, which count for nothing today.
        for n in range(2):
            intent = OrderIntent(client_id=f"Y{n}", symbol="NSE:INFY", side=Side.BUY, quantity=1)
            journal.record_order(intent, day - datetime.timedelta(days=1))
            journal.record_order_event(
                OrderEvent(client_id=intent.client_id, symbol="NSE:INFY", side=Side.BUY,
                           status=OrderStatus.REJECTED, quantity=1, reason="refused"),
                sent=True,
            )  # fmt: skip
    spec = ChildSpec(
        name="OrderRouter",
        factory=lambda link: OrderRouter.start(
            link, broker=broker, journal=JournalWriter(journal_path), hours=NSE, start_day=day,
            limits=[(10, 1.0), (5, 86_400.0)],
        ),
    )  # fmt: skip
    tree = SupervisionTree(
        SupervisorSpec(name="root", children=(spec,)), clock=clock, metrics=Metrics()
    )
    tree.start()
    try:
        for n in range(4):
            intent = OrderIntent(client_id=f"NEW{n}", symbol="NSE:INFY", side=Side.BUY, quantity=1)
            tree.address("OrderRouter").tell(ApprovedOrder(intent=intent, approved_ns=0))

        def rejected() -> list[str]:
            with Journal.open(journal_path, clock) as journal:
                return [o.client_id for o in journal.orders(day)
                        if o.reason == "daily order cap reached"]  # fmt: skip

        eventually(lambda: len(rejected()) == 2)
    finally:
        tree.stop()
    assert [client_id for _, client_id in broker.sent] == ["NEW0", "NEW1"]  # 3 + 2 = the cap 5
    assert rejected() == ["NEW2", "NEW3"]
