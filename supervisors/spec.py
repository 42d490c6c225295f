"""Child specs and links: what a supervisor is told about a child, and what a child is told
about its place in the tree.

As in Erlang/OTP, a child spec is data: a name, how to start it, whether it comes back, how long
it may take to stop. The tree is built by composing specs (``supervisor_child`` turns a whole
``SupervisorSpec`` into a child of another), never by wiring actors together by hand.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.clock import Clock
from metrics import Metrics
from supervisors.faults import FaultInjector
from supervisors.latch import Latch
from supervisors.policy import Backoff, Restart, Strategy
from supervisors.pool import Dispatcher
from supervisors.runtime import ActorRef

if TYPE_CHECKING:
    from messages.lifecycle import ChildDown
    from supervisors.directory import Directory


@dataclass(frozen=True, kw_only=True)
class Link:
    """One incarnation's place in the tree, handed to the actor when it is made.

    ``bound``: set by the supervisor once the directory routes the name to this instance (the
    actor's start-up waits for it, so a crash in start-up can never race the binding).
    ``started``: set by the actor when its start-up finished (or failed), so the supervisor
    starts children strictly in order. ``exited``: set as the instance's very last act, so the
    supervisor never starts a successor while it still runs (no overlap).
    """

    name: str
    incarnation: int
    parent: str
    directory: Directory
    clock: Clock
    metrics: Metrics
    report: Callable[[ChildDown], None]
    faults: FaultInjector | None = None
    dispatcher: Dispatcher | None = None
    """Runs the pooled actors of the tree (``PooledSupervisedActor``)."""
    bound: Latch = field(default_factory=Latch)
    started: Latch = field(default_factory=Latch)
    exited: Latch = field(default_factory=Latch)

    def faults_at(self, point: str) -> None:
        """Mark a named point inside a handler where a drill may inject a fault (see
        ``supervisors.faults``); nothing at all unless fault injection is on."""
        if self.faults is not None:
            self.faults.at(self.name, point)


Factory = Callable[[Link], ActorRef[Any]]
"""Starts one instance: ``lambda link: RiskGate.start(link, settings)``."""


@dataclass(frozen=True, kw_only=True)
class ChildSpec:
    name: str
    factory: Factory
    restart: Restart = Restart.PERMANENT
    shutdown_timeout: float = 5.0
    start_timeout: float = 10.0
    held_max: int = 10_000
    backoff: Backoff | None = None
    """This child's own backoff; None takes its supervisor's."""
    is_supervisor: bool = False


@dataclass(frozen=True, kw_only=True)
class SupervisorSpec:
    """A supervisor's flags and children (in start order)."""

    name: str
    children: tuple[ChildSpec, ...]
    strategy: Strategy = Strategy.ONE_FOR_ONE
    max_restarts: int = 5
    within_seconds: float = 60.0
    backoff: Backoff = field(default_factory=Backoff)
    seed: int | None = None
    restart_listeners: tuple[str, ...] = ()
    """Names told ``ChildRestarted`` after each restart (e.g. the feed, to warm a restarted
    strategy up with recent prices)."""

    def __post_init__(self) -> None:
        names = [child.name for child in self.children]
        if len(set(names)) != len(names):
            raise ValueError(f"supervisor {self.name}: duplicate child names in {names}")


def supervisor_child(spec: SupervisorSpec, restart: Restart = Restart.PERMANENT) -> ChildSpec:
    """A whole subtree as one child of another supervisor. Its shutdown budget covers every
    child's, since stopping a supervisor stops its children one after another."""
    from supervisors.supervisor import Supervisor

    budget = sum(child.shutdown_timeout for child in spec.children) + 1.0
    return ChildSpec(
        name=spec.name,
        factory=lambda link: Supervisor.start(link, spec),
        restart=restart,
        shutdown_timeout=budget,
        start_timeout=sum(child.start_timeout for child in spec.children) + 1.0,
        is_supervisor=True,
    )
