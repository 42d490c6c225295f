"""What shikra must know about an instrument to price, size and value its orders, and the check
of the declared contract multipliers against the broker's positions.

Prices are per unit of the quoted price (₹ per share, per barrel, per kg) and quantities are
what the exchange counts (shares, or contracts: Kite counts an MCX future in lots, lot size 1).
A contract may deliver more than one unit of the quoted price per counted quantity: one
``MCX:CRUDEOILM`` contract is 10 barrels quoted in ₹ per barrel, so Kite's positions carry
``multiplier`` 10 and the money at stake is ``price x quantity x multiplier``. Everything that
computes *money* (order value, exposure, PnL, charges) multiplies; everything that compares
*positions* (quantities, ``open_cost`` = price x quantity, the broker's average price x
quantity) does not, because that is what the broker reports too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class InstrumentSpec:
    """One traded instrument: ``tick_size`` in paise (every price a multiple of it),
    ``lot_size`` (every quantity a multiple of it) and ``multiplier`` (value = price x quantity
    x multiplier). Live and dry-run take tick and lot from Kite's instruments dump; the
    multiplier is declared in the config (the dump does not carry it)."""

    tick_size: int
    lot_size: int
    multiplier: int = 1

    def __post_init__(self) -> None:
        for name in ("tick_size", "lot_size", "multiplier"):
            value = getattr(self, name)
            if type(value) is not int or value <= 0:
                raise ValueError(f"{name} must be a positive int, got {value!r}")

    def value(self, price: int, quantity: int) -> int:
        """The money (paise) of ``quantity`` at ``price`` paise: price x quantity x multiplier."""
        return price * quantity * self.multiplier


class _ReportedPosition(Protocol):
    """What the check reads of a broker position (``brokers.base.BrokerPosition``)."""

    @property
    def symbol(self) -> str: ...

    @property
    def multiplier(self) -> int: ...


@dataclass(frozen=True, slots=True)
class MultiplierMismatch:
    """A configured symbol whose declared multiplier is not the one the broker applies: every
    money figure shikra computes for it is off by ``reported / declared``."""

    symbol: str
    declared: int
    reported: int

    def describe(self) -> str:
        return (
            f"{self.symbol}: the config declares multiplier {self.declared} but the broker's "
            f"position reports {self.reported}: order value, exposure, PnL and charges for it "
            f"are wrong by a factor of {self.reported}/{self.declared}; set "
            f"multiplier = {self.reported} for it in [[symbols]]"
        )


def multiplier_mismatches(
    declared: Mapping[str, int], positions: Iterable[_ReportedPosition]
) -> list[MultiplierMismatch]:
    """Every position of a symbol in ``declared`` (symbol → declared multiplier, 1 included)
    whose reported multiplier differs, once per symbol, sorted by symbol. Positions of symbols
    shikra does not trade are left out (nothing of shikra's is valued with them). Flat ones
    count: Kite lists the day's closed positions too, with their multiplier."""
    found: dict[str, MultiplierMismatch] = {}
    for position in positions:
        expected = declared.get(position.symbol)
        if expected is None or position.multiplier == expected:
            continue
        found.setdefault(
            position.symbol, MultiplierMismatch(position.symbol, expected, position.multiplier)
        )
    return [found[symbol] for symbol in sorted(found)]
