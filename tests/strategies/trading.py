"""Shared drivers for the SymbolTrader tests: a scripted signal strategy standing in for the
real ones (so each test says exactly which signal arrives on which tick), and builders for the
messages the actor would hand the trader."""

from __future__ import annotations

from config.symbols import EntryConfig, ExitsConfig, VenueStopConfig
from messages.market import Tick
from messages.orders import Fill, OrderEvent, OrderIntent, OrderStatus, Product
from strategies.base import Signal
from strategies.signals import SignalTrading
from strategies.trader import SymbolTrader

INFY = "NSE:INFY"
T0 = 1_700_000_000_000_000_000
SECOND = 1_000_000_000


class ScriptedStrategy:
    """Says ``upcoming`` on the next price (once), and remembers every price it was fed."""

    name = "scripted"

    def __init__(self, warmup_ticks: int = 1) -> None:
        self.warmup_ticks = warmup_ticks
        self.upcoming: Signal | None = None
        self.prices: list[int] = []

    def on_price(self, price_paise: int) -> Signal | None:
        self.prices.append(price_paise)
        signal, self.upcoming = self.upcoming, None
        return signal


def make_trader(
    exits: ExitsConfig | None = None,
    quantity: int = 10,
    lot_size: int = 1,
    next_seq: int = 1,
    prefix: str = "T1INFY",
    entry: EntryConfig | None = None,
    venue_stop: VenueStopConfig | None = None,
) -> tuple[SymbolTrader, ScriptedStrategy]:
    """A trader driven by a scripted signal strategy, through the same adapter the built-in
    strategies use (``SignalTrading``), its entries per ``entry``."""
    strategy = ScriptedStrategy()
    trader = SymbolTrader(
        symbol=INFY,
        quantity=quantity,
        lot_size=lot_size,
        product=Product.MIS,
        strategy=SignalTrading(strategy, entry),  # type: ignore[arg-type]
        entry_timeout_ns=int((entry or EntryConfig()).timeout_seconds * SECOND),
        exits=exits or ExitsConfig(),
        client_id_prefix=prefix,
        next_seq=next_seq,
        tick_size_paise=5,
        venue_stop=venue_stop,
    )
    return trader, strategy


def tick(price: int, at_s: float = 0, symbol: str = INFY) -> Tick:
    exchange_ns = T0 + int(at_s * SECOND)
    return Tick(symbol=symbol, ltp=price, exchange_ns=exchange_ns, receive_ns=exchange_ns + 1)


def on_tick(trader, strategy, price, signal=None, at_s=0.0) -> OrderIntent | None:
    strategy.upcoming = signal
    return trader.on_tick(tick(price, at_s))


def fill_of(intent: OrderIntent, price: int, trade_id: str, quantity=None, at_s=0.0) -> Fill:
    return Fill(
        trade_id=trade_id,
        client_id=intent.client_id,
        symbol=intent.symbol,
        side=intent.side,
        quantity=intent.quantity if quantity is None else quantity,
        price=price,
        at_ns=T0 + int(at_s * SECOND),
    )


def event_of(intent: OrderIntent, status: OrderStatus, filled_quantity: int = 0) -> OrderEvent:
    return OrderEvent(
        client_id=intent.client_id,
        symbol=intent.symbol,
        side=intent.side,
        status=status,
        quantity=intent.quantity,
        filled_quantity=filled_quantity,
    )


def execute(trader, intent, price, trade_id, at_s=0.0) -> Fill:
    """The broker fills the whole order: the fill, then the FILLED event."""
    fill = fill_of(intent, price, trade_id, at_s=at_s)
    trader.on_fill(fill)
    trader.on_order_event(event_of(intent, OrderStatus.FILLED, intent.quantity))
    return fill


def go_long(trader, strategy, price=100_000, at_s=0.0) -> Fill:
    intent = on_tick(trader, strategy, price, Signal.LONG, at_s)
    assert intent is not None
    return execute(trader, intent, price, f"entry-{intent.client_id}", at_s)
