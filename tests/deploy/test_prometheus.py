"""The dashboard and the alert rules against a real Prometheus scraping a real daemon.

One paper daemon (the shipped paper config, ticking faster, with a drill that crashes one
strategy twice so the supervision panels have something to show) and one Prometheus run from
the shipped config and rules. Then every expression of every dashboard panel must return data,
every selector in them and in the rules must match a series the daemon exports (a misspelt
metric or label value is caught, not shown as an empty panel), every alert expression must
evaluate without error, and the rules must be healthy after Prometheus evaluated them. Last,
two alerts are made to happen for real: HALTED by the operator, and the process going down.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator

import pytest

from tests.deploy.prometheus_server import CONFIG, RULES, Prometheus, binary
from tests.e2e.daemon_process import REPO, DaemonProcess, free_port, value

DASHBOARD = REPO / "deploy" / "grafana" / "shikra.json"

DRILL = """
[supervision.overrides."Strategy:NSE:INFY"]
backoff_min_seconds = 0.5     # down long enough that ticks for it are dropped (and counted)
backoff_max_seconds = 0.5
"""

SELECTOR = re.compile(r"\b((?:shikra|process)_[a-z_]+|up)\b(\{[^}]*\})?")
"""A metric name and its label matchers, as written in the shipped expressions."""


def paper_config(port: int) -> str:
    text = (REPO / "config" / "paper.toml").read_text()
    for old, new in (
        ("port = 9108", f"port = {port}"),
        ("ticks_per_second = 5.0", "ticks_per_second = 40.0"),  # trade within seconds
        # The shipped drill, switched on, for one strategy, sooner and twice.
        ("enabled = false", "enabled = true"),
        ('actor = "Strategy:*"', 'actor = "Strategy:NSE:INFY"'),
        ("every_nth = 5000", "every_nth = 150"),
        ("max_times = 3", "max_times = 2"),
    ):
        assert old in text, f"config/paper.toml no longer has {old!r}"
        text = text.replace(old, new)
    return text + DRILL


def for_prometheus(expr: str) -> str:
    """A panel's expression as Grafana sends it: its variables replaced."""
    return expr.replace("$__rate_interval", "30s").replace('"$instance"', '".*"')


def panel_targets() -> list[tuple[str, str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    return [
        (panel["title"], target["expr"])
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    ]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DaemonProcess, Prometheus]]:
    workdir = tmp_path_factory.mktemp("stack")
    port = free_port()
    daemon = DaemonProcess(workdir, paper_config(port), port).start()
    prometheus = Prometheus(workdir, port).start()
    try:
        daemon.wait_for(
            lambda s: (
                value(s, "shikra_orders_total", status="filled") >= 1
                and value(s, "shikra_actor_restarts_total", actor="Strategy:NSE:INFY") >= 1
                and any(n == "shikra_messages_dropped_total" for n, _ in s)
            ),
            timeout=90,
        )
        prometheus.wait_until(
            "the daemon's target is up",
            lambda: any(
                t["health"] == "up" for t in prometheus.api("targets")["data"]["activeTargets"]
            ),
        )
        # Enough history for a 30 s rate and for the events above to be in Prometheus.
        prometheus.wait_until(
            "ten scrapes with a filled order and a restart",
            lambda: (
                prometheus.has_data('count_over_time(up{job="shikra"}[1m]) >= 10')
                and prometheus.has_data('shikra_orders_total{status="filled"} > 0')
                and prometheus.has_data("sum(shikra_actor_restarts_total) > 0")
            ),
            timeout=90,
        )
        yield daemon, prometheus
    finally:
        daemon.kill()
        prometheus.stop()


def test_every_dashboard_expression_returns_data(stack: tuple[DaemonProcess, Prometheus]):
    _, prometheus = stack
    targets = panel_targets()
    assert len(targets) >= 40
    failures = []
    for title, expr in targets:
        reply = prometheus.query(for_prometheus(expr))
        if reply.get("status") != "success":
            failures.append(f"{title}: {expr}: {reply.get('error')}")
        elif not reply["data"]["result"]:
            failures.append(f"{title}: {expr}: no data")
    assert not failures, "\n".join(failures)


def rule_expressions(prometheus: Prometheus) -> dict[str, str]:
    groups = prometheus.api("rules")["data"]["groups"]
    return {rule["name"]: rule["query"] for group in groups for rule in group["rules"]}


