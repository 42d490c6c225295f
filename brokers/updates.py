"""The broker's push updates, turned into messages for the OrderRouter.

The adapter knows nothing of actors: it hands each message to a callable the router gives it
(``Address.tell`` in the daemon), so a broker can be tested, and reused, without the tree."""

from __future__ import annotations

from collections.abc import Callable

from brokers.base import BrokerOrder, BrokerTrade
from messages import Fill, Message, OrderEvent


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


def broker_listener(send: Callable[[Message], None]) -> Callable[[BrokerOrder | BrokerTrade], None]:
    """What the broker's push updates become: messages handed to ``send`` (the router's
    *address*'s ``tell``, so they reach whichever instance is current and are held while it
    restarts)."""

    def on_update(update: BrokerOrder | BrokerTrade) -> None:
        if isinstance(update, BrokerTrade):
            send(fill_from_trade(update))
        else:
            send(
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
