"""The fake's HTTP side: a ThreadingHTTPServer on loopback speaking HTTP/1.1 keep-alive (as
``requests`` expects), recording every request and applying armed faults before the API
sees a request (or after, for a ``processed`` failure or a delay)."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
import traceback
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tests.fakekite.api import Api, Request, Response
from tests.fakekite.faults import FaultPlan


class RestServer:
    """Owns the listening socket, the serving thread and every accepted connection."""

    def __init__(
        self,
        api: Api,
        faults: FaultPlan,
        lock: threading.RLock,
        record: Callable[[Request], None],
        on_internal_error: Callable[[str], None],
    ) -> None:
        self.api, self.faults, self.lock = api, faults, lock
        self.record = record
        self.on_internal_error = on_internal_error
        self.stopping = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), _handler_class(self))
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.01},
            name="fakekite-rest",
            daemon=True,
        )

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and cut every open connection, including a delayed answer's."""
        self.stopping.set()
        self._server.shutdown()
        with self.lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        self._server.server_close()
        self._thread.join(timeout=5)

    def track(self, sock: socket.socket, alive: bool) -> None:
        with self.lock:
            (self._sockets.add if alive else self._sockets.discard)(sock)

    def serve(self, req: Request) -> Response:
        """The answer to ``req``: an armed failure, or the API's answer (maybe late)."""
        with self.lock:
            self.record(req)
            failure = self.faults.take_failure(req.method, req.path)
        if failure is not None and failure.processed:
            self.api.handle(req)
        if failure is not None:
            response = Response(failure.status, failure.body, failure.content_type)
        else:
            response = self.api.handle(req)
            with self.lock:
                delay = self.faults.take_delay(req.method, req.path)
            if delay is not None:
                self.stopping.wait(delay)
        with self.lock:
            req.status = response.status
        return response


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def _handler_class(owner: RestServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "fakekite"
        sys_version = ""

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in two writes: without NODELAY, Nagle and the client's
            # delayed ACK add 40 ms to every keep-alive request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            owner.track(self.connection, True)

        def finish(self) -> None:
            with contextlib.suppress(OSError):
                super().finish()
            owner.track(self.connection, False)

        def log_message(self, format: str, *args: object) -> None:
            """Silence: tests read ``fake.requests`` instead of stderr."""

        def _serve(self) -> None:
            try:
                req = self._parse()
                response = owner.serve(req)
            except Exception:
                owner.on_internal_error(traceback.format_exc())
                response = Response(
                    500,
                    b'{"status": "error", "message": "fake bug", '
                    b'"data": null, "error_type": "GeneralException"}',
                )
            if owner.stopping.is_set():
                self.close_connection = True
                return
            with contextlib.suppress(OSError):
                self.send_response(response.status)
                self.send_header("Content-Type", response.content_type)
                self.send_header("Content-Length", str(len(response.body)))
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(response.body)
                self.wfile.flush()

        def _parse(self) -> Request:
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = {k: v[-1] for k, v in parse_qs(body, keep_blank_values=True).items()}
            return Request(
                method=self.command,
                path=url.path,
                query=parse_qs(url.query, keep_blank_values=True),
                form=form,
                headers={k.lower(): v for k, v in self.headers.items()},
                at=time.monotonic(),
            )

        do_GET = do_POST = do_PUT = do_DELETE = _serve

    return Handler
