"""Consumer lag and readiness against the real broker, read through a real /metrics and /readyz endpoint."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable

import pytest
from kafka import KafkaConsumer, KafkaProducer
from prometheus_client import CollectorRegistry

from streambase.health import HealthServer
from streambase.metrics import ConsumerLag
from streambase.readiness import Readiness
from streambase.topics import Topics
from tests.support import wait_until

pytestmark = pytest.mark.kafka


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def produce(producer: KafkaProducer, topic: str, count: int) -> None:
    for index in range(count):
        producer.send(topic, key=f"k{index}".encode(), value=b"{}").get(timeout=30)


def test_lag_counts_what_the_consumer_has_not_read_yet(
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    topics: Topics,
) -> None:
    produce(producer_factory(), topics.articles, 12)
    consumer = consumer_factory(topics.articles, max_poll_records=5)
    registry = CollectorRegistry()
    lag = ConsumerLag("classify", registry)
    read = wait_until(lambda: sum(len(b) for b in consumer.poll(timeout_ms=500).values()), what="records")
    lag.update(consumer)
    assert lag.total == 12 - read
    per_partition = [
        registry.get_sample_value(
            "newsmon_classify_consumer_lag_messages", {"topic": topics.articles, "partition": str(p)}
        )
        for p in range(3)
    ]
    assert sum(v or 0 for v in per_partition) == 12 - read


def test_readyz_turns_ready_once_the_consumer_has_partitions(
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    topics: Topics,
) -> None:
    produce(producer_factory(), topics.articles, 3)
    consumer = consumer_factory(topics.articles)
    registry = CollectorRegistry()
    readiness = Readiness()
    lag = ConsumerLag("alert", registry)
    server = HealthServer("127.0.0.1", 0, readiness.check, registry).start()
    base = f"http://127.0.0.1:{server.port}"
    try:
        status, body = get(base + "/readyz")
        assert (status, body.strip()) == (503, "starting: the consumer has not reported yet")

        def consumed_all() -> bool:
            consumer.poll(timeout_ms=200)
            readiness.observe_consumer(consumer, lag)
            lag.update(consumer)
            return bool(consumer.assignment()) and lag.total == 0

        wait_until(consumed_all, what="all three records consumed")
        readiness.observe_consumer(consumer, lag)
        status, body = get(base + "/readyz")
        assert status == 200, body
        assert body.strip() == "ready: 3 partitions assigned, lag 0"
        assert "newsmon_alert_consumer_lag_messages{partition=" in get(base + "/metrics")[1]
    finally:
        server.stop()
