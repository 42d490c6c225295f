"""What every signal strategy is to the rest of shikra: a price goes in, maybe a signal comes out.

A signal strategy only says which way it wants to be (``LONG``, ``SHORT``, or out: ``EXIT``); it
knows nothing of positions, orders or quantities. Turning a signal into an order, given the
position and the order in flight, is ``SymbolTrader``'s job, the same for every strategy, so a
new strategy is only its indicator logic.
"""

from __future__ import annotations

import enum
from typing import Protocol


class Signal(enum.Enum):
    LONG = "long"
    SHORT = "short"
    EXIT = "exit"

    def __str__(self) -> str:
        return self.value


class SignalStrategy(Protocol):
    """A stateful, pure signal generator for one symbol.

    ``name`` is the registry name (``ema_cross``...), used in order reasons. ``warmup_ticks`` is
    how many prices the strategy must see before it can signal at all: the ``warmup_ticks``-th
    price is the first that may produce one. ``on_price`` must be fed every price, in order,
    even when its signal will be ignored, so the indicators stay current.
    """

    name: str
    warmup_ticks: int

    def on_price(self, price_paise: int) -> Signal | None: ...
