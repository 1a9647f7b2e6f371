"""A real HTTP server standing in for a Slack incoming webhook: records requests, answers from a script.

`script` is a list of replies served in order (status, headers, body); when it runs out, every request gets
`default`. End-to-end tests use it to play an outage (503s), a rate limit (429 with Retry-After) or a
revoked webhook (404 "no_service").
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float = 0.0
    """time.monotonic() when the request arrived."""

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FakeSlack:
    def __init__(self, path: str = "/services/T000/B000/secret-token-xyz") -> None:
        self.path = path
        self.script: list[Reply] = []
        self.default = Reply()
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-slack", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    @property
    def delivered(self) -> list[Received]:
        """Requests answered with 200: what a Slack channel would show."""
        with self._lock:
            return [r for r in self.requests if r.status == 200]

    def respond(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self, path: str) -> Reply:
        if path != self.path:
            return Reply(404, "no_service")
        return self.script.pop(0) if self.script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with fake._lock:
                    reply = fake._next_reply(self.path)
                    fake.requests.append(
                        Received(self.path, dict(self.headers.items()), body, reply.status, time.monotonic())
                    )
                data = reply.body.encode()
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
