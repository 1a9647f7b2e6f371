"""A rebalance that hands a partition straight back to the replica that had it: the alert that replica was
still retrying when the rebalance began must be delivered once Slack answers again, not forgotten."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import ConsumerRebalanceListener, KafkaProducer
from kafka.structs import TopicPartition

from streambase.kafka import make_consumer, subscribe
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import alert_service, publish, runtime
from tests.servers.slack import FakeSlack, Reply
from tests.support import wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka, pytest.mark.slow]


class Intruder(ConsumerRebalanceListener):  # type: ignore[misc]
    """A second member of the service's notify group, named to sort after it: it takes no partition, but its
    arrival makes every member give its partitions up and join again. It polls on its own thread for as long
    as it is in the group, as a real member does, so that any further rebalance the join sets off completes
    rather than waiting for it."""

    def __init__(self, settings: KafkaSettings, topics: Topics) -> None:
        self._consumer = make_consumer(settings, "zz-intruder", f"{settings.topic_prefix}alert-notify")
        subscribe(self._consumer, [topics.alerts], self)
        self.assignments: list[set[TopicPartition]] = []
        self.records = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="intruder", daemon=True)

    def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        return

    def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self.assignments.append(set(assigned))

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                self.records += sum(len(batch) for batch in self._consumer.poll(timeout_ms=200).values())
        finally:
            self._consumer.close()

    def __enter__(self) -> Intruder:
        self._thread.start()
        wait_until(lambda: self.assignments, 60, what="the intruder's join")
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


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
        with Intruder(kafka_settings, topics) as intruder:
            assert intruder.assignments[0] == set()
            fake_slack.default = Reply()
            wait_until(lambda: fake_slack.delivered, 30, what="the delivery after the rebalance")
            time.sleep(3)  # a second copy, to Slack or to the intruder, would arrive within this
    assert len(fake_slack.delivered) == 1
    assert intruder.records == 0
