"""Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"), as an
Adaptive Card 1.5 in a message attachment.

Feed text is untrusted and TextBlock renders markdown, so every piece of it goes into a RichTextBlock's
TextRuns, which Adaptive Cards show as written (no markdown, no links but the ones set here). Only our own
words go into TextBlocks, and FactSet values are escaped. A Workflows request is refused above about 28 KB,
so every text is bounded and quotes are added only while the whole request stays under `MAX_PAYLOAD`; the
rest are counted. Links are only http(s) and at most `MAX_URL` long. Render is pure; the receiver POSTs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import SecretStr

from schemas import AlertEvidence
from services.alert.digest import Digest
from services.alert.names import NO_NAMES, DisplayNames
from services.alert.notification import FollowUp, Notification
from services.alert.receivers.http import post_json
from services.alert.receivers.text import (
    ACK_LABEL,
    REPEAT_NOTE,
    ack_note,
    clip,
    facts,
    one_line,
    quote_parts,
    right_to_left,
    when,
)
from services.alert.retry import Verdict
from streambase.clock import Clock, SystemClock

CARD_VERSION = "1.5"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
MAX_PAYLOAD = 26_000
"""UTF-8 bytes of the whole request body; Teams refuses messages over about 28 KB."""
MAX_HEADLINE = 300
MAX_SUMMARY = 1000
MAX_SENTENCE = 600
MAX_TITLE = 300
MAX_NAME = 100
MAX_URL = 1000
MAX_QUOTES = 10
REPEAT_MARK = "(possible repeat) "
COLOURS = {"low": "Accent", "medium": "Warning", "high": "Warning", "critical": "Attention"}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>~|])")


def escape_markdown(text: str) -> str:
    """Text for a field that renders markdown (a FactSet value): one line, punctuation backslash-escaped."""
    return _MARKDOWN.sub(r"\\\1", one_line(text))


def run(text: str, **style: Any) -> dict[str, Any]:
    """A TextRun: shown as written, markdown is not interpreted."""
    return {"type": "TextRun", "text": text, **style}


def rich(*inlines: dict[str, Any], **style: Any) -> dict[str, Any]:
    return {"type": "RichTextBlock", "inlines": list(inlines), **style}


def safe_url(url: str) -> str | None:
    """An http(s) URL short enough to link, or None."""
    url = url.strip()
    if len(url) > MAX_URL or not url.lower().startswith(("http://", "https://")) or re.search(r"\s", url):
        return None
    return url


def headline(notification: Notification) -> str:
    mark = REPEAT_MARK if notification.possible_repeat else ""
    title = clip(one_line(notification.title), MAX_HEADLINE)
    return f"{mark}{notification.severity.value.upper()}: {title}"


def quote_blocks(item: AlertEvidence, names: DisplayNames = NO_NAMES) -> list[dict[str, Any]]:
    """The sentence with the proving quote in bold, then its article (linked) and source."""
    before, found, after = quote_parts(item)
    said = [run(part, **style) for part, style in ((before, {}), (found, {"weight": "Bolder"}), (after, {}))]
    title = clip(one_line(item.title), MAX_TITLE) or "(untitled)"
    url = safe_url(item.url) if item.url else None
    article = run(title, selectAction={"type": "Action.OpenUrl", "url": url}) if url else run(title)
    note = " (link too long to show)" if item.url and url is None else ""
    source = f"{note} ({clip(one_line(item.source), MAX_NAME)}, {when(item.published_at)})"
    if item.signal:
        source += f" · {clip(one_line(names.signal(item.signal)), MAX_NAME)}"
    quoted = rich(*(r for r in said if r["text"]), separator=True)
    if right_to_left(item):
        quoted = {"type": "Container", "rtl": True, "separator": True, "items": [quoted]}
    return [quoted, rich(run("— "), article, run(source, isSubtle=True), spacing="None")]


def _head(notification: Notification) -> list[dict[str, Any]]:
    colour = COLOURS.get(notification.severity.value, "Attention")
    body = [rich(run(headline(notification), weight="Bolder", size="Large", color=colour))]
    if notification.possible_repeat:
        body.append({"type": "TextBlock", "text": REPEAT_NOTE, "wrap": True, "color": "Warning"})
    note = ack_note(notification)
    if note:  # a name a person typed: a TextRun, shown as written
        body.append(rich(run(note, italic=True)))
    body.append(rich(run(clip(one_line(notification.summary), MAX_SUMMARY))))
    fact_list = [{"title": label, "value": escape_markdown(value)} for label, value in facts(notification)]
    body.append({"type": "FactSet", "facts": fact_list})
    return body


def message(card: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "attachments": [{"contentType": CONTENT_TYPE, "content": card}]}


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def render(notification: Notification) -> dict[str, Any]:
    """The request body: a message whose one attachment is the card, under `MAX_PAYLOAD` bytes."""
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": escape_markdown(headline(notification)),
        "body": _head(notification),
    }
    evidence = notification.evidence
    rule = clip(one_line(notification.rule_id), MAX_NAME)
    footer_room = 400
    used = _size(message(card)) + footer_room
    quotes: list[dict[str, Any]] = []
    for item in evidence[:MAX_QUOTES]:
        blocks = quote_blocks(item, notification.names)
        used += _size(blocks)
        if used > MAX_PAYLOAD:
            break
        quotes += blocks
    shown = len(quotes) // 2
    if quotes:
        card["body"].append({"type": "TextBlock", "text": "Evidence", "weight": "Bolder", "separator": True})
        card["body"] += quotes
    footer = f"{len(notification.alerts)} alert(s) · rule {rule} · situation {notification.fingerprint}"
    if len(evidence) > shown:
        footer += f" · {len(evidence) - shown} more quote(s) not shown"
    card["body"].append(rich(run(footer, isSubtle=True, size="Small"), separator=True))
    url = safe_url(notification.ack_url) if notification.ack_url else None
    if url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": ACK_LABEL, "url": url}]
    return message(card)


def render_follow_up(follow_up: FollowUp) -> dict[str, Any]:
    """The follow-up card: who acknowledged (with their comment) and which situation, as TextRuns."""
    mark = REPEAT_MARK if follow_up.possible_repeat else ""
    said = clip(one_line(mark + follow_up.text), MAX_SUMMARY)
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": escape_markdown(said),
        "body": [
            rich(run(said, weight="Bolder", color="Good")),
            rich(run(clip(one_line(follow_up.about), MAX_HEADLINE + MAX_NAME), isSubtle=True)),
        ],
    }
    return message(card)


class TeamsReceiver:
    """Posts to one Workflows webhook URL, a secret: it never appears in a log, error or metric."""

    def __init__(
        self, name: str, webhook_url: SecretStr, timeout: float = 10.0, clock: Clock | None = None
    ) -> None:
        self.name = name
        self._url = webhook_url
        self._timeout = timeout
        self._clock = clock or SystemClock()

    def send(self, notification: Notification) -> Verdict:
        return self._post(render(notification))

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        return self._post(render_follow_up(follow_up))

    def send_digest(self, digest: Digest) -> Verdict:
        from services.alert.receivers.teams_digest import render_digest  # it builds on this module

        return self._post(render_digest(digest))

    def _post(self, payload: dict[str, Any]) -> Verdict:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return post_json(self._url, body, "Teams", self._clock.now(), self._timeout)
