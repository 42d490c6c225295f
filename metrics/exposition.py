"""``/metrics``: the library renders the narrow families, this module the wide ones.

Why by hand: prometheus_client renders every sample through generic code (a ``Sample`` tuple
made, label names validated and sorted, values escaped and formatted), about 11 µs a series in
the text format and 16 µs in OpenMetrics, which is what Prometheus asks for. At 9,000 symbols the
families with a series per symbol or per actor are about 80,000 series: a scrape held the
daemon's GIL for 0.9-1.3 s, every 5 s, a fifth of the one core all its threads share. Those
*wide* families (counters and gauges labelled by ``symbol`` or ``actor``) are rendered here: the
text before each child's value is made once, when the child is first seen, so a scrape is a
value read and a string join per series. Everything else, and every ``name[]`` query, goes
through the library unchanged.

The one cost: it reads two private attributes of prometheus_client, a family's children
(``_metrics``, under its ``_lock``) and a child's ``_value``. ``requirements.lock`` pins the
version, and ``tests/metrics/test_exposition.py`` checks, in both formats, that what this
renders parses to exactly the library's own families and samples.
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.exposition import ThreadingWSGIServer, choose_encoder, gzip_accepted
from prometheus_client.metrics import MetricWrapperBase
from prometheus_client.metrics_core import Metric
from prometheus_client.utils import floatToGoString

WIDE_LABELS = frozenset({"symbol", "actor"})
"""A counter or gauge with one of these labels has a series per configured symbol or actor."""

_OPENMETRICS = "application/openmetrics-text"
_EOF = b"# EOF\n"


def is_wide(family: MetricWrapperBase) -> bool:
    return isinstance(family, Counter | Gauge) and bool(WIDE_LABELS & set(family._labelnames))


class _Described:
    """A collector of one family's description only (no samples): its HELP and TYPE lines,
    rendered by the library, so their escaping is the library's in either format."""

    def __init__(self, family: MetricWrapperBase) -> None:
        self._family = family

    def collect(self) -> Iterable[Metric]:
        return self._family.describe()


class _WideFamily:
    """One wide family: its header per format, and the text of each child's sample up to the
    value, made when the child is first seen."""

    def __init__(self, family: Counter | Gauge) -> None:
        self.family = family
        described = family.describe()[0]
        self.sample_name = described.name + ("_total" if described.type == "counter" else "")
        self.label_names = tuple(family._labelnames)
        self.order = sorted(range(len(self.label_names)), key=lambda i: self.label_names[i])
        self.prefixes: dict[tuple[str, ...], str] = {}
        self.headers: dict[str, bytes] = {}

    def header(self, encoder: Callable[[Any], bytes], content_type: str) -> bytes:
        header = self.headers.get(content_type)
        if header is None:
            header = encoder(_Described(self.family)).removesuffix(_EOF)
            self.headers[content_type] = header
        return header

    def lines(self) -> Iterator[str]:
        family = self.family
        with family._lock:
            children = list(family._metrics.items())
        prefixes = self.prefixes
        for values, child in children:
            prefix = prefixes.get(values)
            if prefix is None:
                prefix = prefixes[values] = self._prefix(values)
            yield prefix + _number(child._value.get())

    def _prefix(self, values: tuple[str, ...]) -> str:
        labels = ",".join(f'{self.label_names[i]}="{_escape(values[i])}"' for i in self.order)
        return f"{self.sample_name}{{{labels}}} "


class Exposition:
    """What ``/metrics`` serves for ``registry``: ``narrow`` (a registry holding every collector
    but the wide families) through the library, then ``wide`` here."""

    def __init__(
        self,
        registry: CollectorRegistry,
        narrow: CollectorRegistry,
        wide: Iterable[Counter | Gauge],
    ) -> None:
        self.registry = registry
        self.narrow = narrow
        self.wide = [_WideFamily(family) for family in wide]
        self._lock = threading.Lock()  # the prefix caches: scrapes may overlap

    def render(self, accept: str | None, params: dict[str, list[str]]) -> tuple[bytes, str]:
        """The body and its content type, as ``prometheus_client`` would choose them."""
        encoder, content_type = choose_encoder(accept or "")
        if "name[]" in params:
            return encoder(self.registry.restricted_registry(params["name[]"])), content_type
        openmetrics = content_type.startswith(_OPENMETRICS)
        parts = [encoder(self.narrow).removesuffix(_EOF) if openmetrics else encoder(self.narrow)]
        with self._lock:
            for family in self.wide:
                parts.append(family.header(encoder, content_type))
                text = "\n".join(family.lines())
                if text:
                    parts.append(text.encode() + b"\n")
        if openmetrics:
            parts.append(_EOF)
        return b"".join(parts), content_type

    def app(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        """The WSGI app: ``prometheus_client.make_wsgi_app``'s behaviour, this rendering."""
        method = environ["REQUEST_METHOD"]
        if method == "OPTIONS":
            start_response("200 OK", [("Allow", "OPTIONS,GET")])
            return [b""]
        if method != "GET":
            start_response("405 Method Not Allowed", [("Allow", "OPTIONS,GET")])
            return [f"# HTTP 405 Method Not Allowed: {method}; use OPTIONS or GET\n".encode()]
        if environ.get("PATH_INFO") == "/favicon.ico":
            start_response("200 OK", [])
            return [b""]
        params = parse_qs(environ.get("QUERY_STRING", ""))
        body, content_type = self.render(environ.get("HTTP_ACCEPT"), params)
        headers = [("Content-Type", content_type)]
        if gzip_accepted(environ.get("HTTP_ACCEPT_ENCODING") or ""):
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        start_response("200 OK", headers)
        return [body]


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: a scrape every few seconds is not news."""


def serve(exposition: Exposition, addr: str, port: int) -> tuple[WSGIServer, threading.Thread]:
    """Serve ``exposition`` on ``addr:port`` from a daemon thread (a thread per scrape), as
    ``prometheus_client.start_http_server`` does. Raises ``OSError`` if it cannot listen."""
    family, _, _, _, sockaddr = socket.getaddrinfo(addr, port, type=socket.SOCK_STREAM)[0]

    class Server(ThreadingWSGIServer):
        address_family = family

    httpd = make_server(str(sockaddr[0]), port, exposition.app, Server, handler_class=_Quiet)
    thread = threading.Thread(target=httpd.serve_forever, name="metrics-http", daemon=True)
    thread.start()
    return httpd, thread


def _escape(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


_NUMBERS: dict[float, str] = {}


def _number(value: float) -> str:
    """The library's formatting of a value (Go's), remembered: most values repeat (0, 1...)."""
    text = _NUMBERS.get(value)
    if text is None:
        text = floatToGoString(value)
        if len(_NUMBERS) < 10_000 and value == value:  # not NaN: NaN is never equal to a key
            _NUMBERS[value] = text
    return text
