"""The durable record: every intent, order, order event, fill, trading-state change and
position adjustment, in one SQLite file (WAL) in the state directory. Actors write it before
they act and read it back when they restart (design rules 5-7)."""

from journal.export import ExportedFiles, export_day, rupees
from journal.records import AdjustmentRecord, IntentRecord, OrderRecord
from journal.store import Journal
from journal.trades import RoundTrip, round_trips

__all__ = [
    "AdjustmentRecord",
    "ExportedFiles",
    "IntentRecord",
    "Journal",
    "OrderRecord",
    "RoundTrip",
    "export_day",
    "round_trips",
    "rupees",
]
