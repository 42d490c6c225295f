"""The metric catalogue: every metric, its help text and its labels, in one place.

One ``CollectorRegistry`` per daemon (tests build their own and stay isolated). Names follow
Prometheus conventions: a ``shikra_`` prefix, base units, ``_total`` on counters (the client adds
it), ``_seconds`` on durations. Labels are bounded: actor names and symbols come from the config,
reasons and message types from enums; never an order id.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge


class Metrics:
    """The daemon's metrics, registered on ``registry``."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.actor_up = Gauge(
            "shikra_actor_up",
            "1 while the actor's current instance is serving.",
            ["actor"],
            registry=r,
        )
        self.actor_restarts = Counter(
            "shikra_actor_restarts",
            "Restarts of the actor by its supervisor.",
            ["actor"],
            registry=r,
        )
        self.actor_crashes = Counter(
            "shikra_actor_crashes",
            "Exceptions that escaped the actor (in start-up or a handler).",
            ["actor"],
            registry=r,
        )
        self.messages_dropped = Counter(
            "shikra_messages_dropped",
            "Messages dropped because their recipient was down and their policy is DROP "
            "(market data, probes), or because the recipient was shut down for good.",
            ["actor", "message"],
            registry=r,
        )
        self.messages_held = Counter(
            "shikra_messages_held",
            "Messages held for a recipient that was down, to deliver after its restart.",
            ["actor"],
            registry=r,
        )
        self.messages_held_overflow = Counter(
            "shikra_messages_held_overflow",
            "Messages that could not be held because the recipient's hold queue was full.",
            ["actor"],
            registry=r,
        )
        self.supervisor_escalations = Counter(
            "shikra_supervisor_escalations",
            "Times a supervisor exceeded its restart intensity and gave up.",
            ["supervisor"],
            registry=r,
        )
        self.faults_injected = Counter(
            "shikra_faults_injected",
            "Faults injected on purpose by the [faults] config (drills and tests).",
            ["actor", "action"],
            registry=r,
        )
