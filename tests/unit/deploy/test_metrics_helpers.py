"""Shared metric helpers: build info, consumer lag per partition, and what /readyz answers."""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace

import pytest
from kafka.structs import TopicPartition
from prometheus_client import CollectorRegistry

from streambase import __version__
from streambase.clock import ManualClock
from streambase.metrics import ConsumerLag, build_info, partition_lag, ready_gauge
from streambase.readiness import Readiness, Snapshot, verdict


class FakeConsumer:
    """Offsets as a broker would report them; records how often the broker was asked for end offsets."""

    def __init__(self, highwater: dict[TopicPartition, int | None], position: dict[TopicPartition, int]):
        self.highwaters = highwater
        self.positions = position
        self.end_offset_calls = 0
        self.broker_end: dict[TopicPartition, int] = {}
        self.connected = True

    def assignment(self) -> set[TopicPartition]:
        return set(self.positions)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.highwaters.get(partition)

    def position(self, partition: TopicPartition, timeout_ms: int | None = None) -> int | None:
        return self.positions[partition]

    def end_offsets(
        self, partitions: list[TopicPartition], timeout_ms: int | None = None
    ) -> Mapping[TopicPartition, int]:
        self.end_offset_calls += 1
        return {tp: self.broker_end[tp] for tp in partitions if tp in self.broker_end}

    @property
    def _client(self) -> FakeNetwork:
        return FakeNetwork(self.connected)


class FakeNetwork:
    """The slice of kafka-python's network client that says whether a broker connection is up."""

    def __init__(self, up: bool) -> None:
        self.up = up
        self.cluster = self

    def brokers(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(node_id=1)]

    def connected(self, node_id: int) -> bool:
        return self.up and node_id == 1


A0, A1 = TopicPartition("newsmon.articles.raw", 0), TopicPartition("newsmon.articles.raw", 1)


def sample(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


def test_build_info_names_version_and_instance() -> None:
    registry = CollectorRegistry()
    build_info("classify", "classify-1", registry)
    value = sample(registry, "newsmon_classify_build_info", version=__version__, instance="classify-1")
    assert value == 1.0


def test_the_ready_gauge_follows_the_readiness_check_at_each_scrape() -> None:
    registry = CollectorRegistry()
    state = {"ready": True}
    ready_gauge("alert", lambda: (state["ready"], "why"), registry)
    assert sample(registry, "newsmon_alert_ready") == 1.0
    state["ready"] = False
    assert sample(registry, "newsmon_alert_ready") == 0.0


def test_an_unknown_service_is_refused_before_a_metric_is_named() -> None:
    with pytest.raises(ValueError, match="unknown service 'clasify'"):
        build_info("clasify", "x", CollectorRegistry())


@pytest.mark.parametrize(
    ("highwater", "position", "lag"), [(10, 4, 6), (10, 10, 0), (3, 5, 0), (None, 5, None), (5, None, None)]
)
def test_partition_lag_is_end_minus_position_never_negative(
    highwater: int | None, position: int | None, lag: int | None
) -> None:
    assert partition_lag(highwater, position) == lag


def test_lag_is_exported_per_topic_and_partition() -> None:
    registry = CollectorRegistry()
    lag = ConsumerLag("classify", registry, ManualClock())
    lag.update(FakeConsumer({A0: 100, A1: 7}, {A0: 40, A1: 7}))
    name = "newsmon_classify_consumer_lag_messages"
    assert sample(registry, name, topic=A0.topic, partition="0") == 60
    assert sample(registry, name, topic=A1.topic, partition="1") == 0
    assert lag.total == 60


def test_a_partition_without_a_fetch_yet_asks_the_broker_for_its_end() -> None:
    registry = CollectorRegistry()
    consumer = FakeConsumer({A0: None}, {A0: 2})
    consumer.broker_end = {A0: 12}
    ConsumerLag("alert", registry, ManualClock()).update(consumer)
    assert consumer.end_offset_calls == 1
    assert sample(registry, "newsmon_alert_consumer_lag_messages", topic=A0.topic, partition="0") == 10


def test_a_revoked_partition_loses_its_series() -> None:
    registry = CollectorRegistry()
    lag = ConsumerLag("classify", registry, ManualClock())
    consumer = FakeConsumer({A0: 5, A1: 5}, {A0: 1, A1: 1})
    lag.update(consumer)
    del consumer.positions[A1]
    lag.update(consumer)
    name = "newsmon_classify_consumer_lag_messages"
    assert sample(registry, name, topic=A1.topic, partition="1") is None
    assert sample(registry, name, topic=A0.topic, partition="0") == 4


def test_lag_is_refreshed_at_most_once_per_interval() -> None:
    clock = ManualClock()
    lag = ConsumerLag("classify", CollectorRegistry(), clock, refresh_seconds=5)
    consumer = FakeConsumer({A0: 10}, {A0: 0})
    lag.maybe_update(consumer)
    consumer.highwaters[A0] = 20
    clock.advance(4.9)
    lag.maybe_update(consumer)
    assert lag.total == 10
    clock.advance(0.2)
    lag.maybe_update(consumer)
    assert lag.total == 20


def test_not_ready_before_the_consumer_reports() -> None:
    ready, reason = Readiness(ManualClock()).check()
    assert not ready
    assert "not reported" in reason


def test_a_consumer_without_a_broker_connection_is_not_ready() -> None:
    clock = ManualClock()
    readiness = Readiness(clock)
    consumer = FakeConsumer({A0: 10}, {A0: 9})
    consumer.connected = False
    readiness.observe_consumer(consumer, ConsumerLag("classify", CollectorRegistry(), clock))
    assert readiness.check() == (False, "not connected to any Kafka broker")


def test_ready_once_connected_and_assigned() -> None:
    clock = ManualClock()
    readiness = Readiness(clock)
    lag = ConsumerLag("classify", CollectorRegistry(), clock)
    readiness.observe_consumer(FakeConsumer({A0: 10}, {A0: 9}), lag)
    assert readiness.check() == (True, "ready: 1 partitions assigned, lag 1")


@pytest.mark.parametrize(
    ("snapshot", "now", "expected"),
    [
        (Snapshot(False, 3, 0, 0.0), 1.0, "not connected"),
        (Snapshot(True, None, 0, 0.0), 1.0, "no partitions assigned"),
        (Snapshot(True, 3, 500, 0.0), 1.0, "too far behind: 500 messages"),
        (Snapshot(True, 3, 0, 0.0), 121.0, "stuck: the consuming loop last reported 121s ago"),
    ],
)
def test_each_unready_state_names_its_reason(snapshot: Snapshot, now: float, expected: str) -> None:
    ready, reason = verdict(snapshot, now, max_lag=100, stale_after=120)
    assert not ready
    assert expected in reason
