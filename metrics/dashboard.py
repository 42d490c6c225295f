"""The Grafana dashboard, written as data next to the catalogue it draws from.

``deploy/grafana/shikra.json`` is generated from here (``python -m metrics.dashboard``) and a
test keeps the two equal, so a panel is changed in one place and reviewed as code. Every query
names its datasource through the ``${datasource}`` variable (the dashboard imports into any
Grafana whatever its Prometheus is called) and filters by ``$instance``, one per account when
the template unit runs several. A test runs every expression against a real Prometheus.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from metrics.grafana import DATASOURCE, Panel, Target, layout, stat, ts

UID = "shikra-overview"
INST = '{instance=~"$instance"}'
"""The instance filter, for metrics with no other label selector."""
RATE = "$__rate_interval"


def sel(**labels: str) -> str:
    """A label selector with the instance filter: ``sel(limit="max_daily_loss")``."""
    parts = ['instance=~"$instance"', *(f'{k}="{v}"' for k, v in labels.items())]
    return "{" + ",".join(parts) + "}"


def summed(function: str, counter: str, by: str = "", window: str = RATE) -> str:
    """``sum [by (...)] (<function>(<counter>{instance}[window]))``: a counter's rate or
    increase, over every series of this instance or grouped by ``by``."""
    group = f" by ({by}) " if by else ""
    return f"sum{group}({function}({counter}{INST}[{window}]))"


def quantile(q: float, histogram: str, by: str = "") -> str:
    group = f"le,{by}" if by else "le"
    return f"histogram_quantile({q}, sum by ({group}) (rate({histogram}_bucket{INST}[{RATE}])))"


def p99(histogram: str, by: str = "") -> str:
    return quantile(0.99, histogram, by)


def p50(histogram: str, by: str = "") -> str:
    return quantile(0.5, histogram, by)


ROWS: tuple[tuple[str, tuple[Panel, ...]], ...] = (
    (
        "Health and supervision",
        (
            stat(
                "Trading state",
                Target(f"shikra_trading_state{INST} == 1", "{{state}}"),
                description="ACTIVE, REDUCING, HALTED or RECONCILING (RiskGate's state).",
                show_name=True,
            ),
            stat(
                "Actors answering",
                # A pooled actor has a healthy series only once it was found stuck, so the
                # actors are counted from shikra_actor_up and the unhealthy ones subtracted.
                Target(
                    f"count(shikra_actor_up{INST} == 1)"
                    f" - (count(shikra_actor_healthy{INST} == 0) or vector(0))",
                    "answering",
                ),
                Target(f"count(shikra_actor_up{INST})", "actors"),
            ),
            stat(
                "Build",
                Target(f"shikra_build_info{INST}", "{{version}} {{mode}}"),
                show_name=True,
            ),
            stat(
                "Up for",
                Target(f"time() - process_start_time_seconds{sel(job='shikra')}"),
                unit="s",
            ),
            stat(
                "Since every actor answered",
                Target(f"time() - shikra_watchdog_last_pet_timestamp_seconds{INST}"),
                unit="s",
                description="The systemd watchdog is petted only while every actor answers.",
            ),
            stat(
                "Since Heartbeat's last round",
                Target(f"time() - shikra_heartbeat_last_round_timestamp_seconds{INST}"),
                unit="s",
            ),
            ts(
                "Restarts and crashes",
                Target(summed("increase", "shikra_actor_restarts_total"), "restarts"),
                Target(summed("increase", "shikra_actor_crashes_total"), "crashes"),
                Target(
                    summed("increase", "shikra_supervisor_escalations_total"),
                    "escalations",
                ),
            ),
            ts(
                "Actors restarted most",
                Target(
                    "topk(5, "
                    + summed("increase", "shikra_actor_restarts_total", "actor", "1h")
                    + ")",
                    "{{actor}}",
                ),
                description="Restarts in the last hour, the five actors with most.",
            ),
            ts(
                "Oldest answer to a ping",
                Target(f"max(shikra_heartbeat_last_pong_age_seconds{INST})", "oldest pong"),
                Target(p99("shikra_heartbeat_round_trip_seconds"), "round trip p99"),
                unit="s",
            ),
            ts(
                "Handler time p99 by role",
                Target(p99("shikra_actor_handler_seconds", "role"), "{{role}}"),
                unit="s",
            ),
            ts(
                "Deepest mailboxes",
                Target(f"topk(5, shikra_actor_mailbox_depth{INST})", "{{actor}}"),
            ),
            ts(
                "Messages held and dropped for a down actor",
                Target(summed("rate", "shikra_messages_held_total"), "held"),
                Target(summed("rate", "shikra_messages_dropped_total"), "dropped"),
                Target(
                    summed("rate", "shikra_messages_held_overflow_total"),
                    "lost (hold queue full)",
                ),
                unit="ops",
            ),
        ),
    ),
    (
        "Feed",
        (
            ts(
                "Ticks",
                Target(summed("rate", "shikra_feed_ticks_total"), "delivered"),
                Target(
                    summed("rate", "shikra_feed_ticks_dropped_total", "reason"),
                    "skipped: {{reason}}",
                ),
                unit="ops",
            ),
            ts(
                "Since the last tick",
                Target(f"shikra_feed_last_tick_age_seconds{INST}", "age"),
                Target(f"shikra_feed_lag_seconds{INST}", "lag (oldest tick of a poll)"),
                Target(f"shikra_feed_stale{INST}", "stale"),
                Target(f"shikra_market_open{INST}", "market open"),
                unit="s",
            ),
            ts(
                "Tick age (receive minus exchange time)",
                Target(p50("shikra_feed_tick_age_seconds"), "p50"),
                Target(p99("shikra_feed_tick_age_seconds"), "p99"),
                unit="s",
                description="Live feeds only: simulated ticks carry a simulated exchange time.",
            ),
            ts(
                "Reconnects",
                Target(f"increase(shikra_feed_reconnects_total{INST}[{RATE}])", "reconnects"),
            ),
        ),
    ),
    (
        "Strategies",
        (
            ts(
                "Signals",
                Target(
                    summed("rate", "shikra_strategy_signals_total", "signal"),
                    "{{signal}}",
                ),
                unit="ops",
            ),
            ts(
                "Intents",
                Target(summed("rate", "shikra_strategy_intents_total", "side"), "{{side}}"),
                unit="ops",
            ),
            ts(
                "Tick → intent",
                Target(p50("shikra_tick_to_intent_seconds"), "p50"),
                Target(p99("shikra_tick_to_intent_seconds"), "p99"),
                unit="s",
            ),
            ts(
                "Most active symbols",
                Target(
                    "topk(5, "
                    + summed("increase", "shikra_strategy_intents_total", "symbol", "1h")
                    + ")",
                    "{{symbol}}",
                ),
                description="Intents in the last hour.",
            ),
        ),
    ),
    (
        "Risk",
        (
            ts(
                "Approved and rejected",
                Target(summed("rate", "shikra_risk_approvals_total"), "approved"),
                Target(
                    summed("rate", "shikra_risk_rejections_total", "reason"),
                    "{{reason}}",
                ),
                unit="ops",
            ),
            ts(
                "Day's loss against its limit",
                Target(
                    f"100 * clamp_min(-shikra_pnl_net_rupees{INST}, 0) / ignoring(limit) "
                    f"shikra_risk_limit_rupees{sel(limit='max_daily_loss')}",
                    "loss % of max_daily_loss",
                ),
                Target(
                    f"100 * shikra_pnl_drawdown_rupees{INST} / ignoring(limit) "
                    f"shikra_risk_limit_rupees{sel(limit='max_drawdown')}",
                    "drawdown % of max_drawdown",
                ),
                unit="percent",
                description="Trading halts at 100 %; an alert fires at 80 % of the loss limit.",
            ),
            ts(
                "Trading state",
                Target(f"shikra_trading_state{INST}", "{{state}}"),
            ),
        ),
    ),
    (
        "Orders and broker API",
        (
            ts(
                "Orders by status",
                Target(summed("rate", "shikra_orders_total", "status"), "{{status}}"),
                Target(summed("rate", "shikra_fills_total"), "fills"),
                unit="ops",
            ),
            ts(
                "Order latency",
                Target(p99("shikra_tick_to_order_sent_seconds"), "tick → sent p99"),
                Target(p50("shikra_order_round_trip_seconds"), "sent → final p50"),
                Target(p99("shikra_order_round_trip_seconds"), "sent → final p99"),
                unit="s",
            ),
            ts(
                "Rate limiter",
                Target(f"shikra_orders_queued{INST}", "waiting"),
                Target(f"increase(shikra_orders_rate_limited_total{INST}[{RATE}])", "had to wait"),
            ),
            ts(
                "Broker API calls",
                Target(summed("rate", "shikra_broker_api_calls_total", "call"), "{{call}}"),
                unit="ops",
            ),
            ts(
                "Broker API errors",
                Target(
                    summed("increase", "shikra_broker_api_errors_total", "kind"),
                    "{{kind}}",
                ),
                description="token: log in again (main.py login). rate_limited: Kite said 429.",
            ),
            ts(
                "Broker API errors by cause",
                Target(
                    summed("increase", "shikra_broker_api_error_causes_total", "cause"),
                    "{{cause}}",
                ),
                description="What happened on the wire: http_429, http_403, timeout, http_5xx...",
            ),
            ts(
                "Broker API latency p99",
                Target(p99("shikra_broker_api_latency_seconds", "call"), "{{call}}"),
                unit="s",
            ),
        ),
    ),
    (
        "PnL and positions",
        (
            stat("Net PnL today", Target(f"shikra_pnl_net_rupees{INST}"), unit="currencyINR"),
            stat("Charges today", Target(f"shikra_pnl_charges_rupees{INST}"), unit="currencyINR"),
            stat("Round trips", Target(f"shikra_trades{INST}")),
            stat("Win rate", Target(f"shikra_win_rate_ratio{INST}"), unit="percentunit"),
            stat(
                "Reconciliation mismatches (1h)",
                Target(summed("increase", "shikra_reconciliation_mismatches_total", window="1h")),
            ),
            stat(
                "Reconciliations (1h)",
                Target(summed("increase", "shikra_reconciliation_runs_total", window="1h")),
            ),
            stat(
                "Foreign holdings",
                Target(f"shikra_foreign_positions{INST}"),
                description="In the account, not shikra's (other symbols or products, hand "
                "trades): reported, never traded against or adopted.",
            ),
            stat(
                "Multiplier mismatches",
                Target(f"shikra_multiplier_mismatches{INST}"),
                description="Contracts Kite values with another multiplier than the config.",
            ),
            stat(
                "MIS left open at a day's end (1d)",
                Target(summed("increase", "shikra_intraday_left_open_total", window="1d")),
            ),
            ts(
                "PnL",
                Target(f"shikra_pnl_net_rupees{INST}", "net"),
                Target(f"shikra_pnl_realized_rupees{INST}", "realized"),
                Target(f"shikra_pnl_unrealized_rupees{INST}", "unrealized"),
                Target(f"shikra_pnl_charges_rupees{INST}", "charges"),
                Target(f"-shikra_pnl_drawdown_rupees{INST}", "drawdown"),
                unit="currencyINR",
            ),
            ts(
                "Net PnL by symbol",
                Target(f"shikra_pnl_symbol_net_rupees{INST}", "{{symbol}}"),
                unit="currencyINR",
            ),
            ts(
                "Positions: ours and the broker's",
                Target(f"shikra_position_quantity{INST}", "{{symbol}}"),
                Target(f"shikra_broker_position_quantity{INST}", "{{symbol}} (broker)"),
            ),
            ts(
                "Reconciliation mismatches by kind",
                Target(
                    summed("increase", "shikra_reconciliation_mismatches_total", "kind"),
                    "{{kind}}",
                ),
            ),
        ),
    ),
)


def build() -> dict[str, Any]:
    """The dashboard as Grafana's JSON model: id null and a fixed uid, so an import or a
    provisioned file updates the same dashboard instead of adding a copy."""
    return {
        "id": None,
        "uid": UID,
        "title": "shikra",
        "description": "The shikra trading daemon: health, feed, strategies, risk, orders, PnL.",
        "tags": ["shikra", "trading"],
        "timezone": "browser",
        "editable": True,
        "schemaVersion": 39,
        "version": 1,
        "refresh": "10s",
        "time": {"from": "now-6h", "to": "now"},
        "annotations": {"list": []},
        "templating": {
            "list": [
                {
                    "name": "datasource",
                    "label": "Prometheus",
                    "type": "datasource",
                    "query": "prometheus",
                    "current": {},
                    "hide": 0,
                },
                {
                    "name": "instance",
                    "label": "Instance",
                    "type": "query",
                    "datasource": DATASOURCE,
                    "definition": "label_values(shikra_build_info, instance)",
                    "query": {
                        "query": "label_values(shikra_build_info, instance)",
                        "refId": "instance",
                    },
                    "refresh": 2,
                    "includeAll": True,
                    "allValue": ".*",
                    "multi": True,
                    "current": {},
                    "hide": 0,
                },
            ]
        },
        "panels": layout(ROWS),
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
