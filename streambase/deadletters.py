"""Dead letters: what a service cannot use goes to the dead-letter topic with its reason, until too much does.

A consumer that quietly dead-letters everything hides a broken producer or a schema mismatch until the data
is gone. As arroyo's DLQ limit does, a budget counts valid and invalid messages and stops the consumer, with
a message that says what to check, once too many in a row, or too large a share of the recent ones, fail.
Log lines are limited too: one per reason every `LOG_EVERY` seconds, with a count of the rest.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable
from datetime import datetime

from kafka import KafkaProducer

from schemas import DeadLetter, InvalidMessage, encode, payload_preview
from streambase.settings import DeadLetterLimit

log = logging.getLogger("deadletters")

REASON_HEADER = "newsmon-dlq-reason"
LOG_EVERY = 10.0
ACK_TIMEOUT = 30.0


class DeadLetterFlood(RuntimeError):
    """Too many unusable messages: the consumer stops rather than dead-letter everything."""


class FloodGuard:
    """Counts what a consumer took and what it dead-lettered; raises DeadLetterFlood past the limit."""

    def __init__(self, limit: DeadLetterLimit, source: str) -> None:
        self._limit = limit
        self._source = source
        self._recent: deque[bool] = deque(maxlen=limit.sample)
        self._invalid_recent = 0
        self._consecutive = 0

    def valid(self) -> None:
        self._remember(False)
        self._consecutive = 0

    def invalid(self, reason: str) -> None:
        """Count one dead letter; raise when it makes a flood."""
        self._remember(True)
        self._consecutive += 1
        limit = self._limit
        if self._consecutive >= limit.max_consecutive:
            raise DeadLetterFlood(
                f"stopping: {self._consecutive} messages in a row from {self._source} could not be used "
                f"(last reason: {reason}). Check what produces to it (a schema change, another program "
                f"writing there), then restart; the limit is NEWSMON_DEADLETTER_MAX_CONSECUTIVE "
                f"({limit.max_consecutive})."
            )
        if self._invalid_recent >= limit.max_ratio * limit.sample:
            raise DeadLetterFlood(
                f"stopping: {self._invalid_recent} of the last {len(self._recent)} messages from "
                f"{self._source} could not be used (last reason: {reason}). Check what produces to it, "
                f"then restart; the limit is NEWSMON_DEADLETTER_MAX_RATIO "
                f"({limit.max_ratio:g} of {limit.sample})."
            )

    def _remember(self, invalid: bool) -> None:
        if len(self._recent) == self._recent.maxlen and self._recent[0]:
            self._invalid_recent -= 1
        self._recent.append(invalid)
        self._invalid_recent += invalid


class LogLimiter:
    """One log line per key every `every` seconds; how many were held back is said on the next line."""

    def __init__(self, monotonic: Callable[[], float], every: float = LOG_EVERY) -> None:
        self._monotonic = monotonic
        self._every = every
        self._last: dict[str, tuple[float, int]] = {}

    def held_back(self, key: str) -> int | None:
        """None: stay quiet. Otherwise log now, mentioning the returned number of lines held back."""
        now = self._monotonic()
        last = self._last.get(key)
        if last is not None and now - last[0] < self._every:
            self._last[key] = (last[0], last[1] + 1)
            return None
        self._last[key] = (now, 0)
        return last[1] if last is not None else 0


def dead_letter(
    service: str,
    error: InvalidMessage,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    now: datetime,
) -> DeadLetter:
    """The dead letter for a message, in the same shape every service writes."""
    return DeadLetter(
        service=service,
        topic=topic,
        partition=partition,
        offset=offset,
        key=key.decode("utf-8", errors="replace")[:1000] if key is not None else None,
        reason=error.reason,
        error=error.detail[:2000],
        payload=payload_preview(value),
        failed_at=now,
    )


def log_dead_letter(limiter: LogLimiter, letter: DeadLetter) -> None:
    held = limiter.held_back(letter.reason)
    if held is not None:
        more = f" [{held} more dead-lettered for this reason since the last line]" if held else ""
        log.warning(
            "dead-lettered %s[%d]@%d: %s: %s%s",
            letter.topic, letter.partition, letter.offset, letter.reason, letter.error[:300], more,
        )  # fmt: skip


class DeadLetterSink:
    """Sends what a kafka-python service cannot use to the dead-letter topic, with the reason as a header,
    and stops the service (DeadLetterFlood) when its guard says the messages of a source are mostly unusable.
    """

    def __init__(
        self,
        producer: KafkaProducer,
        topic: str,
        service: str,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        limit: DeadLetterLimit,
    ) -> None:
        self._producer = producer
        self._topic = topic
        self._service = service
        self._now = now
        self._limit = limit
        self._guards: dict[str, FloodGuard] = {}
        self._logs = LogLimiter(monotonic)

    def guard(self, source: str) -> FloodGuard:
        """The flood guard of one input topic; call `valid()` on it for every message used."""
        found = self._guards.get(source)
        if found is None:
            found = self._guards[source] = FloodGuard(self._limit, source)
        return found

    def send(
        self,
        topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        error: InvalidMessage,
    ) -> None:
        """Write the dead letter and wait for the broker; then count it, which may raise DeadLetterFlood."""
        letter = dead_letter(self._service, error, topic, partition, offset, key, value, self._now())
        headers = [(REASON_HEADER, error.reason.encode())]
        self._producer.send(self._topic, key=key, value=encode(letter), headers=headers).get(ACK_TIMEOUT)
        log_dead_letter(self._logs, letter)
        self.guard(topic).invalid(error.reason)
