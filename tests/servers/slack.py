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

from typing import Any

from tests.servers.webhook import Received, Reply, WebhookServer

__all__ = ["FakeSlack", "Received", "Reply", "payload_problems"]

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


class FakeSlack(WebhookServer):
    NOT_FOUND = Reply(404, "no_service")
    NOT_JSON = Reply(400, "invalid_payload")

    def __init__(self, path: str = "/services/T000/B000/secret-token-xyz") -> None:
        super().__init__(path, payload_problems, name="slack")
        self.default = Reply()
        self.reject_blocks = False

    def problems(self, payload: Any) -> tuple[str, ...]:
        problems = super().problems(payload)
        if not problems and self.reject_blocks and isinstance(payload, dict) and payload.get("blocks"):
            problems = ("blocks are refused (reject_blocks)",)
        return problems

    def refusal(self, problems: tuple[str, ...]) -> Reply:
        return Reply(400, "invalid_blocks")

    def start(self) -> FakeSlack:
        super().start()
        return self
