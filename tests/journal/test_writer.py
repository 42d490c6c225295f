"""The journal writer's contract: a write acknowledged as written (``run`` returned, or its
``then`` ran) is committed — another connection sees it, and it survives a kill -9 of the
process —, nothing is acted on before that, a failing write fails alone, and writes made at the
same time share transactions (group commit)."""

from __future__ import annotations

import datetime
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from journal import writes
from journal.writer import JournalClosed, JournalWriter
from messages import Fill, OrderIntent, Side
from tests.supervisors.wait import until

REPO = Path(__file__).resolve().parents[2]
AT = 1_795_977_000 * 1_000_000_000 + 10 * 3600 * 1_000_000_000  # 2026-11-30 10:00 IST
DAY = datetime.date(2026, 11, 30)


def fill(n: int) -> Fill:
    return Fill(trade_id=f"T{n}", client_id="C", symbol="NSE:INFY", side=Side.BUY, quantity=1,
                price=100, at_ns=AT)  # fmt: skip


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "j.sqlite"


@pytest.fixture
def writer(path: Path) -> Iterator[JournalWriter]:
    opened = JournalWriter(path)
    yield opened
    opened.close()


def intent_row(n: int, quantity: object = 1) -> tuple[object, ...]:
    row = writes.intent_row(
        OrderIntent(client_id=f"I{n}", symbol="NSE:INFY", side=Side.BUY, quantity=1), n, DAY, AT
    )
    return (*row[:3], quantity, *row[4:])  # a quantity that is not an integer: a bad row


