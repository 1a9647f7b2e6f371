"""Slack incoming webhooks with Block Kit, through slack-sdk's WebhookClient.

The payload comes from `slack_render` (escaped, within Slack's limits). Should Slack still refuse the blocks
(400), the message goes once more as plain text before anything counts as failed: a reader gets the alert
with less layout rather than not at all. Retries are not done inside the client (it would sleep and stall
the consumer); the caller's delivery queue retries, honouring Retry-After, using the verdict returned here.
"""

from __future__ import annotations

import logging
from typing import Any

from pydantic import SecretStr
from slack_sdk.webhook import WebhookClient

from services.alert.digest import Digest
from services.alert.notification import FollowUp, Notification
from services.alert.receivers.slack_digest import render_digest
from services.alert.receivers.slack_render import render, render_follow_up, render_plain
from services.alert.retry import Permanent, Retry, Verdict, classify_http
from streambase.clock import Clock, SystemClock

__all__ = ["SlackReceiver", "render", "render_plain"]

log = logging.getLogger(__name__)

BLOCKS_REFUSED = "http_400"
"""The verdict reason of a 400: Slack refused the payload as malformed (e.g. `invalid_blocks`)."""


class SlackReceiver:
    """Posts to one incoming webhook. The URL is a secret: it never appears in a log, error or metric."""

    def __init__(
        self,
        webhook_url: SecretStr,
        timeout: float = 10.0,
        clock: Clock | None = None,
        name: str = "slack",
    ) -> None:
        self.name = name
        quiet = logging.getLogger("newsmon.alert.slack_sdk")
        quiet.setLevel(logging.CRITICAL)  # the SDK logs the URL at debug level
        self._client = WebhookClient(
            webhook_url.get_secret_value(), timeout=int(max(1, timeout)), logger=quiet, retry_handlers=[]
        )
        self._clock = clock or SystemClock()

    def send(self, notification: Notification) -> Verdict:
        verdict = self._post(render(notification))
        if not (isinstance(verdict, Permanent) and verdict.reason == BLOCKS_REFUSED):
            return verdict
        log.warning(
            "%s: blocks of %s refused (%s); sending plain text", self.name, notification.id, verdict.detail
        )
        fallback = self._post(render_plain(notification))
        if isinstance(fallback, Permanent):
            detail = f"blocks refused ({verdict.detail}); plain text refused too ({fallback.detail})"
            return Permanent(fallback.reason, detail)
        return fallback

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        return self._post(render_follow_up(follow_up))

    def send_digest(self, digest: Digest) -> Verdict:
        return self._post(render_digest(digest))

    def _post(self, payload: dict[str, Any]) -> Verdict:
        try:
            response = self._client.send(
                text=payload["text"], blocks=payload.get("blocks"), unfurl_links=False
            )
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
