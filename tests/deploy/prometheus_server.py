"""A real Prometheus (Debian's package) on loopback, run from the shipped config, for tests.

The shipped ``deploy/prometheus/prometheus.yml`` is used as it is, with three things a test must
change: the daemon's port, a 1 s scrape and evaluation interval (so a test waits seconds, not
minutes), and the rule file's absolute path. Everything else, the job name and the rules
included, is what an operator installs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from tests.e2e.daemon_process import REPO, free_port

DEPLOY = REPO / "deploy" / "prometheus"
CONFIG = DEPLOY / "prometheus.yml"
RULES = DEPLOY / "shikra.rules.yml"


def binary(name: str) -> str:
    """The tool's path. Missing is a failure, not a skip: ``scripts/tools.sh`` installs it."""
    path = shutil.which(name)
    assert path, f"{name} not found: the test command installs Debian's prometheus package"
    return path


def config_for(daemon_port: int) -> str:
    text = CONFIG.read_text()
    for old, new in (
        ("127.0.0.1:9108", f"127.0.0.1:{daemon_port}"),
        ("scrape_interval: 5s", "scrape_interval: 1s"),
        ("scrape_timeout: 4s", "scrape_timeout: 1s"),
        ("evaluation_interval: 5s", "evaluation_interval: 1s"),
        ("- shikra.rules.yml", f"- {RULES}"),
    ):
        assert old in text, f"the shipped prometheus.yml no longer has {old!r}"
        text = text.replace(old, new)
    return text


class Prometheus:
    def __init__(self, workdir: Path, daemon_port: int) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.config = workdir / "prometheus.yml"
        self.config.write_text(config_for(daemon_port))
        self.log_path = workdir / "prometheus.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Prometheus:
        self._log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [
                binary("prometheus"),
                f"--config.file={self.config}",
                f"--storage.tsdb.path={self.workdir / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--log.level=warn",
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        return self

    def stop(self) -> None:
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def api(self, path: str, **params: str) -> dict[str, Any]:
        """GET ``/api/v1/<path>``; the decoded body, errors included (Prometheus answers a bad
        query with a 400 and a JSON body that says why)."""
        query = urllib.parse.urlencode(params)
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}?{query}"
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"{}") | {"http_status": exc.code}

    def query(self, expr: str) -> dict[str, Any]:
        return self.api("query", query=expr)

    def wait_until(self, what: str, condition: Any, timeout: float = 60.0) -> Any:
        """Poll ``condition()`` until it returns something truthy; fail with the log if not."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"prometheus exited:\n{self.log()}")
            try:
                found = condition()
            except OSError:
                found = None
            if found:
                return found
            time.sleep(0.2)  # polling interval of a deadline-bounded wait
        raise AssertionError(f"{what}: not within {timeout}s; prometheus log:\n{self.log()}")

    def has_data(self, expr: str) -> bool:
        reply = self.query(expr)
        return reply.get("status") == "success" and bool(reply["data"]["result"])
