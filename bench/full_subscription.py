"""The full Kite subscription through the real daemon: ``main.py run`` on a synthetic config of
9,000 symbols (a Strategy each) at 30,000 ticks/s offered, for a minute, watched from outside
the way an operator would watch it: Prometheus scrapes of ``/metrics`` and the kernel's
``/proc/<pid>/status``.

What it prints (JSON): start-up time (process start to the first tick delivered), ticks/s
delivered over the window, ``shikra_feed_lag_seconds`` at every scrape with its least-squares
slope (a backlog shows as a lag that rises every second), orders sent, peak RSS (``VmHWM``) and
the exit code of a SIGTERM at the end. ``holds`` is the issue's bar: the lag does not grow and
peak RSS ≤ 300 MB.

Every symbol runs ``ema_cross``, the strategy a user starts with, on the synthetic market of
``bench.pipeline``'s rows; the risk limits and the router's rate limits are Kite's (10 orders a
second, 400 a minute), so intents beyond them are rejected or queued as they would be live:
the daemon does a day's real work, not a ticks-only path. Scrapes are every
``--scrape-every`` seconds (5 by default): each one renders every series of 9,000 symbols on
the daemon's own CPU, so scraping every second would itself be load a real Prometheus
(15 s by default) does not add.

Run: .venv/bin/python -m bench.full_subscription [--symbols 9000] [--rate 30000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.pipeline_config import initial_price, symbol_name
from tests.e2e.daemon_process import DaemonProcess, free_port, total, value

PEAK_RSS_LIMIT_MB = 300.0
GROWING_SLOPE = 0.02
"""Seconds of lag gained per second that count as a backlog (as ``bench.probes`` judges)."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=9000)
    parser.add_argument("--rate", type=float, default=30_000.0)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--scrape-every", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="shikra-full-") as workdir:
        report = run(Path(workdir), args)
    print(json.dumps(report, indent=2))
    return 0 if report["holds"] else 1


def run(workdir: Path, args: argparse.Namespace) -> dict[str, Any]:
    port = free_port()
    daemon = DaemonProcess(workdir, config_text(args.symbols, args.rate, port), port)
    began = time.monotonic()
    daemon.start()
    try:
        daemon.wait_for(lambda s: total(s, "shikra_feed_ticks_total") > 0, timeout=300)
        startup_s = time.monotonic() - began
        samples = _watch(daemon, args.seconds, args.scrape_every)
        peak_rss_mb = _status_kb(daemon, "VmHWM") / 1024
        stop_began = time.monotonic()
        exit_code = daemon.terminate(timeout=120)
        stop_s = time.monotonic() - stop_began
    finally:
        daemon.kill()
    first, last = samples[0], samples[-1]
    window = last["t"] - first["t"]
    lags = [(s["t"] - first["t"], s["lag_s"]) for s in samples]
    slope = _slope(lags)
    growing = slope > GROWING_SLOPE and lags[-1][1] - lags[0][1] > 0.1
    return {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "symbols": args.symbols,
        "offered_ticks_per_s": args.rate,
        "window_s": round(window, 1),
        "startup_s": round(startup_s, 1),
        "delivered_ticks_per_s": round((last["ticks"] - first["ticks"]) / window),
        "orders_sent": int(last["sent"] - first["sent"]),
        "cpu_us_per_tick": round(
            (last["cpu_s"] - first["cpu_s"]) / max(1.0, last["ticks"] - first["ticks"]) * 1e6, 2
        ),
        "cpu_cores": round((last["cpu_s"] - first["cpu_s"]) / window, 2),
        "fills": int(last["fills"] - first["fills"]),
        "feed_lag": {
            "start_s": lags[0][1],
            "end_s": lags[-1][1],
            "max_s": max(lag for _, lag in lags),
            "slope_s_per_s": round(slope, 4),
            "growing": growing,
            "samples_s": [lag for _, lag in lags],
        },
        "rss_mb": {"peak": round(peak_rss_mb, 1), "samples": [s["rss_mb"] for s in samples]},
        "stop_s": round(stop_s, 1),
        "exit_code": exit_code,
        "actor_restarts": int(last["restarts"]),
        "late_answers": _late_answers(daemon.log()),
        "holds": not growing and peak_rss_mb <= PEAK_RSS_LIMIT_MB and exit_code == 0,
    }


def config_text(symbols: int, rate: float, port: int) -> str:
    entries = "\n".join(
        f'[[symbols]]\nsymbol = "{symbol_name(i)}"\nstrategy = "ema_cross"\n'
        f"params = {{ fast = 5, slow = 20 }}\nquantity = 1\n"
        f"initial_price_paise = {initial_price(i)}\n"
        for i in range(symbols)
    )
    return f"""
[system]
mode = "paper"
state_dir = "state"
log_level = "warning"
[system.metrics]
port = {port}
[feed]
source = "synthetic"
[feed.synthetic]
seed = 1
ticks_per_second = {rate / symbols}
burstiness = 0.3
volatility_bps = 5.0
{entries}
[risk]
max_order_quantity = 100
max_order_value = 100000000
max_position_quantity = 100000
max_gross_exposure = 1000000000
max_open_orders = 1000
max_orders_per_minute = 300
price_band_bps = 1000
max_daily_loss = 1000000000
max_drawdown = 1000000000
[orders]
per_second = 10
per_minute = 400
per_day = 100000
"""


def _watch(daemon: DaemonProcess, seconds: float, every: float) -> list[dict[str, float]]:
    """A scrape every ``every`` seconds for ``seconds``, on a schedule that does not drift."""
    start = time.monotonic()
    samples = []
    for k in range(int(seconds / every) + 1):
        time.sleep(max(0.0, start + k * every - time.monotonic()))  # the scrape schedule
        scraped = daemon.scrape()
        samples.append({
            "t": time.monotonic(),
            "ticks": total(scraped, "shikra_feed_ticks_total"),
            "sent": value(scraped, "shikra_orders_total", status="submitted"),
            "fills": total(scraped, "shikra_fills_total"),
            "lag_s": value(scraped, "shikra_feed_lag_seconds"),
            "restarts": total(scraped, "shikra_actor_restarts_total"),
            "rss_mb": round(_status_kb(daemon, "VmRSS") / 1024, 1),
            "cpu_s": _cpu_s(daemon),
        })  # fmt: skip
    return samples


def _late_answers(log: str) -> dict[str, int]:
    """How often Heartbeat found each actor silent past its deadline (its warning lines): an
    actor stalled for seconds, which the feed lag alone does not show."""
    late: dict[str, int] = {}
    for line in log.splitlines():
        if "no pong within" in line:
            for name in line.split("from:", 1)[1].split(","):
                late[name.strip()] = late.get(name.strip(), 0) + 1
    return late


def _cpu_s(daemon: DaemonProcess) -> float:
    """The daemon's CPU time so far, user and system, every thread (``/proc/<pid>/stat``)."""
    assert daemon.process is not None
    stat = Path(f"/proc/{daemon.process.pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kb(daemon: DaemonProcess, field: str) -> float:
    assert daemon.process is not None
    for line in Path(f"/proc/{daemon.process.pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return float(line.split()[1])
    raise LookupError(field)


def _slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, lag) points: seconds of lag gained per second."""
    if len(points) < 2:
        return 0.0
    mean_x = sum(x for x, _ in points) / len(points)
    mean_y = sum(y for _, y in points) / len(points)
    num = sum((x - mean_x) * (y - mean_y) for x, y in points)
    den = sum((x - mean_x) ** 2 for x, _ in points)
    return num / den if den else 0.0


if __name__ == "__main__":
    raise SystemExit(main())
