"""``report.html`` in a real headless browser (Chromium, from Debian's packages, installed by
the test command when missing): the page opens from a file with no network, draws its three
charts with no script error, and the screenshot shows the equity curve drawn in its chart —
not a blank page. Also: the same results write the same page, byte for byte."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from PIL import Image

from backtest.report_html import write_report
from backtest.results import table, trades_from
from tests.backtest.test_results import CHARGES, FILLS, REASONS

PLOTLY_BLUE = (0x63, 0x6E, 0xFA)
"""The colour of a Plotly figure's first trace: the equity curve."""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    browser = shutil.which("chromium")
    assert browser is not None, "chromium is installed by scripts/tools.sh (the test command)"
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=10000", *args],
        capture_output=True, text=True, timeout=90, check=False,
    )  # fmt: skip


def test_the_report_draws_its_charts_offline_with_no_error(tmp_path: Path):
    trades = trades_from(FILLS, CHARGES, REASONS)
    page = tmp_path / "report.html"
    write_report(page, table(trades), trades, "backtest")
    text = page.read_text()
    assert not re.search(r"<script[^>]+src=", text)  # everything inline: it opens offline

    dom = chromium(tmp_path, "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    body = re.search(r"<body([^>]*)>", dom.stdout)
    assert body is not None, dom.stdout[:2000]
    assert 'data-charts="3"' in body.group(1)  # all three drawn
    assert "data-error" not in body.group(1)  # and no script error on the way

    shot = tmp_path / "shot.png"
    done = chromium(tmp_path, "--window-size=1200,1400", f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0 and shot.exists(), done.stderr[-2000:]
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 1400)
    equity_chart = image.crop((0, 80, 1200, 400))  # below the title, above the drawdown
    colours = equity_chart.getcolors(maxcolors=1 << 20) or []
    blue = sum(count for count, colour in colours if _near(colour, PLOTLY_BLUE))
    assert blue >= 300, f"the equity line is not drawn ({blue} pixels of its colour)"
    assert len(colours) > 20  # axes, grid, labels: a chart, not a blank page


def test_the_same_results_write_the_same_page(tmp_path: Path):
    trades = trades_from(FILLS, CHARGES, REASONS)
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    write_report(first, table(trades), trades, "backtest")
    write_report(second, table(trades), trades, "backtest")
    assert first.read_bytes() == second.read_bytes()


def _near(colour: tuple[int, int, int], target: tuple[int, int, int]) -> bool:
    return all(abs(a - b) <= 12 for a, b in zip(colour, target, strict=True))