def test_every_alert_expression_evaluates_and_the_rules_are_healthy(
    stack: tuple[DaemonProcess, Prometheus],
):
    _, prometheus = stack
    rules = rule_expressions(prometheus)
    # The alerts operations asked for, each present (and loaded from the shipped file).
    for required in (
        "ShikraDown",
        "ShikraWatchdogStale",
        "ShikraHeartbeatStale",
        "ShikraFeedStale",
        "ShikraFeedBehind",
        "ShikraRestartRate",
        "ShikraSupervisorEscalated",
        "ShikraTradingHalted",
        "ShikraDailyLossNearLimit",
        "ShikraBrokerRateLimited",
        "ShikraTokenExpired",
        "ShikraReconciliationMismatch",
    ):
        assert required in rules, required
    failures = [
        f"{name}: {reply.get('error')}"
        for name, expr in rules.items()
        if (reply := prometheus.query(expr)).get("status") != "success"
    ]
    assert not failures, "\n".join(failures)

    def evaluated() -> list[dict]:
        found = [
            rule for group in prometheus.api("rules")["data"]["groups"] for rule in group["rules"]
        ]
        return found if all(r["lastEvaluation"] > "2000" for r in found) else []

    for rule in prometheus.wait_until("every rule evaluated", evaluated):
        assert rule["health"] == "ok", (rule["name"], rule.get("lastError"))


def test_every_selector_matches_a_series_the_daemon_exports(
    stack: tuple[DaemonProcess, Prometheus],
):
    _, prometheus = stack
    expressions = [for_prometheus(expr) for _, expr in panel_targets()]
    expressions += rule_expressions(prometheus).values()
    selectors = {
        name + (matchers or "") for expr in expressions for name, matchers in SELECTOR.findall(expr)
    }
    assert len(selectors) >= 40
    unmatched = [
        s for s in sorted(selectors) if not prometheus.api("series", **{"match[]": s})["data"]
    ]
    assert not unmatched, unmatched


def test_promtool_passes_the_scraped_metrics(stack: tuple[DaemonProcess, Prometheus]):
    daemon, _ = stack
    url = f"http://127.0.0.1:{daemon.port}/metrics"
    with urllib.request.urlopen(url, timeout=5) as response:
        text = response.read()
    assert b"shikra_build_info" in text
    checked = subprocess.run(
        [binary("promtool"), "check", "metrics"],
        input=text, capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout.decode() + checked.stderr.decode()


def alert_state(prometheus: Prometheus, name: str) -> str | None:
    for alert in prometheus.api("alerts")["data"]["alerts"]:
        if alert["labels"]["alertname"] == name:
            return alert["state"]
    return None


def test_halting_fires_the_halted_alert_and_stopping_makes_the_daemon_down(
    stack: tuple[DaemonProcess, Prometheus],
):
    daemon, prometheus = stack
    assert alert_state(prometheus, "ShikraTradingHalted") is None
    halted = subprocess.run(
        [sys.executable, str(REPO / "main.py"), "halt", "--reason", "alert drill",
         "--config", str(daemon.config)],
        cwd=daemon.workdir, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert halted.returncode == 0, halted.stderr
    prometheus.wait_until(
        "ShikraTradingHalted firing",
        lambda: alert_state(prometheus, "ShikraTradingHalted") == "firing",
    )
    assert alert_state(prometheus, "ShikraDown") is None
    assert daemon.terminate() == 0, daemon.log()
    # `for: 1m` keeps it pending for a minute; pending proves the expression saw the stop.
    prometheus.wait_until(
        "ShikraDown pending", lambda: alert_state(prometheus, "ShikraDown") == "pending"
    )


def test_promtool_accepts_the_shipped_config_and_rules():
    for args in (["check", "config", str(CONFIG)], ["check", "rules", str(RULES)]):
        checked = subprocess.run(
            [binary("promtool"), *args], capture_output=True, text=True, timeout=60, check=False
        )
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_alert_rules_pass_their_unit_tests():
    """``promtool test rules`` on synthetic series: each alert fires when it should and not
    before (the 80 % line, the market-open condition, the ``for`` durations)."""
    tests = REPO / "deploy" / "prometheus" / "shikra.rules.test.yml"
    checked = subprocess.run(
        [binary("promtool"), "test", "rules", str(tests)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_readme_lists_exactly_the_shipped_alerts():
    shipped = set(re.findall(r"^\s+- alert: (\w+)$", RULES.read_text(), re.M))
    documented = set(re.findall(r"^\| `(Shikra\w+)` \|", (REPO / "README.md").read_text(), re.M))
    assert shipped and documented == shipped
