"""The shipped Grafana dashboard: generated from ``metrics/dashboard.py`` (and kept equal to
it), importable into any Grafana (a Prometheus datasource variable, a fixed uid, no id), with
the rows operations asked for. Its expressions are run on a real Prometheus in
``test_prometheus.py``."""

from __future__ import annotations

import json

from metrics import dashboard
from tests.deploy.test_prometheus import DASHBOARD

SHIPPED = json.loads(DASHBOARD.read_text())


def test_the_shipped_json_is_what_the_module_generates():
    assert DASHBOARD.read_text() == dashboard.render(), (
        "deploy/grafana/shikra.json is stale: run "
        "`.venv/bin/python -m metrics.dashboard > deploy/grafana/shikra.json`"
    )


def test_it_imports_anywhere_and_updates_in_place():
    assert SHIPPED["id"] is None
    assert SHIPPED["uid"] == "shikra-overview"
    variables = {v["name"]: v for v in SHIPPED["templating"]["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["instance"]["datasource"]["uid"] == "${datasource}"


def test_the_rows_are_the_ones_operations_asked_for():
    rows = [p["title"] for p in SHIPPED["panels"] if p["type"] == "row"]
    assert rows == [
        "Health and supervision",
        "Feed",
        "Strategies",
        "Risk",
        "Orders and broker API",
        "PnL and positions",
    ]
    after_row: dict[str, int] = {}
    current = ""
    for panel in SHIPPED["panels"]:
        if panel["type"] == "row":
            current = panel["title"]
        else:
            after_row[current] = after_row.get(current, 0) + 1
    assert all(after_row.get(row, 0) >= 3 for row in rows), after_row


def test_every_query_uses_the_datasource_variable_and_the_instance_filter():
    panels = [p for p in SHIPPED["panels"] if p["type"] != "row"]
    ids = [p["id"] for p in SHIPPED["panels"]]
    assert len(ids) == len(set(ids))
    for panel in panels:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == "${datasource}"
            assert '$instance"' in target["expr"], (panel["title"], target["expr"])


def test_panels_do_not_overlap():
    taken: set[tuple[int, int]] = set()
    for panel in SHIPPED["panels"]:
        g = panel["gridPos"]
        assert g["x"] >= 0 and g["x"] + g["w"] <= 24, panel["title"]
        cells = {(g["x"] + dx, g["y"] + dy) for dx in range(g["w"]) for dy in range(g["h"])}
        assert not cells & taken, panel["title"]
        taken |= cells
