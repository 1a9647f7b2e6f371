"""The configured feed list, published to the compacted feeds topic that replicas share out.

The YAML config is the source of truth. Publishing writes only what changed: new or edited feeds as records,
feeds no longer configured as tombstones. Running replicas follow the topic, so a publish reaches them
without a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer

from schemas import FeedSpec, InvalidMessage, decode, encode
from services.ingest.clients import close_quietly
from streambase.tables import read_compacted

log = logging.getLogger(__name__)

ACK_TIMEOUT = 30.0


@dataclass(frozen=True)
class FeedChanges:
    upserts: tuple[FeedSpec, ...]
    removals: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.upserts or self.removals)


def diff(published: dict[str, FeedSpec | None], wanted: Sequence[FeedSpec]) -> FeedChanges:
    """What to write so the topic holds exactly `wanted`."""
    ids = {feed.id for feed in wanted}
    upserts = tuple(feed for feed in wanted if published.get(feed.id) != feed)
    removals = tuple(sorted(feed_id for feed_id in published if feed_id not in ids))
    return FeedChanges(upserts, removals)


def read_published(consumer: KafkaConsumer, topic: str) -> dict[str, FeedSpec | None]:
    """Every feed on the feeds topic; None where a record is unreadable (it will be rewritten)."""
    feeds: dict[str, FeedSpec | None] = {}
    for feed_id, value in read_compacted(consumer, topic).items():
        if value is None:
            continue
        try:
            feeds[feed_id] = decode(FeedSpec, value)
        except InvalidMessage as exc:
            log.warning("unreadable feed %s on the feeds topic will be replaced: %s", feed_id, exc)
            feeds[feed_id] = None
    return feeds


def publish(
    producer: KafkaProducer,
    consumer_factory: Callable[[], KafkaConsumer],
    topic: str,
    wanted: Sequence[FeedSpec],
) -> FeedChanges:
    """Make the feeds topic match `wanted`; every write is acknowledged before this returns."""
    consumer = consumer_factory()
    try:
        changes = diff(read_published(consumer, topic), wanted)
    finally:
        close_quietly(consumer, "feeds topic reader")
    futures = [producer.send(topic, key=f.id.encode(), value=encode(f)) for f in changes.upserts]
    futures += [producer.send(topic, key=feed_id.encode(), value=None) for feed_id in changes.removals]
    for future in futures:
        future.get(timeout=ACK_TIMEOUT)
    if changes:
        log.info(
            "feed list published: %d added or changed, %d removed",
            len(changes.upserts),
            len(changes.removals),
        )
    return changes
