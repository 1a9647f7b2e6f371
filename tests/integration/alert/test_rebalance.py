"""A rebalance that hands a partition straight back to the replica that had it: the alert that replica was
still retrying when the rebalance began must be delivered once Slack answers again, not forgotten."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.structs import TopicPartition

from newsmon.kafka import make_consumer
from newsmon.settings import KafkaSettings
from newsmon.topics import Topics
from tests.integration.alert.harness import alert_service, publish, runtime
from tests.servers.slack import FakeSlack, Reply
from tests.support import wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


class _Joined(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self) -> None:
        self.event = threading.Event()

    def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        return

    def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self.event.set()


def join_notify_group(settings: KafkaSettings, topics: Topics) -> KafkaConsumer:
    """A second member of the service's notify group, named to sort after it: it takes no partition, but its
    arrival makes every member give its partitions up and join again."""
    intruder = make_consumer(settings, "zz-intruder", f"{settings.topic_prefix}alert-notify")
    joined = _Joined()
    intruder.subscribe([topics.alerts], listener=joined)
    wait_until(lambda: intruder.poll(timeout_ms=200) == {} and joined.event.is_set(), 60, what="the join")
    return intruder


@pytest.mark.parametrize("kafka_settings", [1], indirect=True)  # the range assignor gives it to the service
def test_an_alert_still_retrying_when_its_partition_comes_straight_back_is_delivered_once(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    fake_slack.default = Reply(503, "service_unavailable")
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    with alert_service(rt):
        publish(producer_factory(), topics, classified("r1", "us_intervention_warning", at=datetime.now(UTC)))
        wait_until(lambda: fake_slack.requests, 60, what="a first, refused, delivery attempt")
        intruder = join_notify_group(kafka_settings, topics)
        try:
            assert intruder.assignment() == set()
            fake_slack.default = Reply()
            wait_until(lambda: fake_slack.delivered, 30, what="the delivery after the rebalance")
            intruder.poll(timeout_ms=3000)  # a second copy would arrive within this
        finally:
            intruder.close()
    assert len(fake_slack.delivered) == 1
