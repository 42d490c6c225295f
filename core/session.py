"""A segment's trading session as an Indian intraday trader lives it, in market time.

::

    pre_open ── open ──────────── entry_cutoff ── square_off ── close
       PRE_OPEN     OPEN              ENTRIES_CLOSED   SQUARE_OFF    CLOSED

* **PRE_OPEN**: the exchange collects orders for the opening auction; shikra sends none (its
  strategies have no opening price yet), and a quiet feed is not stale.
* **OPEN**: everything that passes the risk checks.
* **ENTRIES_CLOSED** from the entry cut-off: only orders that shrink exposure (the REDUCING
  state, reason ``reducing``), so nothing new is opened that must be closed in minutes.
* **SQUARE_OFF** from the intraday square-off time, which is set *before* the broker's own
  (Zerodha squares off open MIS positions itself at about 15:20 for equity, 15:25 for equity
  derivatives, for ₹50 + 18 % GST an order, and refuses fresh MIS orders after that): working
  MIS orders are cancelled and MIS positions closed through the normal risk and routing path.
* **CLOSED** before the pre-open, from the close, and all day on a day the calendar does not
  trade.

Pure: a phase is a function of a local wall time and whether the date trades; the market hours
(``core.market_hours``) turn market time into those.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from messages.calendar import Phase


@dataclass(frozen=True)
class Session:
    """One segment's times on a trading day, in the exchange's zone.

    ``pre_open <= open < entry_cutoff <= square_off <= close``; the config checks that and
    names the field. A session with ``entry_cutoff == square_off == close`` has no cut-off and
    no square-off (what market hours built with only an open and a close mean).
    """

    pre_open: datetime.time
    open: datetime.time
    entry_cutoff: datetime.time
    square_off: datetime.time
    close: datetime.time

    def __post_init__(self) -> None:
        times = (self.pre_open, self.open, self.entry_cutoff, self.square_off, self.close)
        if not (times[0] <= times[1] < times[2] <= times[3] <= times[4]):
            raise ValueError(
                "a session needs pre_open <= open < entry_cutoff <= square_off <= close, got "
                + " ".join(t.strftime("%H:%M") for t in times)
            )

    @classmethod
    def plain(cls, open: datetime.time, close: datetime.time) -> Session:
        """Open to close with no pre-open, cut-off or square-off."""
        return cls(open, open, close, close, close)

    def phase_at(self, local: datetime.time, trading_day: bool = True) -> Phase:
        """The phase at wall time ``local`` of a date that trades (``trading_day``) or not."""
        if not trading_day or local < self.pre_open or local >= self.close:
            return Phase.CLOSED
        if local < self.open:
            return Phase.PRE_OPEN
        if local < self.entry_cutoff:
            return Phase.OPEN
        if local < self.square_off:
            return Phase.ENTRIES_CLOSED
        return Phase.SQUARE_OFF

    def boundaries(self) -> tuple[datetime.time, ...]:
        """The times at which the phase changes, in order, each once."""
        times = (self.pre_open, self.open, self.entry_cutoff, self.square_off, self.close)
        return tuple(sorted(set(times)))
