"""Running the real daemon (``main.py run``) as a subprocess, and reading what it exposes.

Everything is bounded in time: the process is killed if it outlives the test, every wait has a
deadline, and the metrics are scraped over loopback only.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "feeds" / "samples" / "nse_sample.csv"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def parse(text: str) -> Samples:
    samples: Samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def total(samples: Samples, name: str) -> float:
    return sum(v for (n, _), v in samples.items() if n == name)


class DaemonProcess:
    """``main.py run`` in ``workdir`` (its state directory lives there)."""

    def __init__(self, workdir: Path, config_text: str, port: int) -> None:
        self.workdir = workdir
        self.port = port
        self.config = workdir / "shikra.toml"
        self.config.write_text(config_text)
        self.log_path = workdir / "daemon.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] | None = None
        self.umask: int | None = None
        """The umask the daemon starts with (default: this process's)."""

    def start(self, *extra: str) -> DaemonProcess:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "main.py"), "run", "--config", str(self.config), *extra],
            cwd=self.workdir,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=self.env,
            umask=-1 if self.umask is None else self.umask,
        )
        return self

    def scrape(self) -> Samples:
        url = f"http://127.0.0.1:{self.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            return parse(response.read().decode())

    def wait_for(self, condition: Callable[[Samples], bool], timeout: float = 60.0) -> Samples:
        """Scrape until ``condition`` holds; fail with the log if it does not in time."""
        deadline = time.monotonic() + timeout
        last: Samples = {}
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"daemon exited ({self.process.returncode}):\n{self.log()}")
            try:
                last = self.scrape()
            except OSError:
                last = {}
            if last and condition(last):
                return last
            time.sleep(0.1)  # polling interval of a deadline-bounded wait, not a synchronisation
        raise AssertionError(f"condition not met within {timeout}s; log:\n{self.log()}")

    def terminate(self, timeout: float = 60.0, sig: int = signal.SIGTERM) -> int:
        """SIGTERM (or ``sig``), then wait for the exit code."""
        assert self.process is not None
        self.process.send_signal(sig)
        return self.wait(timeout)

    def wait(self, timeout: float = 60.0) -> int:
        assert self.process is not None
        try:
            return self.process.wait(timeout)
        finally:
            self._log.close()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def settled(expected_ticks: int) -> Callable[[Samples], bool]:
    """Every tick delivered, no order waiting for the rate limiter, and two reconciliations
    done after the last fill: a replay at full speed has played out."""
    seen: dict[str, float] = {}

    def condition(samples: Samples) -> bool:
        if total(samples, "shikra_feed_ticks_total") < expected_ticks:
            return False
        if value(samples, "shikra_orders_queued") > 0:
            return False
        runs = value(samples, "shikra_reconciliation_runs_total")
        fills = total(samples, "shikra_fills_total")
        if seen.get("fills") != fills:
            seen["fills"], seen["runs"] = fills, runs
            return False
        return runs >= seen["runs"] + 2

    return condition
