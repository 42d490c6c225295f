"""``ReplayEnd``: a replay is over only when the feed has ended *and* nothing of it is still on
its way — every mailbox empty, the journal writer idle, every order answered — for several
checks in a row; and it ends anyway once orders have waited too long for an answer. On a real
journal file, with the mailboxes and the clock given."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

from core.clock import VirtualClock
from daemon.replay_end import GIVE_UP_SECONDS, QUIET_CHECKS, ReplayEnd
from journal import Journal
from messages import OrderEvent, OrderIntent, OrderStatus, Side

DAY = datetime.date(2026, 11, 20)


def journal_with(path: Path, status: OrderStatus | None) -> None:
    clock = VirtualClock()
    with Journal.open(path, clock) as journal:
        if status is None:
            return
        intent = OrderIntent(client_id="S1", symbol="NSE:INFY", side=Side.BUY, quantity=1)
        journal.record_order(intent, DAY)
        if status is not OrderStatus.NEW:
            journal.record_order_event(
                OrderEvent(client_id="S1", symbol="NSE:INFY", side=Side.BUY, status=status,
                           quantity=1, filled_quantity=1 if status is OrderStatus.FILLED else 0),
                sent=True, day=DAY,
            )  # fmt: skip


def watcher(path: Path, backlog: list[int], waiting: list[int], now: list[float]) -> ReplayEnd:
    finished = threading.Event()
    end = ReplayEnd(
        finished,
        path,
        backlog=lambda: backlog,
        journal_waiting=lambda: waiting[0],
        monotonic=lambda: now[0],
    )
    return end


def test_not_over_before_the_feed_ends_then_over_after_enough_quiet_checks(tmp_path: Path):
    path = tmp_path / "journal.sqlite"
    journal_with(path, OrderStatus.FILLED)
    end = watcher(path, [0, 0], [0], [0.0])
    assert not end.done()  # the feed is still going
    end.finished.set()
    assert [end.done() for _ in range(QUIET_CHECKS)] == [False] * (QUIET_CHECKS - 1) + [True]
    assert not end.gave_up


def test_a_message_in_a_mailbox_or_a_queued_write_starts_the_quiet_count_again(tmp_path: Path):
    path = tmp_path / "journal.sqlite"
    journal_with(path, OrderStatus.FILLED)
    backlog, waiting = [0, 0], [0]
    end = watcher(path, backlog, waiting, [0.0])
    end.finished.set()
    for _ in range(QUIET_CHECKS - 1):
        assert not end.done()
    backlog[1] = 1  # the last tick's decision is still with an actor
    assert not end.done()
    backlog[1] = 0
    waiting[0] = 1  # its intent is queued for the journal
    assert not end.done()
    waiting[0] = 0
    assert [end.done() for _ in range(QUIET_CHECKS)][-1] is True


def test_an_order_without_its_answer_holds_the_end_until_the_give_up_time(tmp_path: Path):
    for status in (OrderStatus.NEW, OrderStatus.SUBMITTED, OrderStatus.UNKNOWN):
        path = tmp_path / f"{status.value}.sqlite"
        journal_with(path, status)
        now = [100.0]
        end = watcher(path, [0], [0], now)
        end.finished.set()
        for _ in range(QUIET_CHECKS * 2):
            assert not end.done(), status
        now[0] = 100.0 + GIVE_UP_SECONDS
        assert end.done() and end.gave_up, status


def test_an_order_resting_open_at_the_venue_does_not_hold_the_end(tmp_path: Path):
    # A LIMIT or a stop the last tick did not reach has its answer (OPEN): nothing to wait for.
    path = tmp_path / "journal.sqlite"
    journal_with(path, OrderStatus.OPEN)
    end = watcher(path, [0], [0], [0.0])
    end.finished.set()
    assert [end.done() for _ in range(QUIET_CHECKS)][-1] is True
