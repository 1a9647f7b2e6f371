"""The digests' reading of the alerts and trends topics, outside any consumer group.

Why the topics and not the notify stage's state: the notify stage sees only its own partitions and keeps
nothing across a restart, while a digest needs every alert of its period, whichever replica owns the
situation, and must say the same after a crash. The alerts topic keeps alerts 30 days and trend windows 7,
longer than any period's digest waits. So every replica reads both topics from the start of the last
complete period of any digest (by record time, `offsets_for_times`) to their end at start, then follows
them, and `DigestBook` keeps only the periods still to be sent. Before a digest is built the feed reads to
the topics' current end, so it holds every alert fired before the period ended.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from kafka import KafkaConsumer

from schemas import Alert, InvalidMessage, TrendWindow, decode
from services.alert.digest_book import DigestBook
from streambase.clock import Clock
from streambase.tables import TopicFollower
from streambase.topics import Topics

log = logging.getLogger(__name__)

SEEK_SLACK = timedelta(minutes=10)
"""Read from this long before a period starts: a record's time is when it was produced, which can come a
little before the alert's `fired_at` on a replica whose clock runs late."""
PRUNE_EVERY = 60.0


class DigestFeed:
    def __init__(self, consumer: KafkaConsumer, topics: Topics, book: DigestBook, clock: Clock) -> None:
        self._follower = TopicFollower(consumer, [topics.alerts, topics.trends])
        self._alerts, self._trends = topics.alerts, topics.trends
        self.book = book
        self._clock = clock
        self._next_prune = clock.monotonic() + PRUNE_EVERY
        self.loaded = 0

    def start(self, timeout: float = 60.0) -> None:
        """Read both topics from the start of the earliest period still to be sent, to their end."""
        self._follower.assign(timeout)
        since = min(self.book.keep_from(self._clock.now()).values(), default=self._clock.now())
        self._seek(since - SEEK_SLACK)
        self._follower.note_ends()
        self._follower.read_to_end(self._take, timeout)

    def _seek(self, since: datetime) -> None:
        consumer = self._follower.consumer
        assigned = list(consumer.assignment())
        if not assigned:
            return
        ms = int(since.timestamp() * 1000)
        found = consumer.offsets_for_times({tp: ms for tp in assigned})
        for tp in assigned:
            at = found.get(tp)
            if at is None:
                consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, at.offset)

    def poll(self) -> int:
        before = self.loaded
        for entry in self._follower.poll(0):
            self._take(*entry)
        if self._clock.monotonic() >= self._next_prune:
            self._next_prune = self._clock.monotonic() + PRUNE_EVERY
            self.book.prune(self._clock.now())
        return self.loaded - before

    def catch_up(self, timeout: float = 60.0) -> None:
        """Read up to the topics' ends as they are now."""
        self._follower.note_ends()
        self._follower.read_to_end(self._take, timeout)

    def _take(self, topic: str, key: str, value: bytes | None) -> None:
        if value is None:
            return
        now = self._clock.now()
        try:
            if topic == self._alerts:
                self.book.add_alert(decode(Alert, value), now)
            elif topic == self._trends:
                self.book.add_trend(decode(TrendWindow, value), now)
        except InvalidMessage as exc:  # the notify stage dead-letters bad alerts; here it is only skipped
            log.debug("digests: skipping unreadable %s record %r: %s", topic, key, exc.reason)
            return
        self.loaded += 1

    def close(self) -> None:
        self._follower.close()
