"""The real OrderRouter on a durable paper venue, across a restart of both: an order open at
the venue when the router stopped is found by its tag by the next router, fills there, and the
next order gets a new id (the issue's crash: the old venue, rebuilt from the journal's fills,
handed the open order's id out again and the router met "illegal transition NEW -> FILLED").
When the restart is on a later trading day, the order's expiry reaches the router. And the
daemon's own tree, run twice on one state dir, keeps the venue in its file."""

from __future__ import annotations

import datetime
import zoneinfo
from pathlib import Path

from actors.order_router import OrderRouter
from brokers.paper import PaperBroker
from brokers.paper_day import EXPIRED
from brokers.updates import broker_listener
from config.actors import ORDER_ROUTER
from core.clock import VirtualClock
from core.market_hours import MarketHours
from core.recovery import EXPIRED_REASON
from daemon.clock import WallClock
from journal import Journal
from journal.writer import JournalWriter
from messages import ApprovedOrder, OrderIntent, OrderStatus, OrderType, Side, Tick
from metrics import Metrics
from supervisors import ChildSpec, SupervisionTree, SupervisorSpec
from tests.actors.tree_harness import eventually, running_daemon

SYMBOL = "NSE:INFY"
HOURS = MarketHours(zoneinfo.ZoneInfo("Asia/Kolkata"), datetime.time(9, 15), datetime.time(15, 30))
MONDAY = datetime.date(2026, 11, 23)


def start_router(
    venue: PaperBroker,
    journal_path: Path,
    clock: VirtualClock,
    *,
    before_start=None,
    day: datetime.date | None = None,
) -> SupervisionTree:
    spec = ChildSpec(
        name=ORDER_ROUTER,
        factory=lambda link: OrderRouter.start(
            link,
            broker=venue,
            journal=JournalWriter(journal_path),
            hours=HOURS,
            start_day=day or HOURS.trading_day(clock.now_ns()),
            limits=[(100, 1.0)],
            lookup_interval=0.5,
            fills_to=(),
        ),
    )
    tree = SupervisionTree(
        SupervisorSpec(name="root", children=(spec,)), clock=clock, metrics=Metrics()
    )
    venue.subscribe(broker_listener(tree.address(ORDER_ROUTER).tell))
    if before_start is not None:
        before_start()  # as the daemon begins the venue's day: after subscribing, before start
    tree.start()
    return tree


def approve(tree: SupervisionTree, intent: OrderIntent) -> None:
    tree.address(ORDER_ROUTER).tell(ApprovedOrder(intent=intent, approved_ns=0))


def journaled(journal_path: Path, clock: VirtualClock, client_id: str):
    with Journal.open(journal_path, clock) as journal:
        return journal.order(client_id), journal.fills()


def status_is(journal_path: Path, clock: VirtualClock, client_id: str, status: OrderStatus):
    order, _ = journaled(journal_path, clock, client_id)
    return order is not None and order.status is status


def resting_order_at_a_stop(tmp_path: Path, clock: VirtualClock, **venue_kw) -> tuple[Path, Path]:
    """A first router places a buy limit below the market, sees it OPEN, and stops."""
    journal_path, venue_file = tmp_path / "journal.sqlite", tmp_path / "venue.sqlite"
    Journal.open(journal_path, clock).close()
    venue = PaperBroker(clock, {SYMBOL: 5}, store=venue_file, **venue_kw)
    tree = start_router(venue, journal_path, clock)
    try:
        venue.observe(tick(100_050))
        limit = OrderIntent(
            client_id="S0000001",
            symbol=SYMBOL,
            side=Side.BUY,
            quantity=3,
            order_type=OrderType.LIMIT,
            limit_price=100_000,
        )
        approve(tree, limit)
        eventually(lambda: status_is(journal_path, clock, "S0000001", OrderStatus.OPEN))
    finally:
        assert tree.stop()
    return journal_path, venue_file  # the venue object is abandoned, never closed


def tick(ltp: int, exchange_ns: int = 0) -> Tick:
    return Tick(symbol=SYMBOL, ltp=ltp, exchange_ns=exchange_ns, receive_ns=0)


