"""shikra's vocabulary: every message any actor sends, and the codecs for journal and wire.

Read this package to learn what the system does. The flow, in messages:

    Tick -> OrderIntent / CancelIntent / ModifyIntent -> ApprovedOrder | OrderRejected
         -> OrderEvent, Fill, OrderModified
         -> PositionUpdate, PnLUpdate -> (RiskGate's limits) -> TradingStateChanged
    Halt / Reduce / Resume / Flatten (operator or limit), Ping / Pong / HealthReport (liveness),
    ReconciliationReport (books vs broker), ChildDown / ChildRestarted / Escalated (supervision),
    DayStarted (a new trading day: daily figures start again), SessionPhase (the entry cut-off,
    the intraday square-off: what the session allows now).
"""

from __future__ import annotations

from typing import Any

import msgspec

from messages.base import Delivery, Message, Nanos, Paise
from messages.calendar import DayStarted, Phase, SessionPhase
from messages.control import (
    Flatten,
    Halt,
    Reduce,
    Resume,
    StateSource,
    TradingState,
    TradingStateChanged,
)
from messages.health import HealthReport, Ping, Pong
from messages.lifecycle import ChildDown, ChildRestarted, Escalated, Wakeup
from messages.market import FeedStatus, Mark, Marks, Tick, WarmUp
from messages.operator import (
    ActorStatus,
    OperatorReply,
    OperatorRequest,
    PnLQuery,
    StatusReport,
)
from messages.orders import (
    ApprovedOrder,
    CancelIntent,
    Fill,
    ModifyIntent,
    OrderEvent,
    OrderIntent,
    OrderModified,
    OrderRejected,
    OrderStatus,
    OrderType,
    Product,
    RejectReason,
    Side,
)
from messages.portfolio import (
    DiffKind,
    PnLUpdate,
    PositionDiff,
    PositionUpdate,
    ReconcilePolicy,
    ReconciliationReport,
    SymbolPnL,
)

AnyMessage = (
    Tick
    | Mark
    | Marks
    | FeedStatus
    | OrderIntent
    | CancelIntent
    | ModifyIntent
    | OrderModified
    | ApprovedOrder
    | OrderRejected
    | OrderEvent
    | Fill
    | PositionUpdate
    | SymbolPnL
    | PnLUpdate
    | PositionDiff
    | ReconciliationReport
    | TradingStateChanged
    | Halt
    | Reduce
    | Resume
    | Flatten
    | Ping
    | Pong
    | HealthReport
    | ChildDown
    | ChildRestarted
    | Escalated
    | Wakeup
    | WarmUp
    | OperatorRequest
    | OperatorReply
    | StatusReport
    | ActorStatus
    | PnLQuery
    | DayStarted
    | SessionPhase
)
"""Every sendable message: the tagged union the journal and the control socket decode into."""

ALL_MESSAGE_TYPES: tuple[type[Message], ...] = AnyMessage.__args__

_msgpack_encoder = msgspec.msgpack.Encoder()
_msgpack_decoder = msgspec.msgpack.Decoder(AnyMessage)
_json_encoder = msgspec.json.Encoder()
_json_decoder = msgspec.json.Decoder(AnyMessage)


def to_msgpack(message: Message) -> bytes:
    return _msgpack_encoder.encode(message)


def from_msgpack(data: bytes) -> Any:
    """Decode any message. Raises ``msgspec.DecodeError`` (or its subclass ``ValidationError``)
    on anything else: never another exception type."""
    try:
        return _msgpack_decoder.decode(data)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise _not_a_message(exc) from exc


def to_json(message: Message) -> bytes:
    return _json_encoder.encode(message)


def from_json(data: bytes) -> Any:
    """As ``from_msgpack``, for JSON."""
    try:
        return _json_decoder.decode(data)
    except (UnicodeDecodeError, RecursionError) as exc:
        raise _not_a_message(exc) from exc


def _not_a_message(exc: Exception) -> msgspec.DecodeError:
    # msgspec lets these two escape: invalid UTF-8 inside a string it materialises
    # (msgspec#714), and unknown fields nested past the recursion limit (it skips them
    # recursively). Both mean "not a message", which callers already handle as DecodeError.
    return msgspec.DecodeError(f"not a message: {type(exc).__name__}: {exc}")


__all__ = [
    "ALL_MESSAGE_TYPES",
    "ActorStatus",
    "AnyMessage",
    "ApprovedOrder",
    "CancelIntent",
    "ChildDown",
    "ChildRestarted",
    "DayStarted",
    "Delivery",
    "DiffKind",
    "Escalated",
    "FeedStatus",
    "Fill",
    "Flatten",
    "Halt",
    "HealthReport",
    "Mark",
    "Marks",
    "Message",
    "ModifyIntent",
    "Nanos",
    "OperatorReply",
    "OperatorRequest",
    "OrderEvent",
    "OrderIntent",
    "OrderModified",
    "OrderRejected",
    "OrderStatus",
    "OrderType",
    "Paise",
    "Phase",
    "Ping",
    "PnLQuery",
    "PnLUpdate",
    "Pong",
    "PositionDiff",
    "PositionUpdate",
    "Product",
    "ReconcilePolicy",
    "ReconciliationReport",
    "Reduce",
    "RejectReason",
    "Resume",
    "SessionPhase",
    "Side",
    "StateSource",
    "StatusReport",
    "SymbolPnL",
    "Tick",
    "TradingState",
    "TradingStateChanged",
    "Wakeup",
    "WarmUp",
    "from_json",
    "from_msgpack",
    "to_json",
    "to_msgpack",
]
