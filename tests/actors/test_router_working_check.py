"""An order whose fill notice never came (Kite's order update lost while the WebSocket was
down) is found filled by the router's periodic check of working orders, on the real
OrderRouter in virtual time; its fill is journaled once and goes on to PnL and the strategy."""

from __future__ import annotations

import threading
from pathlib import Path

from actors.order_router import OrderRouter
from brokers.base import BrokerOrder, BrokerTrade
from core.clock import VirtualClock
from journal import Journal
from journal.writer import JournalWriter
from messages import ApprovedOrder, OrderIntent, OrderStatus, OrderType, Product, Side
from metrics import Metrics
from supervisors import ChildSpec, SupervisionTree, SupervisorSpec
from tests.actors.tree_harness import NSE, eventually


class SilentBroker:
    """Accepts placements and fills them at once, but tells no listener: the update is lost."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.placed: list[OrderIntent] = []

    def place(self, intent: OrderIntent) -> str:
        with self.lock:
            self.placed.append(intent)
            return f"B{len(self.placed)}"

    def subscribe(self, listener) -> None:
        pass

    def order_by_tag(self, tag: str) -> None:
        return None

    def orders(self) -> list[BrokerOrder]:
        with self.lock:
            return [
                BrokerOrder(
                    broker_order_id=f"B{n}",
                    tag=i.client_id,
                    symbol=i.symbol,
                    side=i.side,
                    order_type=OrderType.MARKET,
                    product=Product.MIS,
                    quantity=i.quantity,
                    filled_quantity=i.quantity,
                    average_price_paise=100_000,
                    status=OrderStatus.FILLED,
                )
                for n, i in enumerate(self.placed, 1)
            ]

    def orders_tagged(self, tags) -> list[BrokerOrder]:
        return [order for order in self.orders() if order.tag in tags]

    def trades(self) -> list[BrokerTrade]:
        with self.lock:
            return [
                BrokerTrade(
                    trade_id=f"T{n}",
                    broker_order_id=f"B{n}",
                    tag=i.client_id,
                    symbol=i.symbol,
                    side=i.side,
                    quantity=i.quantity,
                    price=100_000,
                    product=Product.MIS,
                    at_ns=0,
                )
                for n, i in enumerate(self.placed, 1)
            ]


def test_a_fill_whose_update_was_lost_is_found_by_the_working_order_check(tmp_path: Path):
    clock = VirtualClock()
    broker = SilentBroker()
    journal_path = tmp_path / "journal.sqlite"
    Journal.open(journal_path, clock).close()
    spec = ChildSpec(
        name="OrderRouter",
        factory=lambda link: OrderRouter.start(
            link,
            broker=broker,
            journal=JournalWriter(journal_path),
            hours=NSE,
            start_day=NSE.trading_day(clock.now_ns()),
            limits=[(10, 1.0)],
            check_interval=5.0,
            fills_to=(),
        ),
    )
    tree = SupervisionTree(
        SupervisorSpec(name="root", children=(spec,)), clock=clock, metrics=Metrics()
    )
    tree.start()
    try:
        intent = OrderIntent(client_id="S0000001", symbol="NSE:INFY", side=Side.BUY, quantity=3)
        tree.address("OrderRouter").tell(
            ApprovedOrder(intent=intent, approved_ns=0, reduces_exposure=False)
        )
        eventually(lambda: len(broker.placed) == 1)
        with Journal.open(journal_path, clock) as journal:
            assert journal.fills() == []  # nothing heard: the order is still working here
        clock.advance(5.0)  # the check is due
        eventually(lambda: _filled(journal_path, clock))
    finally:
        tree.stop()
    with Journal.open(journal_path, clock) as journal:
        fills = journal.fills()
        order = journal.order("S0000001")
    assert [(f.trade_id, f.quantity) for f in fills] == [("T1", 3)]
    assert order is not None and order.status is OrderStatus.FILLED
    assert len(broker.placed) == 1  # looked at, never sent again


def _filled(journal_path: Path, clock: VirtualClock) -> bool:
    with Journal.open(journal_path, clock) as journal:
        order = journal.order("S0000001")
        return order is not None and order.status is OrderStatus.FILLED
