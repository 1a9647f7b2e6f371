"""A real HTTP server standing in for a JSON webhook (Teams Workflows, Mattermost, a signed-webhook
target, and through `FakeSlack` a Slack incoming webhook): records every request with its headers and body,
and answers from a script.

`script` is a list of replies served in order; when it runs out every request gets `default`. `delay`
holds each reply back that many seconds, so a client with a shorter timeout sees a timeout. `check(payload)`
returns problems with a payload; any makes the reply 400, as the real service refuses a payload it cannot
use. Requests to another path get 404, as a revoked webhook does. `before_reply` and `after_reply` run
around the writing of each reply, so a test can, say, kill its client right after the receiver answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
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
    problems: tuple[str, ...] = ()
    """Why a payload was refused."""
    peer: int = 0
    """The client's TCP port: which process sent the request, while its connection is open."""

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookServer:
    NOT_FOUND = Reply(404, "no such webhook")
    NOT_JSON = Reply(400, "not JSON")

    def __init__(
        self,
        path: str = "/hooks/secret-hook-token-7f3a9c",
        check: Callable[[Any], list[str]] | None = None,
        name: str = "webhook",
    ) -> None:
        self.path = path
        self.check = check
        self.script: list[Reply] = []
        self.default = Reply(200, "ok")
        self.delay = 0.0
        self.before_reply: Callable[[Received], None] | None = None
        self.after_reply: Callable[[Received], None] | None = None
        self.requests: list[Received] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name=f"fake-{name}", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}{self.path}"

    @property
    def delivered(self) -> list[Received]:
        """Requests answered with 2xx: what the channel would show."""
        with self._lock:
            return [r for r in self.requests if 200 <= r.status < 300]

    def respond(self, *replies: Reply) -> None:
        with self._lock:
            self.script.extend(replies)

    def start(self) -> WebhookServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> WebhookServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    def problems(self, payload: Any) -> tuple[str, ...]:
        """Why the real receiver would refuse this payload; empty when it would take it."""
        return tuple(self.check(payload)) if self.check is not None else ()

    def refusal(self, problems: tuple[str, ...]) -> Reply:
        return Reply(400, "invalid payload: " + "; ".join(problems)[:300])

    def _next_reply(self, path: str, body: bytes) -> tuple[Reply, tuple[str, ...]]:
        if path != self.path:
            return self.NOT_FOUND, ()
        try:
            payload = json.loads(body)
        except ValueError:
            return self.NOT_JSON, ("not JSON",)
        problems = self.problems(payload)
        if problems:
            return self.refusal(problems), problems
        return (self.script.pop(0) if self.script else self.default), ()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with fake._lock:
                    reply, problems = fake._next_reply(self.path, body)
                    headers, peer = dict(self.headers.items()), self.client_address[1]
                    received = Received(
                        self.path, headers, body, reply.status, time.monotonic(), problems, peer
                    )
                    fake.requests.append(received)
                if fake.before_reply is not None:
                    fake.before_reply(received)
                if fake.delay:
                    time.sleep(fake.delay)
                self._reply(reply)
                if fake.after_reply is not None:
                    fake.after_reply(received)

            def _reply(self, reply: Reply) -> None:
                data = reply.body.encode()
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Type", "text/plain")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except OSError:  # the client gave up waiting (a timeout test)
                    pass

            def log_message(self, format: str, *args: object) -> None:
                return

        return Handler
