"""A real HTTP server standing in for a Slack incoming webhook: records requests, answers from a script.

`script` is a list of replies served in order (status, headers, body); when it runs out, every request gets
`default`. End-to-end tests use it to play an outage (503s), a rate limit (429 with Retry-After) or a
revoked webhook (404 "no_service").

Like Slack, it refuses a payload that breaks Block Kit's documented limits with 400 `invalid_blocks`
(`payload_problems` says which), whatever the script says; `reject_blocks` refuses every payload with
blocks, as Slack does for a block type it no longer accepts. `before_reply` and `after_reply` run around
the writing of each reply, so a test can, say, kill its client right after Slack answered.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

HEADER_TEXT = 150
SECTION_TEXT = 3000
FIELD_TEXT = 2000
FIELDS = 10
CONTEXT_ELEMENTS = 10
TEXT_OBJECT = 3000
BLOCKS = 50
MESSAGE_TEXT = 40_000
"""Slack cuts a longer top-level `text`; the stand-in refuses it, so a test notices."""
TEXT_TYPES = ("plain_text", "mrkdwn")


def units(text: str) -> int:
    """Length in UTF-16 code units: the stricter reading of Slack's "characters" (an emoji counts twice)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _text_object(where: str, value: Any, limit: int, kinds: tuple[str, ...] = TEXT_TYPES) -> list[str]:
    if not isinstance(value, dict) or value.get("type") not in kinds:
        return [f"{where}: not a text object of type {' or '.join(kinds)}"]
    text = value.get("text")
    if not isinstance(text, str) or not 1 <= units(text) <= limit:
        size = units(text) if isinstance(text, str) else "no"
        return [f"{where}: text must be 1 to {limit} characters, has {size}"]
    return []


def _section_problems(where: str, block: dict[str, Any]) -> list[str]:
    if "text" not in block and "fields" not in block:
        return [f"{where}: a section needs text or fields"]
    problems = _text_object(f"{where}.text", block["text"], SECTION_TEXT) if "text" in block else []
    fields = block.get("fields", [])
    if not isinstance(fields, list) or len(fields) > FIELDS:
        problems.append(f"{where}.fields: at most {FIELDS}")
        fields = []
    for n, item in enumerate(fields):
        problems += _text_object(f"{where}.fields[{n}]", item, FIELD_TEXT)
    return problems


def _block_problems(where: str, block: Any) -> list[str]:
    kind = block.get("type") if isinstance(block, dict) else None
    if kind == "header":
        return _text_object(f"{where}.text", block.get("text"), HEADER_TEXT, ("plain_text",))
    if kind == "section":
        return _section_problems(where, block)
    if kind == "context":
        elements = block.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            return [f"{where}.elements: 1 to {CONTEXT_ELEMENTS} elements"]
        return [p for n, e in enumerate(elements) for p in _text_object(f"{where}[{n}]", e, TEXT_OBJECT)]
    if kind == "divider":
        return []
    return [f"{where}: unknown block type {kind!r}"]


def payload_problems(payload: Any) -> list[str]:
    """Every way this webhook payload breaks Slack's documented limits (for the block types newsmon uses:
    header, section, context, divider); empty when Slack would take it."""
    if not isinstance(payload, dict):
        return ["the payload is not a JSON object"]
    text, blocks = payload.get("text"), payload.get("blocks")
    problems = []
    if not text and not blocks:
        problems.append("no_text: neither text nor blocks")
    if text is not None and (not isinstance(text, str) or units(text) > MESSAGE_TEXT):
        problems.append(f"text: at most {MESSAGE_TEXT} characters")
    if blocks is not None:
        if not isinstance(blocks, list) or len(blocks) > BLOCKS:
            return [*problems, f"blocks: at most {BLOCKS}"]
        problems += [p for n, b in enumerate(blocks) for p in _block_problems(f"blocks[{n}]", b)]
    return problems


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
    """Why a payload was refused as `invalid_blocks`."""
    peer: int = 0
    """The client's TCP port: which process sent the request, while its connection is open."""

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class FakeSlack:
    def __init__(self, path: str = "/services/T000/B000/secret-token-xyz") -> None:
        self.path = path
        self.script: list[Reply] = []
        self.default = Reply()
        self.reject_blocks = False
        self.before_reply: Callable[[Received], None] | None = None
        self.after_reply: Callable[[Received], None] | None = None
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

    def _next_reply(self, path: str, body: bytes) -> tuple[Reply, tuple[str, ...]]:
        if path != self.path:
            return Reply(404, "no_service"), ()
        try:
            payload = json.loads(body)
        except ValueError:
            return Reply(400, "invalid_payload"), ("not JSON",)
        problems = tuple(payload_problems(payload))
        if not problems and self.reject_blocks and isinstance(payload, dict) and payload.get("blocks"):
            problems = ("blocks are refused (reject_blocks)",)
        if problems:
            return Reply(400, "invalid_blocks"), problems
        return (self.script.pop(0) if self.script else self.default), ()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with fake._lock:
                    reply, problems = fake._next_reply(self.path, body)
                    received = Received(
                        self.path,
                        dict(self.headers.items()),
                        body,
                        reply.status,
                        time.monotonic(),
                        problems,
                        self.client_address[1],
                    )
                    fake.requests.append(received)
                if fake.before_reply is not None:
                    fake.before_reply(received)
                self._reply(reply)
                if fake.after_reply is not None:
                    fake.after_reply(received)

            def _reply(self, reply: Reply) -> None:
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
