"""Log lines: readable with time and level on a terminal, syslog-prefixed for journald."""

from __future__ import annotations

import logging

from daemon.logs import FORMAT, JournalFormatter


def record(level: int, message: str) -> logging.LogRecord:
    return logging.LogRecord("actors.risk_gate", level, __file__, 1, message, None, None)


def test_journald_lines_carry_the_syslog_priority_on_every_line():
    formatter = JournalFormatter()
    assert formatter.format(record(logging.ERROR, "boom")) == "<3>actors.risk_gate: boom"
    assert formatter.format(record(logging.WARNING, "careful")).startswith("<4>")
    assert formatter.format(record(logging.INFO, "fine")).startswith("<6>")
    assert formatter.format(record(logging.DEBUG, "detail")).startswith("<7>")
    assert formatter.format(record(logging.CRITICAL, "gave up")).startswith("<2>")
    two = formatter.format(record(logging.ERROR, "line one\nline two"))
    assert two.splitlines() == ["<3>actors.risk_gate: line one", "<3>line two"]


def test_terminal_lines_have_time_level_and_where():
    text = logging.Formatter(FORMAT).format(record(logging.WARNING, "careful"))
    assert "WARNING" in text and "actors.risk_gate: careful" in text
    assert text[:4].isdigit()  # starts with the date
