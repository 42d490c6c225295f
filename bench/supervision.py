"""Supervision benchmark: what addresses and restarts cost. Prints JSON.

1. Tell throughput to a counting actor through an ``Address`` (name lookup, per-name lock,
   delivery policy) against a raw ``ActorRef``: the price of surviving restarts.
2. Crash -> serving-again latency under a supervisor (zero backoff): from the moment a poison
   message is sent until the *new* instance has handled the next message sent to the name.

Run: .venv/bin/python -m bench.supervision [--messages N] [--rounds R] [--crashes C]
Targets (issue 2): address overhead <= 20 %, restart p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import threading
import time
from typing import Any

from daemon.clock import WallClock
from messages.base import Message
from metrics import Metrics
from supervisors import (
    Backoff,
    ChildSpec,
    SupervisedActor,
    SupervisionTree,
    SupervisorSpec,
)


class Count(Message, frozen=True, kw_only=True):
    n: int


class Poison(Message, frozen=True, kw_only=True):
    pass


class Marker(Message, frozen=True, kw_only=True):
    sent: float


class Counter(SupervisedActor):
    """Counts messages; sets ``done`` when the target is reached. Raises on Poison; on a
    Marker, records how long since it was sent."""

    def __init__(self, link: Any, state: dict[str, Any]) -> None:
        super().__init__(link)
        self.state = state
        self.seen = 0
        state["ref"] = self.actor_ref  # the raw ref, to compare an Address with

    def handle(self, message: Any) -> None:
        if type(message) is Count:
            self.seen += 1
            if self.seen == self.state["target"]:
                self.state["done"].set()
        elif type(message) is Poison:
            raise RuntimeError("poison")
        elif type(message) is Marker:
            self.state["latencies"].append(time.perf_counter() - message.sent)
            self.state["marker"].set()


def _tree(state: dict[str, Any]) -> SupervisionTree:
    spec = SupervisorSpec(
        name="root",
        children=(ChildSpec(name="counter", factory=lambda link: Counter.start(link, state)),),
        max_restarts=1_000_000,
        within_seconds=1.0,
        backoff=Backoff(min_seconds=0.0, max_seconds=0.0, jitter=0.0),
    )
    tree = SupervisionTree(spec, clock=WallClock(), metrics=Metrics())
    tree.start()
    return tree


def _deliver(send: Any, state: dict[str, Any], messages: int) -> tuple[float, float]:
    """Send ``messages`` and wait until the actor has handled them all. Returns (sender-side
    seconds per message, end-to-end messages per second)."""
    state["done"] = threading.Event()
    state["target"] += messages
    payload = [Count(n=i) for i in range(messages)]
    start = time.perf_counter()
    for message in payload:
        send(message)
    sent = time.perf_counter()
    if not state["done"].wait(120):
        raise RuntimeError("messages were lost")
    end = time.perf_counter()
    return (sent - start) / messages, messages / (end - start)


def bench_throughput(messages: int, rounds: int) -> dict[str, Any]:
    """Alternate raw and address rounds on one actor, so drift on a shared machine (other
    load, CPU frequency) hits both alike; report medians."""
    state: dict[str, Any] = {"latencies": [], "marker": threading.Event(), "target": 0}
    tree = _tree(state)
    try:
        ref = state["ref"]
        senders = {"raw": ref.tell, "address": tree.address("counter").tell}
        results: dict[str, list[tuple[float, float]]] = {"raw": [], "address": []}
        _deliver(ref.tell, state, messages)  # warm-up, not counted
        for _ in range(rounds):
            for kind, send in senders.items():
                results[kind].append(_deliver(send, state, messages))
    finally:
        tree.stop()

    def median(kind: str, index: int) -> float:
        return statistics.median(r[index] for r in results[kind])

    raw_rate, address_rate = median("raw", 1), median("address", 1)
    raw_send, address_send = median("raw", 0), median("address", 0)
    return {
        "messages_per_round": messages,
        "rounds": rounds,
        "raw_ref_msgs_per_s": round(raw_rate),
        "address_msgs_per_s": round(address_rate),
        "address_overhead_pct": round((raw_rate / address_rate - 1) * 100, 1),
        "raw_ref_send_us": round(raw_send * 1e6, 3),
        "address_send_us": round(address_send * 1e6, 3),
        "address_send_overhead_pct": round((address_send / raw_send - 1) * 100, 1),
        "target_overhead_pct": 20,
    }


def bench_restart(crashes: int) -> dict[str, Any]:
    state: dict[str, Any] = {"latencies": [], "marker": threading.Event(), "target": -1}
    tree = _tree(state)
    address = tree.address("counter")
    try:
        for _ in range(crashes):
            state["marker"].clear()
            incarnation = tree.directory.incarnation("counter")
            address.tell(Poison())
            # The marker is sent right after the crash message: it reaches the next instance
            # only after the crash, the supervisor's restart and the re-binding.
            address.tell(Marker(sent=time.perf_counter()))
            if not state["marker"].wait(10):
                raise RuntimeError("marker lost across a restart")
            if tree.directory.incarnation("counter") == incarnation:
                raise RuntimeError("marker was served by the instance that should have died")
    finally:
        tree.stop()
    latencies = sorted(state["latencies"])
    ms = [x * 1000 for x in latencies]
    return {
        "crashes": crashes,
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(ms[min(len(ms) - 1, int(len(ms) * 0.99))], 3),
        "max_ms": round(ms[-1], 3),
        "target_p99_ms": 50,
    }


def main() -> None:
    import logging

    logging.disable(logging.CRITICAL)  # 1,000 crash tracebacks are not the point here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--crashes", type=int, default=1_000)
    args = parser.parse_args()
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
        },
        "tell_throughput": bench_throughput(args.messages, args.rounds),
        "crash_to_serving": bench_restart(args.crashes),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
