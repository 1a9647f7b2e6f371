"""What a Teams Workflows webhook takes: a message whose attachment is an Adaptive Card that the official
Adaptive Card 1.5 JSON Schema accepts (tests/fixtures/adaptive-card/, with its source and licence)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator

from tests.servers.webhook import WebhookServer

SCHEMA = Path(__file__).resolve().parents[1] / "fixtures" / "adaptive-card" / "schema-1.5.json"
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_REQUEST = 28 * 1024
"""Teams refuses a webhook message over about 28 KB."""


@cache
def card_validator() -> Draft6Validator:
    return Draft6Validator(_nullable_names_fixed(json.loads(SCHEMA.read_text(encoding="utf-8"))))


def _nullable_names_fixed(node: Any) -> Any:
    """The published schema names its nullable properties with a trailing "?" ("rtl?" on Container, Column
    and AdaptiveCard), an artifact of its generator: cards, the renderers and the documentation use "rtl"."""
    if isinstance(node, dict):
        return {
            (key[:-1] if key.endswith("?") and isinstance(value, dict) else key): _nullable_names_fixed(value)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_nullable_names_fixed(item) for item in node]
    return node


def card_problems(payload: Any) -> list[str]:
    """Every way this request body is not a Teams message carrying a valid Adaptive Card 1.5."""
    if not isinstance(payload, dict) or payload.get("type") != "message":
        return ["not a message"]
    if len(json.dumps(payload, ensure_ascii=False).encode()) > MAX_REQUEST:
        return ["over 28 KB"]
    attachments = payload.get("attachments")
    if not isinstance(attachments, list) or len(attachments) != 1:
        return ["expected one attachment"]
    attachment = attachments[0]
    if attachment.get("contentType") != CARD_TYPE:
        return [f"contentType is not {CARD_TYPE}"]
    card = attachment.get("content")
    problems = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in card_validator().iter_errors(card)
    ]
    if isinstance(card, dict) and card.get("version") != "1.5":
        problems.append("card version is not 1.5")
    return problems


def fake_teams() -> WebhookServer:
    """A Workflows webhook that refuses (400) anything but a valid card, so a test notices."""
    return WebhookServer("/workflows/abc123/triggers/manual/paths/invoke", card_problems, "teams")