def test_an_order_open_at_the_venue_is_found_by_tag_after_a_restart_and_ids_stay_unique(
    tmp_path: Path,
):
    clock = VirtualClock()
    journal_path, venue_file = resting_order_at_a_stop(tmp_path, clock)
    venue = PaperBroker(clock, {SYMBOL: 5}, store=venue_file)
    tree = start_router(venue, journal_path, clock)
    try:
        clock.advance(0.5)  # let any lookup retry run: the order is found, nothing changes
        assert status_is(journal_path, clock, "S0000001", OrderStatus.OPEN)
        venue.observe(tick(99_990))  # crosses the limit: fills at the market's 99_990
        eventually(lambda: status_is(journal_path, clock, "S0000001", OrderStatus.FILLED))
        approve(tree, OrderIntent(client_id="S0000002", symbol=SYMBOL, side=Side.SELL, quantity=3))
        eventually(lambda: status_is(journal_path, clock, "S0000002", OrderStatus.FILLED))
    finally:
        assert tree.stop()
    first, fills = journaled(journal_path, clock, "S0000001")
    second, _ = journaled(journal_path, clock, "S0000002")
    assert first is not None and second is not None
    assert first.broker_order_id == "PO1" and second.broker_order_id == "PO2"
    assert [(f.trade_id, f.client_id, f.quantity, f.price) for f in fills] == [
        ("P1", "S0000001", 3, 99_990),
        ("P2", "S0000002", 3, 99_990),
    ]


def test_an_order_open_at_a_stop_reaches_the_router_as_expired_when_a_later_day_begins(
    tmp_path: Path,
):
    clock = VirtualClock()
    journal_path, venue_file = resting_order_at_a_stop(tmp_path, clock, hours=HOURS)
    venue = PaperBroker(clock, {SYMBOL: 5}, store=venue_file, hours=HOURS)
    assert venue.trading_day is not None and venue.trading_day < MONDAY
    tree = start_router(
        venue, journal_path, clock, before_start=lambda: venue.begin_day(MONDAY), day=MONDAY
    )
    try:
        eventually(lambda: status_is(journal_path, clock, "S0000001", OrderStatus.CANCELLED))
    finally:
        assert tree.stop()
    order, fills = journaled(journal_path, clock, "S0000001")
    # Expired by the venue, or by the router itself when it finds an earlier day's order open:
    # the same fact, whichever says it first.
    assert order is not None and order.reason in (EXPIRED, EXPIRED_REASON) and fills == []


def test_the_daemon_keeps_the_venue_in_its_own_file_and_a_restart_continues_it(tmp_path: Path):
    """The tree as ``main.py run`` builds it, twice on one state dir: the venue is opened from
    ``paper_venue.sqlite`` (not rebuilt from the journal) at the run's trading day, and the
    second run's orders get new ids: broker order ids and client ids stay one-to-one."""
    wall = WallClock()
    with running_daemon(tmp_path) as daemon:
        eventually(lambda: len(daemon.broker.trades()) >= 3)
        assert daemon.broker.trading_day == daemon.market.hours.trading_day(
            daemon.market.day_start_ns
        )
    first_ids = {o.broker_order_id for o in _venue_orders(tmp_path, wall)}
    with running_daemon(tmp_path) as daemon:
        eventually(
            lambda: len({o.broker_order_id for o in daemon.broker.orders()} - first_ids) >= 3
        )
    venue_orders = _venue_orders(tmp_path, wall)
    with Journal.open(tmp_path / "journal.sqlite", wall) as journal:
        journaled = {o.client_id: o.broker_order_id for o in journal.orders() if o.broker_order_id}
    by_tag = {o.tag: o.broker_order_id for o in venue_orders}
    assert len(by_tag) == len(venue_orders)  # every client id reached the venue once
    assert len(set(by_tag.values())) == len(by_tag)
    for client_id, broker_order_id in journaled.items():
        assert by_tag[client_id] == broker_order_id


def _venue_orders(state_dir: Path, clock: WallClock) -> list:
    venue = PaperBroker(clock, {}, store=state_dir / "paper_venue.sqlite")
    try:
        return venue.orders()
    finally:
        venue.close()
