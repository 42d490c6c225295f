"""``unwatched()``: the daemon's metrics for a run that nobody scrapes, each one a no-op.

A backtest serves no ``/metrics`` and no dashboard: the figures it answers for are in its
report, made from its journal. Yet every actor updates its gauges and counters as it would
live, a few per tick and a dozen per order (each a label lookup and a lock in
``prometheus_client``): the largest share of a backtest's cost that decides nothing. Here the
catalogue is built as always (so every name an actor asks for exists) and each metric is then
replaced by one object that takes every update and keeps none.
"""

from __future__ import annotations

from typing import Any

from prometheus_client.metrics import MetricWrapperBase

from metrics.catalogue import Metrics


class _Unwatched:
    """Every metric at once: any labels give itself back, any update does nothing."""

    __slots__ = ()

    def labels(self, *values: Any, **named: Any) -> _Unwatched:
        return self

    def inc(self, amount: float = 1) -> None:
        pass

    def dec(self, amount: float = 1) -> None:
        pass

    def set(self, value: float) -> None:
        pass

    def observe(self, value: float) -> None:
        pass

    def info(self, value: dict[str, str]) -> None:
        pass


UNWATCHED = _Unwatched()


def unwatched() -> Metrics:
    """A ``Metrics`` whose every metric is ``UNWATCHED`` (its registry stays empty of values)."""
    metrics = Metrics()
    for name, value in list(vars(metrics).items()):
        if isinstance(value, MetricWrapperBase):
            setattr(metrics, name, UNWATCHED)
    return metrics
