"""A real local HTTP server for feed tests and benchmarks: threaded, bound to 127.0.0.1 on a free port.

Routes are registered by path; each answers with a fixed body and headers, or with a behaviour a feed
fetcher must survive:

    with FeedServer() as server:
        url = server.add("/feed.xml", body, etag='"v1"')   # 304 when If-None-Match matches
        server.status("/busy", 503, retry_after="120")     # status code (+ Retry-After)
        server.drip("/slow", body, interval=1.0)           # one byte per interval
        server.huge("/big", 20_000_000)                    # streams filler without holding it in memory
        server.redirect_loop("/loop")                      # /loop -> /loop?1 -> /loop?2 ...
        server.redirect("/old", "/feed.xml", code=301)
        server.hits("/feed.xml"); server.requests[-1].headers["If-None-Match"]
        server.max_active                                  # most requests in flight at once
        server.after_reply = lambda request: ...           # runs once each answer has been written

`gzip=True` on `add` or `huge` sends the body gzip-compressed with Content-Encoding: gzip.
"""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    path: str
    headers: dict[str, str]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    drip_interval: float | None = None
    huge_size: int | None = None
    redirect_loop: bool = False


class FeedServer:
    """Serve registered routes until `stop()`; safe to change routes while it runs."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()
        self.requests: list[Request] = []
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="feed-server", daemon=True)
        self.record = True
        self.after_reply: Callable[[Request], None] | None = None
        """Called in the serving thread once an answer is written, so a test can, say, kill the poller
        right after it fetched."""
        self.active = 0
        self.max_active = 0

    @property
    def base(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def start(self) -> FeedServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # --- routes ---------------------------------------------------------------------------------------
    def add(
        self,
        path: str,
        body: bytes,
        *,
        content_type: str = "application/rss+xml; charset=utf-8",
        status: int = 200,
        headers: dict[str, str] | None = None,
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
    ) -> str:
        """Serve `body` at `path`; with `etag`/`last_modified`, a matching conditional GET gets a 304."""
        all_headers = {"Content-Type": content_type} | (headers or {})
        return self._set(path, Route(body, status, all_headers, etag, last_modified, gzip))

    def status(
        self, path: str, code: int, retry_after: str | None = None, headers: dict[str, str] | None = None
    ) -> str:
        all_headers = dict(headers or {})
        if retry_after is not None:
            all_headers["Retry-After"] = retry_after
        return self._set(path, Route(f"status {code}\n".encode(), code, all_headers))

    def drip(self, path: str, body: bytes, interval: float = 1.0) -> str:
        return self._set(
            path, Route(body, headers={"Content-Type": "application/rss+xml"}, drip_interval=interval)
        )

    def huge(self, path: str, size: int, gzip: bool = False) -> str:
        return self._set(
            path, Route(headers={"Content-Type": "application/rss+xml"}, huge_size=size, gzip=gzip)
        )

    def redirect(self, path: str, to: str, code: int = 302) -> str:
        return self._set(path, Route(status=code, headers={"Location": to}))

    def redirect_loop(self, path: str) -> str:
        return self._set(path, Route(status=302, redirect_loop=True))

    def remove(self, path: str) -> None:
        with self._lock:
            self._routes.pop(path, None)

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if urlsplit(r.path).path == path)

    def _set(self, path: str, route: Route) -> str:
        with self._lock:
            self._routes[path] = route
        return self.url(path)

    def _route(self, path: str, headers: dict[str, str]) -> Route | None:
        with self._lock:
            if self.record:
                self.requests.append(Request(path, headers))
            return self._routes.get(urlsplit(path).path)


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            with server._lock:
                server.active += 1
                server.max_active = max(server.max_active, server.active)
            try:
                self._answer()
            finally:
                with server._lock:
                    server.active -= 1
            if server.after_reply is not None:
                server.after_reply(Request(self.path, dict(self.headers.items())))

        def _answer(self) -> None:
            route = server._route(self.path, dict(self.headers.items()))
            if route is None:
                self._send(404, {"Content-Type": "text/plain"}, b"not found\n")
            elif route.redirect_loop:
                hop = int(urlsplit(self.path).query or "0") + 1
                self._send(302, {"Location": f"{urlsplit(self.path).path}?{hop}"}, b"")
            elif route.huge_size is not None:
                self._stream_huge(route)
            elif self._not_modified(route):
                self._send(304, self._validators(route), b"")
            elif route.drip_interval is not None:
                self._drip(route)
            else:
                body = route.body
                headers = route.headers | self._validators(route)
                if route.gzip:
                    body = gzip.compress(body)
                    headers["Content-Encoding"] = "gzip"
                self._send(route.status, headers, body)

        def _not_modified(self, route: Route) -> bool:
            if route.etag and self.headers.get("If-None-Match") == route.etag:
                return True
            return bool(route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified)

        @staticmethod
        def _validators(route: Route) -> dict[str, str]:
            headers = {}
            if route.etag:
                headers["ETag"] = route.etag
            if route.last_modified:
                headers["Last-Modified"] = route.last_modified
            return headers

        def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if body:
                self.wfile.write(body)

        def _drip(self, route: Route) -> None:
            self.send_response(200)
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            try:
                for i in range(len(route.body)):
                    self.wfile.write(route.body[i : i + 1])
                    self.wfile.flush()
                    time.sleep(route.drip_interval or 1.0)
            except OSError:
                pass  # the client gave up, as it should
            self.close_connection = True

        def _stream_huge(self, route: Route) -> None:
            self.send_response(200)
            for name, value in route.headers.items():
                self.send_header(name, value)
            if route.gzip:
                self.send_header("Content-Encoding", "gzip")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for chunk in _filler(route.huge_size or 0, route.gzip):
                    self.wfile.write(chunk)
            except OSError:
                pass  # cut off by the client's cap
            self.close_connection = True

        def log_message(self, format: str, *args: object) -> None:
            return

    return Handler


def _filler(size: int, compress: bool) -> Iterator[bytes]:
    """`size` bytes of an endless feed-like text, gzip-compressed on the fly when asked (a 'gzip bomb')."""
    block = b"<item><title>filler</title></item>\n" * 1024
    packer = zlib.compressobj(9, zlib.DEFLATED, 31) if compress else None
    sent = 0
    while sent < size:
        piece = block[: size - sent]
        sent += len(piece)
        yield packer.compress(piece) if packer else piece
    if packer:
        yield packer.flush()
