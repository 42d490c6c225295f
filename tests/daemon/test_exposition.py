"""``/metrics`` renders the wide families by hand (``metrics.exposition``): what it serves must
parse, in the text format and in OpenMetrics, to exactly what prometheus_client renders for the
same registry — every family, its help and type, every sample and value — however the values
and label values look, and as children come and values change between scrapes."""

from __future__ import annotations

import gzip
import math
import urllib.request
from collections.abc import Callable

import pytest
from prometheus_client import generate_latest
from prometheus_client import metrics as prometheus_metrics
from prometheus_client.openmetrics import exposition as openmetrics
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_om
from prometheus_client.parser import text_string_to_metric_families as parse_text

from metrics import Metrics
from metrics.exposition import serve

OPENMETRICS_ACCEPT = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
    "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)  # what Prometheus sends
SYMBOLS = ("NSE:INFY", 'NSE:QUO"TE', "NSE:BACK\\SLASH", "NSE:NEW\nLINE")
ACTORS = (*(f"Strategy:{symbol}" for symbol in SYMBOLS), "RiskGate")


@pytest.fixture(autouse=True)
def _no_created_series(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(prometheus_metrics, "_use_created", False)  # as the daemon runs it


def metrics() -> Metrics:
    made = Metrics()
    made.prepare(ACTORS, SYMBOLS, pooled=frozenset(ACTORS[:-1]))
    for value, symbol in zip((0.1, 1e16, -3.5, 12345678.0), SYMBOLS, strict=True):
        made.pnl_symbol.labels(symbol=symbol).set(value)
    made.position.labels(symbol="NSE:INFY").set(math.inf)
    made.broker_position.labels(symbol="NSE:INFY").set(math.nan)
    made.ticks.labels(symbol="NSE:INFY").inc(7)
    made.feed_lag.set(0.25)  # a narrow family
    made.risk_rejections.labels(reason="market_closed").inc()
    return made


def parsed(text: str, parse: Callable) -> dict[str, tuple[str, str, list[tuple]]]:
    families = {}
    for family in parse(text):
        samples = sorted(
            (s.name, tuple(sorted(s.labels.items())), "nan" if math.isnan(s.value) else s.value)
            for s in family.samples
        )
        assert family.name not in families, f"{family.name} rendered twice"
        families[family.name] = (family.type, family.documentation, samples)
    return families


def check_same(made: Metrics) -> None:
    exposition = made.exposition()
    text, text_type = exposition.render(None, {})
    assert text_type.startswith("text/plain; version=0.0.4")
    assert parsed(text.decode(), parse_text) == parsed(
        generate_latest(made.registry).decode(), parse_text
    )
    om, om_type = exposition.render(OPENMETRICS_ACCEPT, {})
    assert om_type.startswith("application/openmetrics-text; version=1.0.0")
    assert om.endswith(b"# EOF\n") and om.count(b"# EOF") == 1
    assert parsed(om.decode(), parse_om) == parsed(
        openmetrics.generate_latest(made.registry).decode(), parse_om
    )


def test_both_formats_parse_to_the_librarys_own_rendering():
    made = metrics()
    assert made.ticks in made.wide and made.actor_up in made.wide  # by symbol, by actor
    assert made.feed_lag not in made.wide and made.handler_latency not in made.wide
    check_same(made)


def test_children_made_and_values_changed_after_a_scrape_are_in_the_next():
    made = metrics()
    check_same(made)  # the prefixes of these children are now cached
    made.ticks.labels(symbol="NSE:INFY").inc(5)
    made.heartbeat_age.labels(actor="Strategy:NSE:INFY").set(3.5)  # a family's first child
    made.messages_dropped.labels(actor="RiskGate", message="Tick").inc()
    check_same(made)
    body, _ = made.exposition().render(None, {})
    assert b'shikra_feed_ticks_total{symbol="NSE:INFY"} 12.0\n' in body
    assert b'shikra_messages_dropped_total{actor="RiskGate",message="Tick"} 1.0\n' in body


def test_served_over_http_gzip_and_openmetrics_as_prometheus_asks():
    made = metrics()
    server, thread = serve(made.exposition(), "127.0.0.1", 0)
    url = f"http://127.0.0.1:{server.server_port}/metrics"
    try:
        request = urllib.request.Request(
            url, headers={"Accept": OPENMETRICS_ACCEPT, "Accept-Encoding": "gzip"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            assert response.headers["Content-Type"].startswith("application/openmetrics-text")
            body = gzip.decompress(response.read()).decode()
        assert parsed(body, parse_om) == parsed(
            openmetrics.generate_latest(made.registry).decode(), parse_om
        )
        with urllib.request.urlopen(f"{url}?name[]=shikra_feed_ticks_total", timeout=10) as only:
            names = {family.name for family in parse_text(only.read().decode())}
        assert names == {"shikra_feed_ticks"}  # a filtered scrape, through the library
        refused = urllib.request.Request(url, data=b"x", method="POST")
        with pytest.raises(urllib.error.HTTPError) as error:
            urllib.request.urlopen(refused, timeout=10)
        assert error.value.code == 405
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
