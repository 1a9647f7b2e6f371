"""Tails the seen and health topics so every replica knows what all replicas produced and how feeds fare.

One consumer outside any group reads every partition of both compacted topics from the start, then keeps
following them. `seen.loaded` is set once the topics were read to the end they had at start-up: before
that, nothing may be produced (an article another replica produced would look new). Marks older than the
retention are not loaded: the fetch loop skips entries dated before it, so memory stays bounded.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import timedelta

from kafka import KafkaConsumer

from schemas import InvalidMessage, SeenArticle, decode
from services.ingest.clients import close_quietly
from services.ingest.health import FeedHealth
from services.ingest.seen import SeenIds
from streambase.clock import Clock
from streambase.tables import TopicFollower

log = logging.getLogger(__name__)


class SharedStateTailer:
    def __init__(
        self,
        consumer_factory: Callable[[], KafkaConsumer],
        seen_topic: str,
        health_topic: str,
        seen: SeenIds,
        clock: Clock,
        retention: timedelta,
    ) -> None:
        self._factory = consumer_factory
        self._seen_topic = seen_topic
        self._health_topic = health_topic
        self.seen = seen
        self._clock = clock
        self._retention = retention
        self._health: dict[str, FeedHealth] = {}
        self._expired: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingest-shared-state", daemon=True)

    def start(self) -> SharedStateTailer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=10)

    def health(self, feed_id: str) -> FeedHealth | None:
        with self._lock:
            return self._health.get(feed_id)

    def all_health(self) -> dict[str, FeedHealth]:
        with self._lock:
            return dict(self._health)

    def take_expired(self) -> list[str]:
        """Ids whose marks outlived the retention since the last call: to be deleted from the seen topic."""
        with self._lock:
            expired, self._expired = self._expired, []
        return expired

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                consumer = self._factory()
            except Exception as exc:  # broker unreachable: retry until stopped
                log.warning("cannot read shared ingest state yet (%s); retrying", exc)
                self._stop.wait(5)
                continue
            try:
                self._follow(consumer)
            except Exception:
                log.exception("reading shared ingest state failed; reconnecting")
                self._stop.wait(2)
            finally:
                close_quietly(consumer, "shared state consumer")

    def _follow(self, consumer: KafkaConsumer) -> None:
        follower = TopicFollower(consumer, (self._seen_topic, self._health_topic))
        follower.assign(stop=self._stop)
        while not self._stop.is_set():
            for topic, key, value in follower.poll(500):
                self._apply(topic, key, value)
            if not self.seen.loaded.is_set() and follower.caught_up:
                self.seen.loaded.set()
                log.info(
                    "shared state loaded: %d article ids seen, %d feed health records",
                    len(self.seen),
                    len(self._health),
                )

    def _apply(self, topic: str, name: str, value: bytes | None) -> None:
        try:
            if topic == self._seen_topic:
                if value is None:
                    self.seen.discard(name)
                else:
                    mark = decode(SeenArticle, value)
                    if self._clock.now() - mark.first_seen_at <= self._retention:
                        self.seen.add(mark.article_id, mark.first_seen_at)
                    else:
                        with self._lock:
                            self._expired.append(name)
            elif value is None:
                with self._lock:
                    self._health.pop(name, None)
            else:
                health = decode(FeedHealth, value)
                with self._lock:
                    self._health[health.feed_id] = health
        except InvalidMessage as exc:
            log.warning("ignoring unreadable record on %s (key %s): %s", topic, name, exc)
