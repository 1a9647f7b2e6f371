"""The one compacted-topic reader against the real broker: read to the end, then follow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from kafka import KafkaConsumer, KafkaProducer

from schemas import Silence, encode
from streambase.kafka import make_consumer, send_and_wait
from streambase.settings import KafkaSettings
from streambase.tables import TopicTail, read_compacted
from streambase.topics import Topics

T0 = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)


def silence(silence_id: str, comment: str = "") -> Silence:
    return Silence(
        id=silence_id,
        matchers={"topic": "iran_israel"},
        starts_at=T0,
        ends_at=T0.replace(year=2030),
        comment=comment,
        created_at=T0,
    )


def test_the_latest_value_of_every_key_is_read_with_tombstones_as_none(
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    producer = producer_factory()
    send_and_wait(producer, topics.silences, "s1", silence("s1", "first"))
    send_and_wait(producer, topics.silences, "s1", silence("s1", "second"))
    send_and_wait(producer, topics.silences, "s2", silence("s2"))
    producer.send(topics.silences, key=b"s2", value=None).get(30)
    latest = read_compacted(consumer_factory(), topics.silences)
    assert latest == {"s1": encode(silence("s1", "second")), "s2": None}


def test_a_topic_that_does_not_exist_reads_as_empty(consumer_factory: Callable[..., KafkaConsumer]) -> None:
    assert read_compacted(consumer_factory(), "no-such-topic-here", timeout=5) == {}


def test_a_tail_loads_to_the_end_then_follows_what_is_written_later(
    kafka_settings: KafkaSettings, topics: Topics, producer_factory: Callable[..., KafkaProducer]
) -> None:
    producer = producer_factory()
    send_and_wait(producer, topics.silences, "s1", silence("s1"))
    producer.send(topics.silences, key=b"bad", value=b"{not json").get(30)
    state: dict[str, Silence] = {}

    def apply(key: str, value: Silence | None) -> None:
        if value is None:
            state.pop(key, None)
        else:
            state[key] = value

    tail = TopicTail(make_consumer(kafka_settings, "test-tail", None), topics.silences, Silence, apply)
    try:
        tail.start(timeout=30)
        assert set(state) == {"s1"}, "the unreadable record is skipped"
        send_and_wait(producer, topics.silences, "s2", silence("s2"))
        producer.send(topics.silences, key=b"s1", value=None).get(30)
        tail.catch_up(timeout=30)
        assert set(state) == {"s2"}
    finally:
        tail.close()
