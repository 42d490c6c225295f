"""``report.html``: one page that opens offline — the equity curve and the drawdown over time,
the net per day and per symbol (Plotly, its script inlined, so no network is needed to look
at it), and the results and trades tables.

The charts are Plotly's, not hand-drawn: zoom, hover and a time axis come with them. The div
ids are fixed (Plotly's default is a random uuid), so the same results write the same page.
When the charts have been drawn, the page marks ``<body data-charts="N">`` with how many
rendered, and ``data-error`` with the first script error, if any: what a browser test reads.
"""

from __future__ import annotations

import html
from collections import defaultdict
from pathlib import Path

from backtest.report_files import TABLE_HEADER, TRADES_HEADER, ist, rupees, table_cells
from backtest.results import Figures, Trade, equity_curve

_WATCH = """
<script>
window.addEventListener("error", function (e) {
  if (!document.body.dataset.error) { document.body.dataset.error = String(e.message); }
});
window.addEventListener("load", function () {
  var drawn = 0;
  document.querySelectorAll(".plotly-graph-div").forEach(function (div) {
    if (div.querySelector(".main-svg")) { drawn += 1; }
  });
  document.body.dataset.charts = String(drawn);
});
</script>
"""


def write_report(path: Path, rows: list[Figures], trades: list[Trade], title: str) -> None:
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    curve = equity_curve(trades)
    if trades:  # from 0 at the first entry: the first trade's result is a step like the others
        curve.insert(0, (min(t.entry_ns for t in trades), 0))
    times = [ist(at) for at, _ in curve]
    equity = [net / 100 for _, net in curve]
    peak, drawdown = 0.0, []
    for value in equity:
        peak = max(peak, value)
        drawdown.append(value - peak)
    over_time = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.7, 0.3], vertical_spacing=0.05,
        subplot_titles=("equity: cumulative net ₹", "drawdown ₹"),
    )  # fmt: skip
    # Steps: the net changes when a trade closes, not in between.
    step = {"shape": "hv"}
    over_time.add_trace(
        go.Scatter(x=times, y=equity, mode="lines", line=step, name="net"), row=1, col=1
    )
    over_time.add_trace(
        go.Scatter(x=times, y=drawdown, fill="tozeroy", mode="lines", line=step, name="drawdown"),
        row=2,
        col=1,
    )
    over_time.update_layout(height=520, showlegend=False, margin={"t": 40})

    per_day: dict[str, int] = defaultdict(int)
    for trade in trades:
        per_day[ist(trade.exit_ns)[:10]] += trade.net
    days = go.Figure(go.Bar(x=sorted(per_day), y=[per_day[d] / 100 for d in sorted(per_day)]))
    days.update_layout(
        title="net ₹ per day", height=340, margin={"t": 40}, xaxis={"type": "category"}
    )
    symbols = [row for row in rows if row.name != "TOTAL"]
    by_symbol = go.Figure(go.Bar(x=[r.name for r in symbols], y=[r.net / 100 for r in symbols]))
    by_symbol.update_layout(title="net ₹ per symbol", height=340, margin={"t": 40})

    charts = [
        figure.to_html(
            full_html=False,
            include_plotlyjs=(n == 0),  # inlined once: the page needs no network
            div_id=f"chart-{n}",
            config={"displaylogo": False},
        )
        for n, figure in enumerate((over_time, days, by_symbol))
    ]
    page = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:2px 6px;text-align:right}"
        "td:first-child,th:first-child{text-align:left}</style>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        *charts,
        "<h2>results (₹)</h2>",
        _results_table(rows),
        "<p>PF: profit factor (the wins' net over the losses'); DD: max drawdown of the net,"
        " trade by trade; exposure: time in a position.</p>",
        "<h2>trades</h2>",
        _trades_table(trades),
        _WATCH,
        "</body></html>",
    ]
    path.write_text("\n".join(page) + "\n", encoding="utf-8")


def _results_table(rows: list[Figures]) -> str:
    return _table(TABLE_HEADER, [table_cells(row) for row in rows])


def _trades_table(trades: list[Trade]) -> str:
    body = [
        (
            t.symbol,
            "long" if t.side.sign > 0 else "short",
            t.quantity,
            ist(t.entry_ns),
            ist(t.exit_ns),
            rupees(t.entry_price),
            rupees(t.exit_price),
            rupees(t.gross),
            rupees(t.charges),
            rupees(t.net),
            t.exit_reason,
        )
        for t in trades
    ]
    return _table(TRADES_HEADER, body)


def _table(head: tuple[str, ...], body: list[tuple[object, ...]]) -> str:
    rows = ["<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for cells in body:
        rows.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"
