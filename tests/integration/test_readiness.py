"""Readiness asks each Kafka client whether it reaches a broker; these hold that to the real clients."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import aiokafka
import pytest

from streambase.kafka import group_session, make_consumer, settled_member
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


def test_a_consumer_is_a_settled_member_only_while_its_membership_stands(
    kafka_settings: KafkaSettings,
) -> None:
    topic = Topics.from_settings(kafka_settings).alerts
    group = f"{kafka_settings.topic_prefix}membership"
    session = group_session(timedelta(seconds=6))  # the old member leaves the group within this
    consumer = make_consumer(kafka_settings, "membership-test", group, **session)
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 30
        while not consumer.assignment() and time.monotonic() < deadline:
            consumer.poll(timeout_ms=200)
        assert consumer.assignment()
        assert settled_member(consumer)
        consumer._coordinator.reset_generation()  # what an UnknownMemberId answer after an outage does
        assert not settled_member(consumer)
        deadline = time.monotonic() + 60
        while not settled_member(consumer) and time.monotonic() < deadline:
            consumer.poll(timeout_ms=200)  # the next polls rejoin
        assert settled_member(consumer)
    finally:
        consumer.close()
