"""Which feeds this replica polls: the feeds on the partitions of the feeds topic its consumer group gives it.

Every replica joins one consumer group on the compacted feeds topic. Kafka hands each partition to exactly
one live member, so no feed is polled twice and none is forgotten; when a replica joins or stops sending
heartbeats, the group rebalances and the feeds move with their partitions. The feeds topic is re-read from
the start on every assignment (it is compacted: one record per feed), so no offsets are committed.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kafka import ConsumerRebalanceListener, KafkaConsumer, TopicPartition

from schemas import FeedSpec, InvalidMessage, decode
from services.ingest import metrics
from services.ingest.clients import close_quietly
from streambase.kafka import subscribe
from streambase.metrics import ConsumerLag
from streambase.readiness import Readiness

log = logging.getLogger(__name__)


class FeedAssignment:
    """Follows the group's assignment in a thread of its own; `snapshot()` is safe from any thread."""

    def __init__(
        self,
        consumer_factory: Callable[[], KafkaConsumer],
        feeds_topic: str,
        readiness: Readiness | None = None,
        lag: ConsumerLag | None = None,
    ) -> None:
        self._factory = consumer_factory
        self.topic = feeds_topic
        self._readiness = readiness
        self._lag = lag
        self._by_partition: dict[int, dict[str, FeedSpec]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ingest-assignment", daemon=True)
        self.generation = 0

    def start(self) -> FeedAssignment:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Leave the group at once, so the other replicas take these feeds over without waiting."""
        self._stop.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=15)

    def snapshot(self) -> dict[str, FeedSpec]:
        """Enabled feeds of the partitions assigned right now, by feed id."""
        with self._lock:
            return {
                feed.id: feed
                for feeds in self._by_partition.values()
                for feed in feeds.values()
                if feed.enabled
            }

    def partitions(self) -> list[int]:
        with self._lock:
            return sorted(self._by_partition)

    # --- the consuming thread -------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                consumer = self._factory()
            except Exception as exc:
                log.warning("cannot join the ingest group yet (%s); retrying", exc)
                if self._readiness:
                    self._readiness.observe(False, None)
                self._stop.wait(5)
                continue
            try:
                self._await_metadata(consumer)
                subscribe(consumer, [self.topic], _Listener(self, consumer))
                while not self._stop.is_set():
                    self._consume(consumer)
            except Exception:
                log.exception("following the feed assignment failed; rejoining")
                self._stop.wait(2)
            finally:
                self._assigned([])
                close_quietly(consumer, "feed assignment consumer")

    def _await_metadata(self, consumer: KafkaConsumer) -> None:
        """Join the group only once the feeds topic's partitions are known: a member that joins before gets
        no partitions, and kafka-python does not always rejoin when they appear."""
        while not self._stop.is_set() and not consumer.partitions_for_topic(self.topic):
            self._stop.wait(0.5)

    def _consume(self, consumer: KafkaConsumer) -> None:
        for tp, records in consumer.poll(timeout_ms=500).items():
            for record in records:
                self._apply(tp.partition, record.key, record.value)
        if self._readiness is not None and self._lag is not None:
            self._readiness.observe_consumer(consumer, self._lag)

    def _apply(self, partition: int, key: bytes | None, value: bytes | None) -> None:
        if key is None:
            return
        feed_id = key.decode("utf-8", errors="replace")
        with self._lock:
            feeds = self._by_partition.get(partition)
            if feeds is None:
                return  # revoked in the meantime
            if value is None:
                feeds.pop(feed_id, None)
                return
        try:
            feed = decode(FeedSpec, value)
        except InvalidMessage as exc:
            log.warning("ignoring unreadable feed %s on %s[%d]: %s", feed_id, self.topic, partition, exc)
            return
        with self._lock:
            if partition in self._by_partition:
                self._by_partition[partition][feed.id] = feed
        metrics.FEEDS_ASSIGNED.set(len(self.snapshot()))

    def _assigned(self, partitions: list[int]) -> None:
        with self._lock:
            self._by_partition = {p: self._by_partition.get(p, {}) for p in partitions}
            self.generation += 1
        metrics.FEEDS_ASSIGNED.set(len(self.snapshot()))

    def _revoke(self, partitions: set[int]) -> None:
        self._assigned([p for p in self.partitions() if p not in partitions])

    def _add(self, partitions: set[int]) -> list[int]:
        """Take these partitions on; return those that are new here and must be read from the start."""
        with self._lock:
            fresh = sorted(p for p in partitions if p not in self._by_partition)
        self._assigned(self.partitions() + fresh)
        return fresh


class _Listener(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: FeedAssignment, consumer: KafkaConsumer) -> None:
        self._owner = owner
        self._consumer = consumer

    def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        self._owner._revoke({tp.partition for tp in revoked})

    def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        fresh = self._owner._add({tp.partition for tp in assigned})
        if fresh:
            self._consumer.seek_to_beginning(*(TopicPartition(self._owner.topic, p) for p in fresh))
        log.info("feeds topic partitions assigned: %s", sorted(tp.partition for tp in assigned) or "none")
