"""A real `newsmon serve alert` process killed with SIGKILL after delivering, before committing its offsets:
its successor must not send the alert again."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from newsmon.settings import KafkaSettings
from newsmon.topics import Topics
from schemas import DeliveryRecord, decode
from tests.integration.alert.harness import publish
from tests.integration.alert.process import AlertProcess
from tests.servers.slack import FakeSlack
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CONFIG = """\
rules:
  - id: usw
    kind: article
    title: Warning against US intervention
    signals: [us_intervention_warning]
alerting:
  group_wait: 0s
  group_interval: 0s
  repeat_interval: 0s
  commit_interval: 1h     # never commit before the kill: the successor must replay the alert
"""


@pytest.fixture
def service(tmp_path: Path, kafka_settings: KafkaSettings, fake_slack: FakeSlack) -> Iterator[AlertProcess]:
    config = tmp_path / "newsmon.yaml"
    config.write_text(CONFIG)
    process = AlertProcess(
        {
            "NEWSMON_KAFKA_BOOTSTRAP": kafka_settings.bootstrap,
            "NEWSMON_KAFKA_TOPIC_PREFIX": kafka_settings.topic_prefix,
            "NEWSMON_KAFKA_PARTITIONS": str(kafka_settings.partitions),
            "NEWSMON_CONFIG": str(config),
            "NEWSMON_STATE_DIR": str(tmp_path / "state"),
            "NEWSMON_SLACK_WEBHOOK_URL": fake_slack.url,
        },
        tmp_path / "alert.log",
    )
    yield process
    process.stop()


def test_a_crash_between_delivering_and_committing_sends_nothing_twice(
    service: AlertProcess,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
) -> None:
    service.start()
    wait_until(service.ready, 90, what="the alert service to be ready", context=service.log)
    producer = producer_factory()
    records = consumer_factory(topics.delivery)
    now = datetime.now(UTC)
    publish(producer, topics, classified("first", "us_intervention_warning", source="Wire One", at=now))
    wait_until(lambda: fake_slack.delivered, 60, what="the first delivery", context=service.log)
    [record] = [decode(DeliveryRecord, r.value) for r in drain(records, 1, 30)]
    assert record.status == "delivered"

    service.kill()
    service.start()
    wait_until(service.ready, 90, what="the restarted service to be ready", context=service.log)
    publish(producer, topics, classified("second", "us_intervention_warning", source="Wire Two", at=now))
    wait_until(lambda: len(fake_slack.delivered) >= 2, 60, what="the second delivery", context=service.log)
    duplicates = 'newsmon_alert_suppressed_total{reason="duplicate"}'
    wait_until(lambda: service.metric(duplicates) >= 1, 30, what="the replayed alert to be recognised")

    bodies = [r.body.decode() for r in fake_slack.delivered]
    assert len(bodies) == 2
    assert "Story first" in bodies[0]
    assert "Story second" in bodies[1]
