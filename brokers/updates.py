"""The broker's push updates, turned into messages for the OrderRouter."""

from __future__ import annotations

from collections.abc import Callable

from brokers.base import BrokerOrder, BrokerTrade
from messages import Fill, OrderEvent
from supervisors.directory import Address


def fill_from_trade(trade: BrokerTrade) -> Fill:
    """A broker's trade as our ``Fill``: its tag is our client id."""
    return Fill(
        trade_id=trade.trade_id,
        client_id=trade.tag,
        symbol=trade.symbol,
        side=trade.side,
        quantity=trade.quantity,
        price=trade.price,
        broker_order_id=trade.broker_order_id,
        product=trade.product,
        at_ns=trade.at_ns,
    )


def broker_listener(router: Address) -> Callable[[BrokerOrder | BrokerTrade], None]:
    """What the broker's push updates become: messages to the router's *address*, so they
    reach whichever instance is current (and are held while it restarts)."""

    def on_update(update: BrokerOrder | BrokerTrade) -> None:
        if isinstance(update, BrokerTrade):
            router.tell(fill_from_trade(update))
        else:
            router.tell(
                OrderEvent(
                    client_id=update.tag,
                    symbol=update.symbol,
                    side=update.side,
                    status=update.status,
                    quantity=update.quantity,
                    filled_quantity=update.filled_quantity,
                    broker_order_id=update.broker_order_id,
                    reason=update.status_message,
                    at_ns=update.updated_ns,
                )
            )

    return on_update