def intents_in(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT client_id FROM intents ORDER BY rowid")]


@contextmanager
def queued(writer: JournalWriter) -> Iterator[None]:
    """Hold the writer's thread inside a write of its own while the body asks: what the body
    asks waits in the queue, and goes in groups once the body is done."""
    running, gate = threading.Event(), threading.Event()
    writer.submit(lambda db: (running.set(), gate.wait(5)))
    assert running.wait(5)  # its group is formed: nothing asked from now on joins it
    try:
        yield
    finally:
        gate.set()


def committed(path: Path, trade_id: str) -> bool:
    """Asked on a connection of its own: what another process would see."""
    with sqlite3.connect(path) as db:
        return (
            db.execute("SELECT 1 FROM fills WHERE trade_id = ?", (trade_id,)).fetchone() is not None
        )


def test_run_returns_once_committed_and_then_runs_only_after_the_commit(
    path: Path, writer: JournalWriter
):
    one = fill(1)
    assert writer.run(lambda db: writes.fill(db, one, writer.fill_day(one))) is True
    assert committed(path, "T1")
    seen: list[tuple[str, bool]] = []
    done = threading.Event()
    for n in range(2, 50):
        f = fill(n)

        def then(inserted: bool, trade_id: str = f.trade_id) -> None:
            seen.append((trade_id, inserted and committed(path, trade_id)))
            if trade_id == "T49":
                done.set()

        writer.submit(lambda db, f=f: writes.fill(db, f, writer.fill_day(f)), then=then)
    assert done.wait(10)
    assert seen == [(f"T{n}", True) for n in range(2, 50)]  # in order, each committed
    again = fill(1)
    assert writer.run(lambda db: writes.fill(db, again, writer.fill_day(again))) is False


def test_a_failing_write_fails_alone_and_the_writer_goes_on(path: Path, writer: JournalWriter):
    results: dict[str, object] = {}
    errors: list[BaseException] = []

    def ask(name: str, op) -> None:
        try:
            results[name] = writer.run(op)
        except BaseException as exc:
            errors.append(exc)

    def broken(db: sqlite3.Connection) -> None:
        db.execute("INSERT INTO fills (trade_id) VALUES ('half a row')")  # NOT NULL fails

    threads = [
        threading.Thread(target=ask, args=("a", lambda db: writes.fill(db, fill(1), DAY))),
        threading.Thread(target=ask, args=("bad", broken)),
        threading.Thread(target=ask, args=("b", lambda db: writes.fill(db, fill(2), DAY))),
    ]
    with queued(writer):  # the three go in one group
        for thread in threads:
            thread.start()
        until(lambda: writer.waiting() == 3)
    for thread in threads:
        thread.join(10)
    assert results == {"a": True, "b": True}
    assert len(errors) == 1 and isinstance(errors[0], sqlite3.IntegrityError)
    assert committed(path, "T1") and committed(path, "T2")
    assert writer.run(lambda db: writes.fill(db, fill(3), DAY)) is True


def test_writes_made_at_the_same_time_share_transactions(writer: JournalWriter):
    threads = [
        threading.Thread(target=writer.run, args=(lambda db, n=n: writes.fill(db, fill(n), DAY),))
        for n in range(100)
    ]
    with queued(writer):
        groups_before = writer.groups
        for thread in threads:
            thread.start()
        until(lambda: writer.waiting() == 100)
    for thread in threads:
        thread.join(10)
    assert writer.writes >= 101
    assert writer.groups - groups_before == 2  # the holding write's, then the 100 at once


def test_a_groups_intents_are_one_statement_and_each_then_runs_after_the_commit(path: Path):
    statements: list[str] = []
    with closing(JournalWriter(path, trace=statements.append)) as writer:
        seen: list[tuple[str, bool]] = []
        done = threading.Event()
        with queued(writer):
            del statements[:]
            for n in range(200):

                def then(result: object, client_id: str = f"I{n}") -> None:
                    seen.append((client_id, client_id in intents_in(path)))
                    if client_id == "I199":
                        done.set()

                writer.submit_intent(intent_row(n), then=then)
                if n == 100:  # another write among them
                    writer.submit(lambda db: writes.fill(db, fill(1), DAY))
        assert done.wait(10)
        assert seen == [(f"I{n}", True) for n in range(200)]  # in order, each committed
        inserts = [s for s in statements if s.startswith("INSERT INTO intents")]
        assert len(inserts) == 1  # 200 intents, one statement
        assert committed(path, "T1")


def test_a_bad_intent_in_a_group_fails_alone(path: Path, writer: JournalWriter):
    acted: list[str] = []
    done = threading.Event()
    with queued(writer):  # one group
        for n in range(5):
            row = intent_row(n, quantity="many" if n == 2 else 1)  # STRICT: not an integer
            writer.submit_intent(row, then=lambda _, n=n: acted.append(f"I{n}"))
        writer.submit(lambda db: None, then=lambda _: done.set())
    assert done.wait(10)
    assert acted == ["I0", "I1", "I3", "I4"]  # the bad one is not acted on
    assert intents_in(path) == ["I0", "I1", "I3", "I4"]
    writer.submit_intent(intent_row(9))
    assert writer.read(lambda j: j.intent("I9")) is not None  # and the writer goes on


def test_reads_see_every_committed_write_and_a_closed_writer_refuses(tmp_path: Path):
    writer = JournalWriter(tmp_path / "j.sqlite")
    writer.run(lambda db: writes.fill(db, fill(7), DAY))
    assert [f.trade_id for f in writer.read(lambda j: j.fills())] == ["T7"]
    writer.close()
    with pytest.raises(JournalClosed):
        writer.run(lambda db: writes.fill(db, fill(8), DAY))


CHILD = textwrap.dedent(
    """
    import sys, threading
    sys.path.insert(0, {repo!r})
    from journal import writes
    from journal.writer import JournalWriter
    from messages import Fill, OrderIntent, Side
    import datetime

    writer = JournalWriter({path!r})
    day = datetime.date(2026, 11, 30)

    def ack(trade_id):
        def then(inserted):
            sys.stdout.write(f"ACK {{trade_id}}\\n")
            sys.stdout.flush()
        return then

    def hammer(prefix):
        for n in range(1_000_000):
            f = Fill(trade_id=f"{{prefix}}{{n}}", client_id="C", symbol="NSE:INFY",
                     side=Side.BUY, quantity=1, price=100, at_ns={at})
            if n % 2:
                writer.submit(lambda db, f=f: writes.fill(db, f, day), then=ack(f.trade_id))
            else:
                writer.run(lambda db, f=f: writes.fill(db, f, day))
                ack(f.trade_id)(True)

    def intents():
        for n in range(1_000_000):
            intent = OrderIntent(client_id=f"I{{n}}", symbol="NSE:INFY", side=Side.BUY, quantity=1)
            writer.submit_intent(writes.intent_row(intent, n, day, {at}), then=ack(f"I{{n}}"))

    for prefix in ("A", "B", "C"):
        threading.Thread(target=hammer, args=(prefix,), daemon=True).start()
    threading.Thread(target=intents, daemon=True).start()
    threading.Event().wait()
    """
)


def test_an_acknowledged_write_survives_a_kill_9(tmp_path: Path):
    path = tmp_path / "j.sqlite"
    script = CHILD.format(repo=str(REPO), path=str(path), at=AT)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    acked: list[str] = []
    try:
        assert child.stdout is not None
        for line in child.stdout:
            acked.append(line.split()[1])
            if len(acked) >= 3_000:
                break
        child.kill()  # SIGKILL: nothing of the child runs after this
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert len(acked) >= 3_000
    with sqlite3.connect(path) as db:
        stored = {row[0] for row in db.execute("SELECT trade_id FROM fills")}
        stored |= {row[0] for row in db.execute("SELECT client_id FROM intents")}
    assert any(trade_id.startswith("I") for trade_id in acked)  # intents were among them
    missing = [trade_id for trade_id in acked if trade_id not in stored]
    assert missing == []  # every write acknowledged before the kill is there


# -- inline (a backtest's writer: no thread, one open transaction) ------------------------------


def test_an_inline_writer_acts_at_once_and_a_failing_write_is_undone_alone(path: Path):
    writer = JournalWriter(path, inline=True)
    try:
        seen: list[bool] = []
        writer.submit(lambda db: writes.fill(db, fill(1), DAY), then=seen.append)
        assert seen == [True]  # in the call that asked: nothing waits for a thread

        def half_then_broken(db: sqlite3.Connection) -> None:
            writes.fill(db, fill(2), DAY)  # written, then undone with the rest of this write
            db.execute("INSERT INTO fills (trade_id) VALUES ('half a row')")  # NOT NULL fails

        with pytest.raises(sqlite3.IntegrityError):
            writer.run(half_then_broken)
        assert writer.run(lambda db: writes.fill(db, fill(3), DAY)) is True
        ids = writer.read(lambda j: [f.trade_id for f in j.fills()])
        assert ids == ["T1", "T3"]  # its own connection sees every write at once
    finally:
        writer.close()
    assert committed(path, "T1") and committed(path, "T3") and not committed(path, "T2")


def test_an_inline_writer_commits_on_flush_on_close_and_every_max_batch_writes(path: Path):
    writer = JournalWriter(path, inline=True, max_batch=3)
    try:
        writer.run(lambda db: writes.fill(db, fill(1), DAY))
        assert not committed(path, "T1")  # one open transaction: no commit per write
        writer.flush()
        assert committed(path, "T1")  # what a day's export, on a connection of its own, needs
        for n in (2, 3, 4):
            writer.run(lambda db, n=n: writes.fill(db, fill(n), DAY))
        assert committed(path, "T4")  # the third write since the flush committed the group
        writer.run(lambda db: writes.fill(db, fill(5), DAY))
        assert not committed(path, "T5")
    finally:
        writer.close()
    assert committed(path, "T5")
