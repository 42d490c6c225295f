"""What the account's owner does by hand, outside shikra: orders placed in the Kite app (any
product, variety and status Kite has, with or without a tag, with Kite's own tags), their
trades, and positions carried from earlier days.

Kite's account is not shikra's alone, and the adapter must take whatever is in it. These
orders skip the fake's validation on purpose: they stand for what Kite *reports*, including
the states an order only passes through (``MODIFY PENDING``, ``AMO REQ RECEIVED``…) and the
ones the fake's own engine never produces (``CANCELLED AMO``, an auction order). Any text is
accepted, documented or not, so a test can also put in what Kite does not document.

An order left in a working status (``OPEN``, ``TRIGGER PENDING``) rests in the book like any
other and fills when the price reaches it; every other status stays as given.
"""

from __future__ import annotations

from decimal import Decimal

from tests.fakekite.book import Book
from tests.fakekite.orders import Order, Trade
from tests.fakekite.positions import Carried


def place(
    book: Book,
    symbol: str,
    *,
    side: str,
    quantity: int,
    product: str,
    variety: str,
    order_type: str,
    status: str,
    price: Decimal | None,
    filled_quantity: int | None,
    tag: str | None,
    kite_tags: tuple[str, ...],
    push: bool,
) -> Order:
    """An order as the Kite app would leave it, with its trades; see ``FakeKite.by_hand``.
    ``price`` is the order's limit (LIMIT/SL) and the trades' price (default: the LTP)."""
    ins = book.instruments[symbol]
    ltp = book.quotes[ins.instrument_token].last_price
    now = book.clock()
    order_id, seq = book.next_order_id()
    filled = (
        (quantity if status == "COMPLETE" else 0) if filled_quantity is None else filled_quantity
    )
    limited = order_type in ("LIMIT", "SL")
    order = Order(
        order_id=order_id,
        variety=variety,
        instrument=ins,
        transaction_type=side,
        order_type=order_type,
        product=product,
        quantity=quantity,
        price=(price if price is not None else ltp) if limited else Decimal(0),
        trigger_price=Decimal(0),
        validity="DAY",
        tag=tag,
        placed_at=now,
        guid=f"{seq:06d}byhand",
        user_id=book.user_id,
        status=status,
        exchange_order_id=str(1_100_000_000_000_000 + seq),
        exchange_at=now,
        updated_at=now,
        kite_tags=kite_tags,
    )
    if status in ("CANCELLED", "CANCELLED AMO"):
        order.cancelled_quantity = quantity - filled
    if filled:
        fill_price = price if price is not None else ltp
        book.trades.append(Trade(book.next_trade_id(), order, filled, fill_price, now))
        order.filled_quantity = filled
        order.fill_value = fill_price * filled
    book.orders[order.order_id] = order
    order.history.append(order.to_json())
    if push:
        book.outbox.append(order.to_update())
    return order


def carry(book: Book, symbol: str, *, product: str, quantity: int, average_price: Decimal) -> None:
    """A position held since an earlier day (it shows in ``net``, not in ``day``)."""
    book.carried.append(Carried(book.instruments[symbol], product, quantity, average_price))
