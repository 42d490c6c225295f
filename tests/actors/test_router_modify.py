"""A modification on the real OrderRouter, in virtual time: it waits in the rate limiter like
an order (Kite counts it as one), reaches the broker with the order's broker id, is journaled
only once the broker took it (the order's prices and the history row), and the strategy hears
the answer either way — a refusal with its reason, the order keeping its prices."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from actors.order_router import OrderRouter
from brokers.errors import OrderRefused
from config.actors import strategy_actor_name
from core.clock import VirtualClock
from journal import Journal
from journal.writer import JournalWriter
from messages import (
    ApprovedOrder,
    CancelIntent,
    ModifyIntent,
    OrderIntent,
    OrderModified,
    OrderType,
    Side,
)
from metrics import Metrics
from supervisors import ChildSpec, SupervisedActor, SupervisionTree, SupervisorSpec
from supervisors.spec import Link
from tests.actors.tree_harness import NSE, eventually

INFY = "NSE:INFY"


class ModifyingBroker:
    """Accepts placements; takes modifications until ``refuse`` is set, and records them."""

    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self.lock = threading.Lock()
        self.placed: list[str] = []
        self.modified: list[tuple[float, str, int | None]] = []
        self.cancelled: list[str] = []
        self.refuse = False

    def place(self, intent: OrderIntent) -> str:
        with self.lock:
            self.placed.append(intent.client_id)
            return f"B{len(self.placed)}"

    def modify(self, broker_order_id: str, *, quantity=None, limit_price=None, trigger_price=None):
        with self.lock:
            if self.refuse:
                raise OrderRefused("Maximum allowed order modifications exceeded")
            self.modified.append((self.clock.monotonic(), broker_order_id, trigger_price))

    def cancel(self, broker_order_id: str) -> None:
        with self.lock:
            self.cancelled.append(broker_order_id)

    def subscribe(self, listener) -> None:
        pass

    def order_by_tag(self, tag: str) -> None:
        return None

    def orders(self) -> list:
        return []

    def orders_tagged(self, tags) -> list:
        return []

    def trades(self) -> list:
        return []


class Listener(SupervisedActor):
    """Stands in for the strategy: keeps what it is told."""

    def __init__(self, link: Link, *, heard: list[Any]) -> None:
        super().__init__(link)
        self.heard = heard

    def handle(self, message: Any) -> None:
        self.heard.append(message)


def answers(heard: list[Any]) -> list[OrderModified]:
    return [m for m in list(heard) if isinstance(m, OrderModified)]


def router_tree(
    tmp_path: Path,
    clock: VirtualClock,
    broker: ModifyingBroker,
    heard: list[Any],
    metrics: Metrics | None = None,
) -> SupervisionTree:
    journal_path = tmp_path / "journal.sqlite"
    Journal.open(journal_path, clock).close()
    router = ChildSpec(
        name="OrderRouter",
        factory=lambda link: OrderRouter.start(
            link,
            broker=broker,
            journal=JournalWriter(journal_path),
            hours=NSE,
            start_day=NSE.trading_day(clock.now_ns()),
            limits=[(1, 1.0)],
            fills_to=(),
        ),
    )
    listener = ChildSpec(
        name=strategy_actor_name(INFY), factory=lambda link: Listener.start(link, heard=heard)
    )
    return SupervisionTree(
        SupervisorSpec(name="root", children=(listener, router)),
        clock=clock,
        metrics=metrics or Metrics(),
    )


def test_a_cancel_asked_twice_while_the_first_waits_for_the_limiter_goes_once(tmp_path: Path):
    clock = VirtualClock()
    broker = ModifyingBroker(clock)
    heard: list[Any] = []
    metrics = Metrics()
    tree = router_tree(tmp_path, clock, broker, heard, metrics)
    tree.start()
    try:
        stop = OrderIntent(client_id="S0000003", symbol=INFY, side=Side.SELL, quantity=10,
                           order_type=OrderType.SL_M, trigger_price=99_000)  # fmt: skip
        address = tree.address("OrderRouter")
        address.tell(ApprovedOrder(intent=stop, approved_ns=0, reduces_exposure=True))
        eventually(lambda: broker.placed == ["S0000003"])
        for _ in range(2):  # the second second's budget is not there yet: both would wait
            address.tell(CancelIntent(client_id="S0000003", symbol=INFY, reason="exit"))
        # The router takes messages in order: once this is answered, both cancels were seen.
        address.tell(ModifyIntent(client_id="S9", symbol=INFY, trigger_price=1))
        eventually(lambda: len(answers(heard)) == 1)
        assert metrics.orders_queued._value.get() == 1  # one cancel waits, not two
        clock.advance(1.0)
        eventually(lambda: broker.cancelled == ["B1"])
    finally:
        tree.stop()


def test_a_modification_waits_for_the_limiter_is_journaled_once_taken_and_answered(
    tmp_path: Path,
):
    clock = VirtualClock()
    broker = ModifyingBroker(clock)
    journal_path = tmp_path / "journal.sqlite"
    heard: list[Any] = []
    tree = router_tree(tmp_path, clock, broker, heard)
    tree.start()
    try:
        stop = OrderIntent(
            client_id="S0000002",
            symbol=INFY,
            side=Side.SELL,
            quantity=10,
            order_type=OrderType.SL_M,
            trigger_price=99_000,
            reason="stop: stop_loss",
        )
        address = tree.address("OrderRouter")
        address.tell(ApprovedOrder(intent=stop, approved_ns=0, reduces_exposure=True))
        eventually(lambda: broker.placed == ["S0000002"])
        move = ModifyIntent(client_id="S0000002", symbol=INFY, trigger_price=99_100, reason="t")
        address.tell(move)
        with Journal.open(journal_path, clock) as journal:  # 1/s: the placement used it
            assert broker.modified == [] and journal.modifications("S0000002") == []
        clock.advance(1.0)
        eventually(lambda: len(answers(heard)) == 1)
        assert broker.modified == [(1.0, "B1", 99_100)]
        first = answers(heard)[0]
        assert (first.accepted, first.trigger_price) == (True, 99_100)
        with Journal.open(journal_path, clock) as journal:
            order = journal.order("S0000002")
            assert order is not None and order.trigger_price == 99_100
            assert [m[0] for m in journal.modifications("S0000002")] == [99_100]

        broker.refuse = True
        address.tell(ModifyIntent(client_id="S0000002", symbol=INFY, trigger_price=99_200))
        clock.advance(1.0)
        eventually(lambda: len(answers(heard)) == 2)
        refused = answers(heard)[1]
        assert not refused.accepted and "modifications exceeded" in refused.detail
        assert refused.trigger_price == 99_100  # what the order still has

        address.tell(ModifyIntent(client_id="S9999999", symbol=INFY, trigger_price=99_300))
        eventually(lambda: len(answers(heard)) == 3)
        assert not answers(heard)[2].accepted
    finally:
        tree.stop()
    with Journal.open(journal_path, clock) as journal:
        order = journal.order("S0000002")
        assert order is not None and order.trigger_price == 99_100
        assert len(journal.modifications("S0000002")) == 1
