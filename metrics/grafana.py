"""Grafana's dashboard JSON model, as much of it as shikra's dashboard uses: panels of
Prometheus queries laid out in rows on Grafana's 24-column grid. What the panels show is in
``metrics.dashboard``; this is how they are written down."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
"""Every panel and query names its datasource through the ``datasource`` variable, so the
dashboard imports into any Grafana whatever its Prometheus is called."""

GRID_WIDTH = 24


@dataclass(frozen=True)
class Target:
    expr: str
    legend: str = ""


@dataclass(frozen=True)
class Panel:
    title: str
    targets: tuple[Target, ...]
    kind: str = "timeseries"
    unit: str = "short"
    width: int = 8
    description: str = ""
    options: dict[str, Any] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return 4 if self.kind == "stat" else 8


def ts(title: str, *targets: Target, unit: str = "short", description: str = "") -> Panel:
    return Panel(title, targets, unit=unit, description=description)


def stat(
    title: str,
    *targets: Target,
    unit: str = "short",
    description: str = "",
    show_name: bool = False,
) -> Panel:
    """A single figure; ``show_name`` shows the series' legend instead of its value (the
    trading state's name, the build's version)."""
    options = {"textMode": "name", "colorMode": "none"} if show_name else {}
    return Panel(
        title, targets, kind="stat", unit=unit, width=4, description=description, options=options
    )


def panel_json(panel: Panel, panel_id: int, x: int, y: int) -> dict[str, Any]:
    return {
        "id": panel_id,
        "type": panel.kind,
        "title": panel.title,
        "description": panel.description,
        "datasource": DATASOURCE,
        "gridPos": {"h": panel.height, "w": panel.width, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": panel.unit}, "overrides": []},
        "options": panel.options,
        "targets": [
            {
                "refId": chr(ord("A") + i),
                "datasource": DATASOURCE,
                "expr": target.expr,
                "legendFormat": target.legend or "__auto",
            }
            for i, target in enumerate(panel.targets)
        ],
    }


def layout(rows: Sequence[tuple[str, Sequence[Panel]]]) -> list[dict[str, Any]]:
    """Each row's title bar, then its panels left to right, wrapping at the grid's width."""
    panels: list[dict[str, Any]] = []
    y = 0
    next_id = 1
    for title, row_panels in rows:
        panels.append(
            {
                "id": next_id,
                "type": "row",
                "title": title,
                "collapsed": False,
                "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y},
                "panels": [],
            }
        )
        next_id += 1
        y += 1
        x = 0
        line_height = 0
        for panel in row_panels:
            if x + panel.width > GRID_WIDTH:
                x, y = 0, y + line_height
                line_height = 0
            panels.append(panel_json(panel, next_id, x, y))
            next_id += 1
            x += panel.width
            line_height = max(line_height, panel.height)
        y += line_height
    return panels
