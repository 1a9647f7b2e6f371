"""A generic signed webhook: a documented, versioned JSON body (docs/webhook.md) POSTed to any URL.

Each request carries `X-Newsmon-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with a
secret shared with the receiving end, so it can check that the body came from newsmon, unaltered and
recently (a replayed request carries an old `t`), and `X-Newsmon-Delivery: <notification id>`, which
stays the same when a notification is sent again (a retry, a possible repeat), so it can drop copies.
Every retry is signed anew with the time it is sent. JSON escaping is the body's escaping; the body is
bounded (`MAX_BODY_BYTES`) by leaving out the oldest alerts of a batch and counting them. Beside each topic
and signal id goes its taxonomy label (`topic_label`, `signal_labels`, `signal_label`), for whatever the
receiving end shows a person; the ids stay, for what it matches on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from pydantic import SecretStr

from schemas import Alert, AlertEvidence
from services.alert.digest import Digest
from services.alert.names import DisplayNames
from services.alert.notification import FollowUp, Notification
from services.alert.receivers.http import post_json
from services.alert.retry import Verdict
from streambase.clock import Clock, SystemClock

BODY_VERSION = 1
SIGNATURE_HEADER = "X-Newsmon-Signature"
DELIVERY_HEADER = "X-Newsmon-Delivery"
MAX_BODY_BYTES = 256_000
"""UTF-8 bytes of a body. Each alert is bounded where it is made (ten quotes, 300-character headlines,
links up to 2,000), so this only ever drops alerts of a very large batch."""
MAX_ALERTS = 50


def signature(secret: bytes, timestamp: int, body: bytes) -> str:
    """The header value: `t=<timestamp>,v1=<hex HMAC-SHA256 over b"<timestamp>." + body>`."""
    mac = hmac.new(secret, str(timestamp).encode("ascii") + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def _evidence(item: AlertEvidence, names: DisplayNames) -> dict[str, Any]:
    return {
        "article_id": item.article_id,
        "source": item.source,
        "title": item.title,
        "url": item.url,
        "signal": item.signal,
        "signal_label": names.signal(item.signal) if item.signal else None,
        "quote": item.quote,
        "sentence": item.sentence,
        "language": item.language,
        "published_at": item.published_at.isoformat(),
    }


def _alert(alert: Alert, names: DisplayNames) -> dict[str, Any]:
    return {
        "id": alert.id,
        "rule_id": alert.rule_id,
        "rule_kind": alert.rule_kind,
        "severity": alert.severity.value,
        "title": alert.title,
        "summary": alert.summary,
        "topic": alert.topic,
        "topic_label": names.topic(alert.topic) if alert.topic else None,
        "signals": list(alert.signals),
        "signal_labels": [names.signal(s) for s in alert.signals],
        "labels": dict(alert.labels),
        "distinct_sources": alert.distinct_sources,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "fired_at": alert.fired_at.isoformat(),
        "evidence": [_evidence(e, names) for e in alert.evidence],
    }


def body(notification: Notification, sent_at: datetime) -> dict[str, Any]:
    """Version 1 of the body; every field is described in docs/webhook.md."""
    alerts = sorted(notification.alerts, key=lambda a: (a.last_seen, a.fired_at), reverse=True)
    shown = [_alert(a, notification.names) for a in alerts[:MAX_ALERTS]]
    note = notification.acknowledged
    document: dict[str, Any] = {
        "version": BODY_VERSION,
        "type": "notification",
        "id": notification.id,
        "receiver": notification.receiver,
        "sent_at": sent_at.isoformat(),
        "possible_repeat": notification.possible_repeat,
        "situation": notification.fingerprint,
        "severity": notification.severity.value,
        "title": notification.title,
        "summary": notification.summary,
        "topic": notification.topic,
        "topic_label": notification.topic_label,
        "rule_id": notification.rule_id,
        "signals": list(notification.signals),
        "signal_labels": list(notification.signal_labels),
        "distinct_sources": notification.distinct_sources,
        "sources": list(notification.sources),
        "first_seen": notification.first_seen.isoformat(),
        "last_seen": notification.last_seen.isoformat(),
        "ack_url": notification.ack_url,
        "acknowledged_earlier": None
        if note is None
        else {"by": note.by, "at": note.at.isoformat(), "comment": note.comment, "reason": note.reason},
        "alerts": shown,
        "alerts_omitted": len(alerts) - len(shown),
    }
    sizes = [len(encode(a)) + 1 for a in shown]  # each alert once, not the whole body per dropped alert
    room = MAX_BODY_BYTES - len(encode(document | {"alerts": []})) - 16  # alerts_omitted may grow
    while len(sizes) > 1 and sum(sizes) > room:
        sizes.pop()
        shown.pop()
        document["alerts_omitted"] += 1
    return document


def follow_up_body(follow_up: FollowUp, sent_at: datetime) -> dict[str, Any]:
    """The follow-up body (`"type": "acknowledgement"`), described in docs/webhook.md."""
    return {
        "version": BODY_VERSION,
        "type": "acknowledgement",
        "id": follow_up.id,
        "receiver": follow_up.receiver,
        "sent_at": sent_at.isoformat(),
        "possible_repeat": follow_up.possible_repeat,
        "situation": follow_up.fingerprint,
        "title": follow_up.title,
        "topic_label": follow_up.topic_label,
        "acknowledged_by": follow_up.by,
        "comment": follow_up.comment,
        "acknowledged_at": follow_up.at.isoformat(),
    }


def encode(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class WebhookReceiver:
    """POSTs signed bodies to one URL. The URL and the secret never appear in a log, error or metric."""

    def __init__(
        self,
        name: str,
        url: SecretStr,
        secret: SecretStr,
        timeout: float = 10.0,
        clock: Clock | None = None,
    ) -> None:
        self.name = name
        self._url = url
        self._secret = secret
        self._timeout = timeout
        self._clock = clock or SystemClock()

    def send(self, notification: Notification) -> Verdict:
        now = self._clock.now()
        return self._post(encode(body(notification, now)), notification.id, now)

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        now = self._clock.now()
        return self._post(encode(follow_up_body(follow_up, now)), follow_up.id, now)

    def send_digest(self, digest: Digest) -> Verdict:
        from services.alert.receivers.webhook_digest import digest_body  # it builds on this module

        now = self._clock.now()
        return self._post(encode(digest_body(digest, now)), digest.id, now)

    def _post(self, data: bytes, delivery: str, now: datetime) -> Verdict:
        headers = {
            SIGNATURE_HEADER: signature(self._secret.get_secret_value().encode(), int(now.timestamp()), data),
            DELIVERY_HEADER: delivery,
        }
        return post_json(self._url, data, "the webhook", now, self._timeout, headers, (self._secret,))
