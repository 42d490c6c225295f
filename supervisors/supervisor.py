"""The supervisor: starts children in order, restarts them per policy, gives up past intensity.

It is itself a ``SupervisedActor``, so supervisors nest: when one gives up it crashes, and its
own supervisor treats the whole subtree as one failed child. The decisions come from
``policy``; this file is the mechanism (threads, timers, the directory).
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from typing import Any, ClassVar

from messages.base import Message
from messages.lifecycle import ChildDown, ChildRestarted
from supervisors.actor import SupervisedActor
from supervisors.policy import RestartIntensity, children_to_restart
from supervisors.runtime import ActorRef
from supervisors.spec import ChildSpec, Link, SupervisorSpec

_log = logging.getLogger(__name__)


class RestartDue(Message, frozen=True, kw_only=True):
    """A supervisor's note to itself that a backoff has elapsed. ``token`` ties it to one
    restart decision, so a note outliving that decision (the supervisor was itself restarted)
    is ignored."""

    names: tuple[str, ...]
    token: int


class Escalation(Exception):
    """Raised by a supervisor that exceeded its restart intensity: it crashes on purpose so
    that its parent decides."""


@dataclass
class _Running:
    ref: ActorRef[Any] | None
    link: Link


class Supervisor(SupervisedActor):
    fault_injectable: ClassVar[bool] = False

    def __init__(self, link: Link, spec: SupervisorSpec) -> None:
        super().__init__(link)
        self.spec = spec
        self._order = [child.name for child in spec.children]
        self._specs = {child.name: child for child in spec.children}
        self._running: dict[str, _Running] = {}
        self._intensity = RestartIntensity(spec.max_restarts, spec.within_seconds)
        # Per child, recent crashes: the backoff attempt number, forgotten after a quiet window.
        self._recent = {name: RestartIntensity(0, spec.within_seconds) for name in self._order}
        self._pending: dict[str, int] = {}
        self._restarts: dict[str, int] = {}
        self._tokens = 0
        self._rng = random.Random(spec.seed)

    # -- lifecycle ---------------------------------------------------------------------------

    def started(self) -> None:
        for spec in self.spec.children:
            self._start_child(spec)

    def stopping(self) -> None:
        """Stop every child in reverse start order, for good."""
        self._stop_all(retire=True)

    def handle(self, message: Any) -> None:
        if isinstance(message, ChildDown):
            self._child_down(message)
        elif isinstance(message, RestartDue):
            self._restart_due(message)
        else:
            super().handle(message)

    # -- decisions ---------------------------------------------------------------------------

    def _child_down(self, down: ChildDown) -> None:
        running = self._running.get(down.child)
        if running is None or running.link.incarnation != down.incarnation:
            return  # about an instance already stopped or replaced
        spec = self._specs[down.child]
        if not running.link.exited.wait(spec.shutdown_timeout):
            self._give_up(f"{down.child} did not exit within {spec.shutdown_timeout}s")
        del self._running[down.child]
        if not spec.restart.restarts_after(crashed=down.crashed):
            _log.info(
                "%s stopped (%s) and is %s: not restarted",
                down.child,
                down.reason,
                spec.restart.value,
            )
            self.link.directory.retire(down.child)
            return
        now = self.link.clock.monotonic()
        if self._intensity.record(now):
            self._give_up(
                f"more than {self.spec.max_restarts} restarts within "
                f"{self.spec.within_seconds}s; last: {down.child}: {down.reason}"
            )
        group = children_to_restart(self.spec.strategy, self._order, down.child)
        for name in reversed(group):
            if name in self._running and not self._stop_child(name, retire=False):
                self._give_up(f"{name} did not stop for a {self.spec.strategy.value} restart")
        self._recent[down.child].record(now)
        attempt = self._recent[down.child].recent(now)
        delay = (spec.backoff or self.spec.backoff).delay(attempt, self._rng)
        self._tokens += 1
        token = self._tokens
        for name in group:
            self._pending[name] = token
        _log.warning(
            "%s down (%s); restarting %s in %.3fs (attempt %d)",
            down.child,
            down.reason,
            ", ".join(group),
            delay,
            attempt,
        )
        due = RestartDue(names=tuple(group), token=token)
        me = self.address(self.name)
        if delay <= 0:
            me.tell(due)
        else:
            self.link.clock.call_later(delay, lambda: me.tell(due))

    def _restart_due(self, due: RestartDue) -> None:
        for name in self._order:
            if name in due.names and self._pending.get(name) == due.token:
                del self._pending[name]
                self._restarts[name] = self._restarts.get(name, 0) + 1
                self.link.metrics.actor_restarts.labels(actor=name).inc()
                self._start_child(self._specs[name])
                self._announce(name)

    def _announce(self, name: str) -> None:
        restarted = ChildRestarted(
            supervisor=self.name,
            child=name,
            incarnation=self.link.directory.incarnation(name),
            restarts=self._restarts.get(name, 0),
            at_ns=self.link.clock.now_ns(),
        )
        for listener in self.spec.restart_listeners:
            if listener != name:
                self.address(listener).tell(restarted)

    def _give_up(self, reason: str) -> None:
        self.link.metrics.supervisor_escalations.labels(supervisor=self.name).inc()
        _log.error("supervisor %s gives up: %s", self.name, reason)
        self._pending.clear()
        self._stop_all(retire=False)
        raise Escalation(reason)

    # -- mechanism ---------------------------------------------------------------------------

    def _start_child(self, spec: ChildSpec) -> None:
        directory = self.link.directory
        directory.configure(spec.name, held_max=spec.held_max)
        link = Link(
            name=spec.name,
            incarnation=directory.next_incarnation(spec.name),
            parent=self.name,
            directory=directory,
            clock=self.link.clock,
            metrics=self.link.metrics,
            report=self.address(self.name).tell,
            faults=self.link.faults,
            dispatcher=self.link.dispatcher,
        )
        try:
            ref = spec.factory(link)
        except Exception as exc:
            # A constructor that raises is a crash in start-up like any other.
            _log.exception("%s failed to construct", spec.name)
            link.exited.set()
            self._running[spec.name] = _Running(None, link)
            self.address(self.name).tell(
                ChildDown(
                    supervisor=self.name,
                    child=spec.name,
                    incarnation=link.incarnation,
                    crashed=True,
                    reason=f"{type(exc).__name__} in constructor: {exc}",
                    at_ns=self.link.clock.now_ns(),
                )
            )
            return
        self._running[spec.name] = _Running(ref, link)
        directory.bind(spec.name, ref, link.incarnation)
        link.bound.set()
        if not link.started.wait(spec.start_timeout):
            _log.warning("%s still starting after %.1fs", spec.name, spec.start_timeout)
        elif link.incarnation == 1:
            _log.info("started %s", spec.name)
        else:
            _log.info("restarted %s (instance %d)", spec.name, link.incarnation)

    def _stop_child(self, name: str, *, retire: bool) -> bool:
        """Stop one child and wait for it to exit; False if it did not in its budget (a hung
        thread cannot be killed in Python: the caller must not start a successor)."""
        running = self._running.pop(name)
        spec = self._specs[name]
        if retire:
            self.link.directory.retire(name)
        else:
            self.link.directory.unbind(name, running.link.incarnation)
        if running.ref is not None:
            running.ref.stop(block=False)
        if not running.link.exited.wait(spec.shutdown_timeout):
            _log.error("%s did not stop within %.1fs", name, spec.shutdown_timeout)
            return False
        return True

    def _stop_all(self, *, retire: bool) -> None:
        for name in reversed(self._order):
            if name in self._running:
                self._stop_child(name, retire=retire)
