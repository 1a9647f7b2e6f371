"""Mattermost incoming webhooks: a Slack-like payload (`text` and one attachment with fields and quotes).

Feed text is untrusted. Mattermost renders markdown, turns `@channel`, `@here` and `@all` into mentions
that notify everyone, and (for Slack compatibility) turns `<!channel>` and `<url|label>` into the same, so
every piece of feed text is escaped: `&`, `<`, `>` as entities (no `<...>` token survives), markdown
punctuation with a backslash, and a zero-width space after each `@`, which breaks a mention without
changing how it reads. Limits: a post's text is at most 16,383 characters (Mattermost counts code points);
older servers refuse attachments whose JSON is over 7,900 characters, so the attachment is kept below that
whatever the server version, and quotes beyond it are counted. Render is pure; the receiver POSTs.
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
    isolated,
    one_line,
    quote_parts,
    take_within,
    when,
)
from services.alert.retry import Verdict
from streambase.clock import Clock, SystemClock

MAX_TEXT = 16_383
"""A post's message, in code points (Mattermost's MaxPostSize since 5.0)."""
MAX_ATTACHMENTS_JSON = 7_800
"""Characters of the attachments' JSON: older servers refuse over 7,900 ("Maximum attachments length")."""
MAX_HEADLINE = 300
MAX_SUMMARY = 2000
MAX_SENTENCE = 600
MAX_TITLE = 300
MAX_NAME = 100
MAX_URL = 1000
MAX_FIELD_VALUE = 300
MAX_QUOTES = 10
REPEAT_MARK = "(possible repeat) "
COLOURS = {"low": "#3b82f6", "medium": "#ca8a04", "high": "#ea580c", "critical": "#dc2626"}
_MARKDOWN = re.compile(r"([\\`*_~\[\]()#|!])")
_UNSAFE_IN_URL = re.compile(r"[\s()<>\[\]]")


def escape(text: str) -> str:
    """One line of feed text shown as written: no markdown, no mention, no link token."""
    return escape_part(one_line(text))


def escape_part(text: str) -> str:
    """`escape` for a piece of a line, whose edge spaces matter."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", text).replace("@", "@\u200b")


def plain(text: str) -> str:
    """One line for a plain-text field (the notification preview): no mention and no `<...>` token
    survive, and nothing is shown as an entity."""
    text = one_line(text).replace("<", "\u2039").replace(">", "\u203a").replace("@", "@\u200b")
    return clip(text, MAX_HEADLINE)


def link(url: str, label: str) -> str:
    """`[label](url)` for a short http(s) URL; the label alone (with a note) otherwise."""
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")) or len(url) > MAX_URL:
        return f"{label} (link too long to show)" if len(url) > MAX_URL else label
    return f"[{label}]({_UNSAFE_IN_URL.sub(lambda m: f'%{ord(m.group()):02X}', url)})"


def headline(notification: Notification) -> str:
    mark = REPEAT_MARK if notification.possible_repeat else ""
    title = clip(one_line(notification.title), MAX_HEADLINE)
    return f"{mark}{notification.severity.value.upper()}: {title}"


def quote(item: AlertEvidence, names: DisplayNames = NO_NAMES) -> str:
    """`> sentence with **quote**` then `— [title](url) (source, date) · signal label`."""
    before, found, after = quote_parts(item)
    said = escape_part(before) + (f"**{escape_part(found)}**" if found else "") + escape_part(after)
    said = isolated(said, item)
    title = escape(clip(one_line(item.title), MAX_TITLE)) or "(untitled)"
    article = link(item.url, title) if item.url else title
    signal = f" · {escape(clip(one_line(names.signal(item.signal)), MAX_NAME))}" if item.signal else ""
    source = escape(clip(one_line(item.source), MAX_NAME))
    return f"> {said}\n— {article} ({source}, {when(item.published_at)}){signal}"


def _text(notification: Notification) -> str:
    lines = [f"#### {escape(headline(notification))}"]
    if notification.possible_repeat:
        lines.append(f"_{escape(REPEAT_NOTE)}_")
    note = ack_note(notification)
    if note:
        lines.append(f"_{escape(note)}_")
    lines.append(escape(clip(notification.summary, MAX_SUMMARY)))
    if notification.ack_url:
        lines.append(f"**{link(notification.ack_url, ACK_LABEL)}**")
    return clip("\n".join(lines), MAX_TEXT)


def _attachment(notification: Notification) -> dict[str, Any]:
    fields = [
        {"short": True, "title": label, "value": clip(escape(value), MAX_FIELD_VALUE)}
        for label, value in facts(notification)
    ]
    attachment: dict[str, Any] = {
        "fallback": plain(headline(notification)),
        "color": COLOURS.get(notification.severity.value, "#dc2626"),
        "fields": fields,
        "text": "",
        "footer": clip(
            f"{len(notification.alerts)} alert(s) · rule {one_line(notification.rule_id)} · "
            f"situation {notification.fingerprint}",
            300,
        ),
    }
    quotes = [quote(item, notification.names) for item in notification.evidence]
    room = MAX_ATTACHMENTS_JSON - _size([attachment]) - 100
    kept, omitted = take_within(quotes, room, _size, most=MAX_QUOTES)
    attachment["text"] = "\n\n".join(kept)
    if omitted:
        attachment["footer"] += f" · {omitted} more quote(s) not shown"
    return attachment


def _size(value: Any) -> int:
    """Characters of `value` as JSON, as the server counts them (escapes included)."""
    return len(json.dumps(value, ensure_ascii=False))


def render(
    notification: Notification, channel: str | None = None, username: str | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"text": _text(notification), "attachments": [_attachment(notification)]}
    if channel:
        payload["channel"] = channel
    if username:
        payload["username"] = username
    return payload


def render_follow_up(
    follow_up: FollowUp, channel: str | None = None, username: str | None = None
) -> dict[str, Any]:
    """The follow-up as one short post: who acknowledged, their comment, which situation; all escaped."""
    mark = REPEAT_MARK if follow_up.possible_repeat else ""
    text = f":white_check_mark: **{escape(mark + follow_up.text)}**\n{escape(follow_up.about)}"
    payload: dict[str, Any] = {"text": clip(text, MAX_TEXT)}
    if channel:
        payload["channel"] = channel
    if username:
        payload["username"] = username
    return payload


class MattermostReceiver:
    """Posts to one incoming-webhook URL, a secret: it never appears in a log, error or metric."""

    def __init__(
        self,
        name: str,
        webhook_url: SecretStr,
        channel: str | None = None,
        username: str | None = None,
        timeout: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self._url = webhook_url
        self._channel, self._username = channel, username
        self._timeout = timeout
        self._clock = clock or SystemClock()

    def send(self, notification: Notification) -> Verdict:
        return self._post(render(notification, self._channel, self._username))

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        return self._post(render_follow_up(follow_up, self._channel, self._username))

    def send_digest(self, digest: Digest) -> Verdict:
        from services.alert.receivers.mattermost_digest import render_digest  # it builds on this module

        return self._post(render_digest(digest, self._channel, self._username))

    def _post(self, payload: dict[str, Any]) -> Verdict:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        return post_json(self._url, body, "Mattermost", self._clock.now(), self._timeout)
