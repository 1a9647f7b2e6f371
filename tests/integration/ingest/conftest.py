"""Ingest integration fixtures: the real local feed server, and readers of this test's topics."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from kafka import KafkaConsumer

from streambase.settings import KafkaSettings
from tests.integration.ingest.replicas import topic_reader
from tests.servers import feed_server

__all__ = ["feed_server", "reader"]


@pytest.fixture
def reader(kafka_settings: KafkaSettings) -> Iterator[Callable[[str], KafkaConsumer]]:
    """Consumers of every partition of a topic from its start, outside any consumer group."""
    made: list[KafkaConsumer] = []

    def make(topic: str) -> KafkaConsumer:
        consumer = topic_reader(kafka_settings, topic)
        made.append(consumer)
        return consumer

    yield make
    for consumer in made:
        consumer.close()
