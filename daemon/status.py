"""``main.py status`` as a person reads it."""

from __future__ import annotations

from core.records import OrderRecord
from messages import OrderType, StatusReport


def rupees(paise: int) -> str:
    sign = "-" if paise < 0 else ""
    return f"{sign}₹{abs(paise) // 100:,}.{abs(paise) % 100:02d}"


def order_line(order: OrderRecord) -> str:
    """One working order as ``status`` lists it: what it is, its prices, where it stands; a
    stop order is the position's stop resting at the venue (``[symbols.venue_stop]``)."""
    kind = order.order_type.value if order.order_type is not None else "?"
    parts = [order.client_id, order.side.value, str(order.quantity), order.symbol, kind]
    if order.limit_price is not None:
        parts.append(f"limit {rupees(order.limit_price)}")
    if order.trigger_price is not None:
        parts.append(f"trigger {rupees(order.trigger_price)}")
    parts.append(order.status.value)
    if order.order_type in (OrderType.SL, OrderType.SL_M):
        parts.append("(stop resting at the venue)")
    return " ".join(parts)


def show(status: StatusReport) -> str:
    lines = [f"trading: {status.trading_state}"]
    if status.trading_day:
        lines.append(f"trading day: {status.trading_day}")
    age = status.feed_age_seconds
    lines.append(f"feed: last tick {age:.1f}s ago" if age is not None else "feed: no tick yet")
    lines.append(
        f"pnl: net {rupees(status.net)} (realized {rupees(status.realized)}, unrealized "
        f"{rupees(status.unrealized)}, charges {rupees(status.charges)})"
    )
    lines.append("positions:" if any(s.quantity for s in status.symbols) else "positions: flat")
    for figures in status.symbols:
        if figures.quantity:
            net = figures.realized + figures.unrealized - figures.charges
            lines.append(f"  {figures.symbol:<20} {figures.quantity:>8}  net {rupees(net)}")
    lines.append("open orders:" if status.open_orders else "open orders: none")
    lines.extend(f"  {line}" for line in status.open_orders)
    if status.foreign_holdings or status.foreign_orders:
        lines.append(
            f"foreign holdings: {status.foreign_holdings}, orders today: {status.foreign_orders}"
            " (not shikra's: reported, left alone; the log lists them)"
        )
    if status.multiplier_mismatches:
        lines.append(
            f"contract multiplier mismatches: {status.multiplier_mismatches} (money figures "
            "for those symbols are wrong: see the log)"
        )
    lines.append("actors:")
    for actor in status.actors:
        health = "up" if actor.up and actor.healthy else ("not answering" if actor.up else "down")
        lines.append(f"  {actor.name:<28} {health:<14} restarts {actor.restarts}")
    return "\n".join(lines)
