"""The root of the message vocabulary: what every message is and how it travels.

Every message is a frozen, keyword-only, tagged ``msgspec.Struct``:

* **frozen** so that a message handed from one actor's thread to another can never be
  changed under the receiver (actors share nothing mutable);
* **keyword-only** so that adding a field never silently shifts the meaning of old call sites;
* **tagged** (the class name under the key ``"type"``) so that any message can be written to the
  journal or a socket and decoded back into the right class from the union in ``messages``.

Each class also says what happens to it when its recipient is down (being restarted): see
``Delivery``. The policy is a ``ClassVar``, so it is part of the type, not of the wire form.
"""

from __future__ import annotations

import enum
from typing import Annotated, ClassVar

import msgspec

_INT64 = msgspec.Meta(ge=-(2**63), le=2**63 - 1)

Paise = Annotated[int, _INT64]
"""Money and prices: an exact integer number of paise (1/100 rupee). Never a float.

All tradable segments shikra supports (NSE, BSE, NFO, BFO, MCX) quote in multiples of a paisa.
Bounded to 64 bits so that whatever JSON decodes can also be written as msgpack (the journal).
"""

Nanos = Annotated[int, _INT64]
"""A point in time: integer nanoseconds since the Unix epoch, UTC. Exchange times are converted
from IST at the edge (the feed decoder), so inside the system there is one time scale."""


class Delivery(enum.Enum):
    """What the directory does with a message sent to an actor that is down.

    ``DROP``: market data and health probes. The next tick supersedes this one, the next ping
    replaces this one; holding them would only replay stale prices into a restarted strategy.
    Dropped messages are counted.

    ``HOLD``: orders, fills, control, state changes. Losing one loses money or ignores an
    operator, so they are queued (bounded, counted) and delivered, in order, to the restarted
    actor before anything sent later.
    """

    DROP = "drop"
    HOLD = "hold"


class Message(msgspec.Struct, frozen=True, kw_only=True, tag=True):
    """Base of every message. Not itself sendable: only its concrete subclasses are tagged
    members of the union ``messages.AnyMessage``."""

    delivery: ClassVar[Delivery] = Delivery.HOLD
