"""The durable record: every intent, order, order event, fill, trading-state change and
position adjustment, in one SQLite file (WAL) in the state directory. Actors write it before
they act — through one writer thread that commits in groups (``journal.writer``) — and read it
back when they restart (design rules 5-7)."""

from core.records import AdjustmentRecord, IntentRecord, OrderRecord, StateRecord
from journal.export import ExportedFiles, export_day, export_days, rupees
from journal.store import Journal
from journal.trades import RoundTrip, round_trips

__all__ = [
    "AdjustmentRecord",
    "ExportedFiles",
    "IntentRecord",
    "Journal",
    "OrderRecord",
    "RoundTrip",
    "StateRecord",
    "export_day",
    "export_days",
    "round_trips",
    "rupees",
]
