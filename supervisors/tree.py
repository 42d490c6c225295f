"""The top of the tree inside the process.

``SupervisionTree`` owns the directory, starts the root supervisor, and is what the root reports
to. The root escalates by crashing; the tree turns that into ``escalated``, and ``main.py`` into a
non-zero exit, so systemd (``Restart=on-failure``) is the real top of the tree.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from core.clock import Clock
from messages.lifecycle import ChildDown
from metrics import Metrics
from supervisors.directory import Address, Directory
from supervisors.faults import FaultInjector
from supervisors.pool import Dispatcher
from supervisors.runtime import ActorRef
from supervisors.spec import Link, SupervisorSpec
from supervisors.supervisor import Supervisor

_log = logging.getLogger(__name__)


class SupervisionTree:
    def __init__(
        self,
        root: SupervisorSpec,
        *,
        clock: Clock,
        metrics: Metrics,
        faults: FaultInjector | None = None,
        held_max: int = 10_000,
        workers: int = 2,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        """``dispatcher``: the pool's (``workers`` threads) unless given, e.g. a serial one
        (``supervisors.serial``) that runs the whole tree on the calling thread."""
        self.spec = root
        self.clock = clock
        self.metrics = metrics
        self.directory = Directory(metrics, held_max=held_max)
        self._faults = faults
        self.dispatcher = dispatcher or Dispatcher(
            workers=workers, name="pool", monotonic=clock.monotonic
        )
        self._escalated = threading.Event()
        self.escalation: ChildDown | None = None
        self._ref: ActorRef[Any] | None = None
        self._link: Link | None = None

    def address(self, name: str) -> Address:
        return self.directory.address(name)

    def start(self, timeout: float = 60.0) -> None:
        """Start the root supervisor and, in order, every child below it."""
        link = Link(
            name=self.spec.name,
            incarnation=self.directory.next_incarnation(self.spec.name),
            parent="",
            directory=self.directory,
            clock=self.clock,
            metrics=self.metrics,
            report=self._root_down,
            faults=self._faults,
            dispatcher=self.dispatcher,
        )
        self._link = link
        self._ref = Supervisor.start(link, self.spec)
        self.directory.bind(self.spec.name, self._ref, link.incarnation)
        link.bound.set()
        if not link.started.wait(timeout):
            _log.warning("supervision tree still starting after %.0fs", timeout)

    @property
    def escalated(self) -> bool:
        return self._escalated.is_set()

    def wait_escalated(self, timeout: float | None = None) -> bool:
        """Block until the root gives up (True) or ``timeout`` passes (False)."""
        return self._escalated.wait(timeout)

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop everything in reverse start order; True if it all exited within ``timeout``."""
        if self._ref is None or self._link is None:
            return True
        self.directory.retire(self.spec.name)
        self._ref.stop(block=False)
        stopped = self._link.exited.wait(timeout)
        if stopped:
            self.dispatcher.shutdown()
        return stopped

    def _root_down(self, down: ChildDown) -> None:
        if down.crashed:
            _log.critical("root supervisor gave up: %s", down.reason)
        self.escalation = down
        self._escalated.set()
