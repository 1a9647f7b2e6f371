"""Readiness asks each Kafka client whether it reaches a broker; these hold that to the real clients."""

from __future__ import annotations

import asyncio

import aiokafka
import pytest

from streambase.kafka import make_consumer
from streambase.readiness import aiokafka_connected, kafka_connected
from streambase.settings import KafkaSettings
from streambase.topics import Topics

pytestmark = pytest.mark.kafka


def test_an_aiokafka_client_is_connected_only_between_start_and_stop(kafka_settings: KafkaSettings) -> None:
    async def states() -> list[bool]:
        consumer = aiokafka.AIOKafkaConsumer(
            bootstrap_servers=kafka_settings.bootstrap_servers, group_id="readiness-test"
        )
        seen = [aiokafka_connected(consumer._client)]
        await consumer.start()
        consumer.subscribe([Topics.from_settings(kafka_settings).articles])
        await consumer.getmany(timeout_ms=2000)  # joins the group and fetches, as a running worker does
        seen.append(aiokafka_connected(consumer._client))
        await consumer.stop()
        seen.append(aiokafka_connected(consumer._client))
        return seen

    assert asyncio.run(states()) == [False, True, False]


def test_a_kafka_python_consumer_is_connected_until_closed(kafka_settings: KafkaSettings) -> None:
    consumer = make_consumer(kafka_settings, "readiness-test", None)
    try:
        consumer.topics()  # one metadata round trip opens the connection
        assert kafka_connected(consumer)
    finally:
        consumer.close()
    assert not kafka_connected(consumer)
