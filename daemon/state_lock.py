"""One daemon per state directory.

Two daemons on one state directory would both trade the same account from the same journal and
the same paper venue: every order could go out twice, and each would unlink the other's control
socket. So ``run`` takes an exclusive ``flock`` on ``<state_dir>/daemon.lock`` before it builds
anything and holds it for the life of the process. The kernel releases it when the process
ends, however it ends — a kill -9 included — so a crashed daemon never leaves a stale lock for a
person to clean up (a pid file would). The file holds the holder's pid, for the refusal message.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

LOCK_NAME = "daemon.lock"


class StateDirInUse(Exception):
    """Another process holds the state directory's lock."""


def hold_state_lock(state_dir: Path) -> IO[str]:
    """Take the lock, or raise ``StateDirInUse`` naming the holder. Keep the returned file
    open for as long as the daemon runs (closing it releases the lock)."""
    path = state_dir / LOCK_NAME
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        raise StateDirInUse(
            f"another shikra daemon (pid {holder}) is running on {state_dir}: "
            "two daemons on one state directory would trade the account twice"
        ) from None
    except BaseException:
        handle.close()
        raise
    with contextlib.suppress(OSError):
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
    return handle
