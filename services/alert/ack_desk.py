"""`/ack/<token>` on the alert service's HTTP port: GET shows the situation and a form, POST acknowledges.

Runs on the HTTP server's threads. Every replica serves it (behind one public URL): the token is checked
with the shared secret, the situation is looked up in the delivery records every replica follows, and the
acknowledgement goes to the acks topic, which every replica reads. A refused link gets 403 and the same
page whatever the reason; the reason only labels a metric.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs

from kafka.errors import KafkaError
from pydantic import SecretStr

from schemas import Acknowledgement
from services.alert import ack_page
from services.alert.ack_tokens import Claim, read
from services.alert.acks import AckBook, acknowledge, view_for
from services.alert.config import AckOptions
from services.alert.metrics import AlertMetrics
from services.alert.names import DisplayNames
from services.alert.situations import SituationLog
from streambase.clock import Clock
from streambase.health import Request, Response

log = logging.getLogger(__name__)

PREFIX = "/ack/"
Publish = Callable[[Acknowledgement], None]
"""Writes an acknowledgement to the acks topic and waits for the broker; raises KafkaError if it cannot."""


def span(length: timedelta) -> str:
    """ "24 hours", "7 days", "90 minutes"."""
    seconds = int(length.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'' if count == 1 else 's'}"
    return f"{seconds} seconds"


class AckDesk:
    def __init__(
        self,
        secret: SecretStr,
        options: AckOptions,
        acks: AckBook,
        situations: SituationLog,
        clock: Clock,
        metrics: AlertMetrics,
        names: DisplayNames,
    ) -> None:
        self._secret = secret.get_secret_value().encode()
        self._options = options
        self._acks = acks
        self._situations = situations
        self._clock = clock
        self._metrics = metrics
        self._names = names
        self._holds = span(options.holds_for)
        self.publish: Publish | None = None
        """Set while the service is connected to Kafka; until then the page asks to try again."""

    def __call__(self, request: Request) -> Response:
        now = self._clock.now()
        claim = read(self._secret, request.path.removeprefix(PREFIX), now, self._acks.used)
        if not isinstance(claim, Claim):
            self._metrics.ack_links_refused.labels(reason=claim.reason).inc()
            return Response(403, ack_page.refused_page(), ack_page.CONTENT_TYPE, ack_page.HEADERS)
        previous = self._acks.get(claim.situation)
        view = view_for(
            claim.situation, self._situations.records(claim.situation), previous, now, self._options
        )
        if view is None:  # the link's notification is not on record yet (it was just sent)
            return self._page(
                409, ack_page.message_page("Not yet", "This situation's notification is not on record yet; "
                                           "try again in a minute.")
            )  # fmt: skip
        if request.method != "POST":
            return self._page(200, ack_page.confirm_page(view, self._names, self._holds, now, previous))
        form = parse_qs(request.body.decode("utf-8", "replace"), max_num_fields=10)
        by, comment = form.get("by", [""])[0], form.get("comment", [""])[0]
        try:
            ack = acknowledge(view, by, comment, now, "link", self._options, claim.nonce, previous)
        except ValueError as exc:
            page = ack_page.confirm_page(view, self._names, self._holds, now, previous, str(exc), by, comment)
            return self._page(400, page)
        return self._record(ack)

    def _record(self, ack: Acknowledgement) -> Response:
        publish = self.publish
        try:
            if publish is None:
                raise KafkaError("not connected")
            publish(ack)
        except KafkaError as exc:
            log.warning("could not record an acknowledgement of %s (%s)", ack.situation, type(exc).__name__)
            text = "The acknowledgement could not be recorded just now; try again in a minute."
            return self._page(503, ack_page.message_page("Not recorded", text))
        self._acks.apply(ack.situation, ack)  # at once: the same link used again now is a replay
        log.info("situation %s acknowledged by %s through a link", ack.situation, ack.by)
        return self._page(200, ack_page.done_page(ack, self._holds))

    def _page(self, status: int, body: bytes) -> Response:
        return Response(status, body, ack_page.CONTENT_TYPE, ack_page.HEADERS)


def links_off_page(_request: Request) -> Response:
    """What /ack/ answers when this deployment issues no links."""
    return Response(404, b"acknowledge links are not enabled here (alerting.ack.public_base_url)\n")
