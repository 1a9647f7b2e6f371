"""Slack incoming webhooks with Block Kit, through slack-sdk's WebhookClient.

Feed text is untrusted: `&`, `<` and `>` are escaped everywhere it lands in mrkdwn, so a headline cannot
mention `<!channel>` or disguise a link. Sections stay under 3,000 characters and messages under 50 blocks.
Retries are not done inside the client (it would sleep and stall the consumer); the caller's delivery
queue retries, honouring Retry-After, using the verdict returned here.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from pydantic import SecretStr
from slack_sdk.webhook import WebhookClient

from newsmon.clock import Clock, SystemClock
from services.alert.notification import Notification
from services.alert.receivers.text import facts
from services.alert.retry import Permanent, Retry, Verdict, classify_http

log = logging.getLogger(__name__)

MAX_SECTION = 3000
MAX_BLOCKS = 50
MAX_HEADER = 150
SEVERITY_MARK = {
    "low": ":large_blue_circle:",
    "medium": ":large_yellow_circle:",
    "high": ":large_orange_circle:",
}


def escape(text: str) -> str:
    """Slack's three control characters as entities, so text is shown, never interpreted."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def fit(text: str, limit: int = MAX_SECTION) -> str:
    """Cut already escaped text to `limit` characters without splitting an entity."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&")
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def link(url: str, label: str) -> str:
    safe_url = escape(url).replace("|", "%7C").replace(" ", "%20")
    return f"<{safe_url}|{escape(label).replace('|', '¦')}>"


def slack_date(moment: datetime) -> str:
    """A date Slack shows in the reader's time zone, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _quote_block(notification: Notification, index: int) -> dict[str, Any]:
    item = notification.evidence[index]
    sentence = item.sentence or item.quote
    before, found, after = sentence.partition(item.quote) if item.quote else (sentence, "", "")
    quoted = escape(before) + (f"*{escape(found)}*" if found else "") + escape(after)
    source = link(item.url, item.title) if item.url else escape(item.title)
    signal = f" · `{escape(item.signal)}`" if item.signal else ""
    footer = f"— {source} ({escape(item.source)}, {slack_date(item.published_at)}){signal}"
    room = MAX_SECTION - len(footer) - 3
    return {"type": "section", "text": {"type": "mrkdwn", "text": f">{fit(quoted, room)}\n{footer}"}}


def render(notification: Notification) -> dict[str, Any]:
    """The webhook payload: `text` (notifications, fallback) and `blocks`."""
    severity = notification.severity.value
    mark = SEVERITY_MARK.get(severity, ":red_circle:")
    header = f"{severity.upper()}: {notification.title}"[:MAX_HEADER]
    fields = [
        {"type": "mrkdwn", "text": fit(f"*{label}*\n{escape(value)}", 2000)}
        for label, value in facts(notification)
        if label != "First seen"
    ]
    fields.append({"type": "mrkdwn", "text": f"*First seen*\n{slack_date(notification.first_seen)}"})
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header, "emoji": True}},
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": fit(f"{mark} {escape(notification.summary)}")},
        },
        {"type": "section", "fields": fields[:10]},
    ]
    evidence = notification.evidence
    room = MAX_BLOCKS - len(blocks) - 3
    shown = min(len(evidence), room)
    if evidence:
        blocks.append({"type": "divider"})
        blocks += [_quote_block(notification, i) for i in range(shown)]
    context = f"{len(notification.alerts)} alert(s) · rule `{escape(notification.rule_id)}`"
    if len(evidence) > shown:
        context += f" · {len(evidence) - shown} more quote(s) not shown"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": fit(context, 2000)}]})
    text = fit(f"{severity.upper()}: {escape(notification.title)} — {escape(notification.summary)}", 2000)
    return {"text": text, "blocks": blocks}


class SlackReceiver:
    """Posts to one incoming webhook. The URL is a secret: it never appears in a log, error or metric."""

    name = "slack"

    def __init__(self, webhook_url: SecretStr, timeout: float = 10.0, clock: Clock | None = None) -> None:
        quiet = logging.getLogger("newsmon.alert.slack_sdk")
        quiet.setLevel(logging.CRITICAL)  # the SDK logs the URL at debug level
        self._client = WebhookClient(
            webhook_url.get_secret_value(), timeout=int(max(1, timeout)), logger=quiet, retry_handlers=[]
        )
        self._clock = clock or SystemClock()

    def send(self, notification: Notification) -> Verdict:
        payload = render(notification)
        try:
            response = self._client.send(text=payload["text"], blocks=payload["blocks"], unfurl_links=False)
        except TimeoutError:
            return Retry("timeout")
        except OSError as exc:  # URLError, connection refused, DNS: name the kind only, never the URL
            return Retry("timeout" if "timed out" in str(exc) else "connection_error")
        headers = {k.lower(): v for k, v in (response.headers or {}).items()}
        verdict = classify_http(response.status_code, headers.get("retry-after"), self._clock.now())
        if isinstance(verdict, Permanent):
            body = (response.body or "").strip()[:200]
            return Permanent(verdict.reason, f"Slack answered {response.status_code}: {body}")
        return verdict
