"""The state directory is private: it holds positions, PnL, orders, fills and the day's token.

The mechanism is the process umask. ``run`` and ``login`` set it to ``0o077`` before they
create anything, so everything the process creates afterwards, in any thread and at any time,
is born without group or other permission bits: the state directory (0700), the journal and
the ``-wal``/``-shm`` files SQLite makes next to it (SQLite gives them the database's own mode),
the exports and their CSVs, the instruments cache, the paper venue's file, the access token. No
module has to remember a mode of its own, and a file added later is covered without anyone's
help.

A state directory made by an earlier version (0755, with a 0644 journal) is tightened at start,
and ``run`` says so in one log line. Symbolic links inside it are left alone: their targets are
not the state directory's to change.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

PRIVATE_UMASK = 0o077
"""New files 0600 and directories 0700: the owner only."""
_OTHERS = stat.S_IRWXG | stat.S_IRWXO


def restrict_umask() -> int:
    """Make everything this process creates from now on owner-only; returns the old umask."""
    return os.umask(PRIVATE_UMASK)


@dataclass(frozen=True)
class Tightened:
    """What ``secure_state_dir`` had to change: the directory's mode before, and how many
    paths (the directory included) lost group/other bits."""

    directory_mode: int
    paths: int


def secure_state_dir(path: Path) -> Tightened | None:
    """Create ``path`` (0700) if missing; otherwise strip group/other bits from it and from
    everything below it. Returns what was tightened, or None if it already was private."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory_mode = stat.S_IMODE(path.stat().st_mode)
    changed = _tighten(path, follow=True)  # the configured directory, even through a link
    for root, directories, files in os.walk(path):  # does not follow links into directories
        for name in (*directories, *files):
            changed += _tighten(Path(root) / name)
    return Tightened(directory_mode, changed) if changed else None


def _tighten(entry: Path, *, follow: bool = False) -> int:
    """1 if ``entry`` lost group/other bits, 0 if it had none (or is a link not followed)."""
    info = entry.stat() if follow else entry.lstat()
    if stat.S_ISLNK(info.st_mode) or not info.st_mode & _OTHERS:
        return 0
    entry.chmod(stat.S_IMODE(info.st_mode) & ~_OTHERS)
    return 1
