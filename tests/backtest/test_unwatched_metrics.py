"""A backtest's metrics are ``unwatched()``: every metric the catalogue defines is replaced,
and each takes every update its real kind takes (an actor updating a gauge or observing a
histogram in a backtest must not crash it) while nothing reaches the registry."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, Info
from prometheus_client.metrics import MetricWrapperBase

from metrics import Metrics
from metrics.unwatched import UNWATCHED, unwatched

UPDATES = {
    Counter: lambda m: m.inc(2),
    Gauge: lambda m: (m.set(3), m.inc(), m.dec(1)),
    Histogram: lambda m: m.observe(0.5),
    Info: lambda m: m.info({"version": "x"}),
}


def test_every_metric_is_replaced_and_takes_its_kinds_updates() -> None:
    watched = Metrics()
    quiet = unwatched()
    kinds = {name: type(v) for name, v in vars(watched).items() if isinstance(v, MetricWrapperBase)}
    assert len(kinds) > 30  # the catalogue, not an empty object
    for name, kind in kinds.items():
        metric = getattr(quiet, name)
        assert metric is UNWATCHED, name
        labelled = watched.__dict__[name]
        names = labelled._labelnames  # the real metric's labels: the same call an actor makes
        target = metric.labels(*["v"] * len(names)) if names else metric
        UPDATES[kind](target)
    assert _values(quiet) == _values(Metrics())  # the registry as a fresh one: nothing kept


def _values(metrics: Metrics) -> list[tuple[str, dict[str, str], float]]:
    return [
        (s.name, s.labels, s.value)
        for family in metrics.registry.collect()
        for s in family.samples
        if not s.name.endswith("_created")
    ]
