"""A live run of the real daemon (``main.py run``, mode live) against the fake Kite: the
config, the login, and a market that moves so the strategy trades."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

from tests.e2e.daemon_process import REPO, DaemonProcess, free_port
from tests.fakekite import FakeKite

INFY_TOKEN = 408065
INFY = "NSE:INFY"


def live_config(
    fake: FakeKite,
    port: int,
    *,
    stale_after: float = 2.0,
    extra: str = "",
    mode: str = "live",
    policy: str = "alert",
    sync_interval: float = 0.3,
) -> str:
    return f"""
[system]
mode = "{mode}"
state_dir = "state"
[system.metrics]
port = {port}
[market]
# All day, every day: the test may run at any hour, and live market time is the wall clock.
pre_open = "00:00"
open = "00:00"
entry_cutoff = "23:59"
square_off = "23:59"
close = "23:59"
weekdays_only = false
shipped_calendar = false
[feed]
source = "kite"
stale_after_seconds = {stale_after}
[feed.kite]
default_mode = "quote"
[[symbols]]
symbol = "{INFY}"
strategy = "ema_cross"
params = {{ fast = 2, slow = 4 }}
quantity = 1
[risk]
max_order_quantity = 10
max_order_value = 100000
max_position_quantity = 5
max_gross_exposure = 1000000
max_open_orders = 5
max_orders_per_minute = 600
price_band_bps = 500
max_daily_loss = 100000
max_drawdown = 100000
[broker.kite]
api_root = "{fake.api_root}"
ws_root = "{fake.ws_root}"
timeout_seconds = 1.0
[orders]
working_check_seconds = 1.0
[position_sync]
interval_seconds = {sync_interval}
policy = "{policy}"
[heartbeat]
interval_seconds = 0.5
timeout_seconds = 5.0
[supervision]
backoff_min_seconds = 0.0
backoff_max_seconds = 0.1
{extra}
"""


def daemon_env(fake: FakeKite) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KITE_")}
    env["KITE_API_KEY"] = fake.api_key
    return env


def login(fake: FakeKite, workdir: Path, config: Path) -> subprocess.CompletedProcess[str]:
    """``main.py login REQUEST_TOKEN``, with the secret in the environment only."""
    env = daemon_env(fake) | {"KITE_API_SECRET": fake.api_secret}
    return subprocess.run(
        [sys.executable, str(REPO / "main.py"), "login", fake.new_request_token(),
         "--config", str(config)],
        cwd=workdir, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@contextmanager
def moving_market(fake: FakeKite, period: float = 0.02) -> Iterator[None]:
    """Zig-zag INFY's price (10 ticks up, 10 down, a paisa step of ₹0.05), so EMA(2)/EMA(4)
    crosses at every turn. Bounded: stops with the block."""
    stop = threading.Event()

    def run() -> None:
        price, step, n = Decimal("1500.00"), Decimal("0.05"), 0
        while not stop.wait(period):  # the market's pace, not a synchronisation
            n += 1
            price += step if (n // 10) % 2 == 0 else -step
            fake.set_price(INFY, str(price))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


@contextmanager
def live_daemon(
    tmp_path: Path, prepare: Callable[[FakeKite], None] | None = None, **config_kw: object
) -> Iterator[tuple[FakeKite, DaemonProcess]]:
    """The fake with INFY, then ``prepare(fake)`` (what the account holds before the start),
    then the daemon logged in and started, and the market moving."""
    with FakeKite() as fake:
        fake.add_instrument(INFY, INFY_TOKEN, last_price="1500", close="1490", name="INFOSYS")
        if prepare is not None:
            prepare(fake)
        port = free_port()
        daemon = DaemonProcess(tmp_path, live_config(fake, port, **config_kw), port)  # type: ignore[arg-type]
        (tmp_path / "state").mkdir()
        result = login(fake, tmp_path, daemon.config)
        assert result.returncode == 0, result.stderr
        daemon.env = daemon_env(fake)
        daemon.start()
        try:
            with moving_market(fake):
                yield fake, daemon
        finally:
            daemon.kill()
