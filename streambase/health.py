"""Each service's HTTP endpoint: /metrics for Prometheus, /healthz (alive) and /readyz (able to work), and
any pages a service adds under a path prefix of its own (the alert service's /ack/ links)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest

log = logging.getLogger(__name__)

ReadinessCheck = Callable[[], tuple[bool, str]]
"""Returns (ready, reason); the reason is shown on /readyz so an operator sees what is missing."""
MAX_BODY = 16 * 1024
"""Bytes of a request body a page is given; a larger request is refused (413) unread."""
TEXT = "text/plain; charset=utf-8"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    """Without the query string."""
    body: bytes = b""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str = TEXT
    headers: tuple[tuple[str, str], ...] = ()


Page = Callable[[Request], Response]
"""Answers GET and POST requests under its path prefix; runs on a server thread."""


class HealthServer:
    def __init__(
        self,
        host: str,
        port: int,
        readiness: ReadinessCheck | None = None,
        registry: CollectorRegistry = REGISTRY,
        pages: Mapping[str, Page] | None = None,
    ) -> None:
        self._readiness = readiness or (lambda: (True, "ready"))
        self._pages = dict(pages or {})
        self._registry = registry
        self._server = ThreadingHTTPServer((host, port), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="health-http", daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def start(self) -> HealthServer:
        self._thread.start()
        log.info("serving /metrics, /healthz and /readyz on port %d", self.port)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def page_for(self, path: str) -> Page | None:
        return next((page for prefix, page in self._pages.items() if path.startswith(prefix)), None)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                if path == "/metrics":
                    self._reply(200, generate_latest(server._registry), CONTENT_TYPE_LATEST)
                elif path == "/healthz":
                    self._reply(200, b"ok\n")
                elif path == "/readyz":
                    ready, reason = server._readiness()
                    self._reply(200 if ready else 503, reason.encode() + b"\n")
                elif server.page_for(path) is not None:
                    self._page(Request("GET", path))
                else:
                    self._reply(404, b"try /metrics, /healthz or /readyz\n")

            def do_POST(self) -> None:
                path = self.path.split("?", 1)[0]
                if server.page_for(path) is None:
                    self._reply(404, b"nothing to post to here\n")
                    return
                try:
                    length = int(self.headers.get("Content-Length") or 0)
                except ValueError:
                    length = -1
                if not 0 <= length <= MAX_BODY:
                    self.close_connection = True
                    self._reply(413, b"request body too large\n")
                    return
                self._page(Request("POST", path, self.rfile.read(length)))

            def _page(self, request: Request) -> None:
                page = server.page_for(request.path)
                assert page is not None
                try:
                    response = page(request)
                except Exception:  # a page's bug must not take the metrics endpoint down
                    log.exception("page %s failed", request.path.split("/")[1])
                    response = Response(500, b"internal error\n")
                self._reply(response.status, response.body, response.content_type, response.headers)

            def _reply(
                self,
                status: int,
                body: bytes,
                content_type: str = TEXT,
                headers: tuple[tuple[str, str], ...] = (),
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
