"""Integration fixtures: a fresh topic prefix per test, with factories for clients that close themselves."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from kafka import KafkaConsumer, KafkaProducer

from streambase.kafka import create_pipeline_topics, make_consumer, make_producer
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.support import remove_topics

pytestmark = pytest.mark.kafka


@pytest.fixture
def kafka_settings(
    request: pytest.FixtureRequest, kafka_bootstrap: str, unique_name: Callable[[str], str]
) -> Iterator[KafkaSettings]:
    """Settings whose topics belong to this test alone: created before it starts, deleted after it ends, so a
    long-lived broker does not run out of file handles under thousands of partitions. Three partitions per
    topic, or as many as an indirect parametrisation asks for."""
    partitions = getattr(request, "param", 3)
    settings = KafkaSettings(
        bootstrap=kafka_bootstrap, topic_prefix=unique_name("t") + ".", partitions=partitions
    )
    create_pipeline_topics(settings)
    yield settings
    remove_topics(settings)


@pytest.fixture
def topics(kafka_settings: KafkaSettings) -> Topics:
    return Topics.from_settings(kafka_settings)


@pytest.fixture
def producer_factory(kafka_settings: KafkaSettings) -> Iterator[Callable[..., KafkaProducer]]:
    made: list[KafkaProducer] = []

    def make(**overrides: Any) -> KafkaProducer:
        producer = make_producer(kafka_settings, "test-producer", **overrides)
        made.append(producer)
        return producer

    yield make
    for producer in made:
        producer.close(timeout=5)


@pytest.fixture
def consumer_factory(
    kafka_settings: KafkaSettings, unique_name: Callable[[str], str]
) -> Iterator[Callable[..., KafkaConsumer]]:
    made: list[KafkaConsumer] = []

    def make(*topic_names: str, group_id: str | None = None, **overrides: Any) -> KafkaConsumer:
        consumer = make_consumer(
            kafka_settings, "test-consumer", group_id or unique_name("g"), topic_names, **overrides
        )
        made.append(consumer)
        return consumer

    yield make
    for consumer in made:
        consumer.close()
