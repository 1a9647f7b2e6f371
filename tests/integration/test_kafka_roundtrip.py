"""The foundation's Kafka adapters against the real broker."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from schemas import DeadLetter, InvalidMessage, RawArticle, decode
from streambase.clock import SystemClock
from streambase.deadletters import REASON_HEADER, DeadLetterSink
from streambase.kafka import make_admin, make_producer, send_and_wait
from streambase.records import RecordTooLarge
from streambase.settings import DeadLetterLimit, KafkaSettings
from streambase.topics import Topics, ensure_topics
from tests.support import drain

NOW = datetime(2025, 6, 17, 9, 30, tzinfo=UTC)


def article(n: int) -> RawArticle:
    return RawArticle(
        id=f"article-{n:04d}",
        feed_id="wire",
        source="Example Wire",
        url=f"https://news.example/{n}",
        title=f"Headline {n}",
        published_at=NOW,
        fetched_at=NOW,
    )


def test_ensure_topics_creates_every_topic_with_partitions_and_policy(kafka_settings: KafkaSettings) -> None:
    admin = make_admin(kafka_settings)
    try:
        names = Topics.from_settings(kafka_settings).all()
        described = {t["name"]: t for t in admin.describe_topics(list(names))}
        assert set(described) == set(names)
        assert all(len(t["partitions"]) == kafka_settings.partitions for t in described.values())
        seen_topic = Topics.from_settings(kafka_settings).seen
        configs = admin.describe_configs([ConfigResource(ConfigResourceType.TOPIC, seen_topic)])
        assert configs["topic"][seen_topic]["cleanup.policy"]["value"] == "compact,delete"
        assert ensure_topics(admin, kafka_settings) == [], "a second run creates nothing"
    finally:
        admin.close()


def test_articles_round_trip_through_the_broker_in_key_order(
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    producer = producer_factory()
    sent = [article(n) for n in range(50)]
    for item in sent:
        send_and_wait(producer, topics.articles, item.id, item)
    consumer = consumer_factory(topics.articles)
    records = drain(consumer, len(sent))
    received = [decode(RawArticle, r.value) for r in records]
    assert sorted(received, key=lambda a: a.id) == sent
    assert all(r.key.decode() == decode(RawArticle, r.value).id for r in records)


def test_dead_letters_carry_the_reason_and_the_payload(
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    clock = SystemClock()
    sink = DeadLetterSink(
        producer_factory(), topics.deadletter, "test", clock.now, clock.monotonic, DeadLetterLimit()
    )
    error = InvalidMessage("invalid_json", "line 1: expecting value")
    sink.send(topics.articles, 2, 41, b"k1", b"{oops", error)
    [record] = drain(consumer_factory(topics.deadletter), 1)
    letter = decode(DeadLetter, record.value)
    assert (letter.reason, letter.payload, letter.offset, letter.partition) == (
        "invalid_json",
        "{oops",
        41,
        2,
    )
    assert dict(record.headers)[REASON_HEADER] == b"invalid_json"


def test_a_message_over_the_record_limit_is_refused_as_invalid_not_as_a_broker_error(
    kafka_settings: KafkaSettings,
    topics: Topics,
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    settings = kafka_settings.model_copy(update={"max_record_bytes": 64 * 1024})
    producer = make_producer(settings, "test-size-guard")
    try:
        big = article(1).model_copy(update={"content": "x" * 70_000})
        with pytest.raises(RecordTooLarge, match="over the 65,536-byte record limit"):
            send_and_wait(producer, topics.articles, big.id, big)
        send_and_wait(producer, topics.articles, "article-0002", article(2))  # the producer goes on
    finally:
        producer.close(timeout=5)
    [record] = drain(consumer_factory(topics.articles), 1)
    assert record.key == b"article-0002"


def test_a_compacted_topic_of_an_older_release_gets_its_retention(kafka_settings: KafkaSettings) -> None:
    admin = make_admin(kafka_settings)
    seen_topic = Topics.from_settings(kafka_settings).seen
    try:
        old = {"cleanup.policy": "compact", "retention.ms": "-1"}
        admin.alter_configs([ConfigResource(ConfigResourceType.TOPIC, seen_topic, configs=old)])
        # A KRaft broker applies a config change a moment after the controller accepts it: start from the
        # old release's settings only once the broker serves them.
        assert _settles_to(admin, seen_topic, old)
        ensure_topics(admin, kafka_settings)
        assert _settles_to(
            admin,
            seen_topic,
            {"cleanup.policy": "compact,delete", "retention.ms": str(35 * 24 * 3600 * 1000)},
        )
    finally:
        admin.close()


def _settles_to(admin: KafkaAdminClient, topic: str, wanted: dict[str, str], timeout: float = 15.0) -> bool:
    """Whether the broker serves the wanted topic configs within the timeout."""
    resource = ConfigResource(ConfigResourceType.TOPIC, topic)
    deadline = time.monotonic() + timeout
    while True:
        configs = admin.describe_configs([resource])["topic"][topic]
        found = {key: configs.get(key, {}).get("value") for key in wanted}
        if found == wanted or time.monotonic() > deadline:
            return found == wanted
        time.sleep(0.2)
