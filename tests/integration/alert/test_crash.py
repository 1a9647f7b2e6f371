"""A real `newsmon serve alert` process killed with SIGKILL after delivering: before committing its offsets
(its successor must not send the alert again), and right after Slack's answer, before the delivery record
(its successor sends it again, marked as a possible repeat)."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from schemas import DeliveryRecord, decode
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import USW_RULES, publish
from tests.integration.alert.process import AlertProcess, service_env
from tests.servers.slack import FakeSlack, Received
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CONFIG = (
    USW_RULES
    + """\
alerting:
  group_wait: 0s
  group_interval: 0s
  repeat_interval: 0s
  commit_interval: 1h     # never commit before the kill: the successor must replay the alert
"""
)


@pytest.fixture
def service(tmp_path: Path, kafka_settings: KafkaSettings, fake_slack: FakeSlack) -> Iterator[AlertProcess]:
    config = tmp_path / "newsmon.yaml"
    config.write_text(CONFIG)
    env = service_env(kafka_settings, config, tmp_path / "state", NEWSMON_SLACK_WEBHOOK_URL=fake_slack.url)
    process = AlertProcess(env, tmp_path / "alert.log")
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
    attempt, record = [decode(DeliveryRecord, r.value) for r in drain(records, 2, 30)]
    assert (attempt.status, record.status) == ("pending", "delivered")

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


def test_a_notification_sent_again_after_a_kill_right_after_slacks_answer_says_possible_repeat(
    service: AlertProcess,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
) -> None:
    service.start()
    wait_until(service.ready, 90, what="the alert service to be ready", context=service.log)
    assert service.process is not None
    pid, answered = service.process.pid, []

    def freeze(request: Received) -> None:  # stopped before the 200 goes out, it cannot act on it
        if request.status == 200 and not answered:
            os.kill(pid, signal.SIGSTOP)

    def kill(request: Received) -> None:
        if request.status == 200 and not answered:
            answered.append(request)
            os.kill(pid, signal.SIGKILL)

    fake_slack.before_reply, fake_slack.after_reply = freeze, kill
    producer = producer_factory()
    records = consumer_factory(topics.delivery)
    now = datetime.now(UTC)
    publish(producer, topics, classified("first", "us_intervention_warning", source="Wire One", at=now))
    wait_until(lambda: answered, 60, what="Slack's answer to the first notification", context=service.log)
    service.process.wait(30)
    left = [decode(DeliveryRecord, r.value) for r in drain(records, 2, 5)]
    assert [r.status for r in left] == ["pending"], "killed after Slack's 200, before recording it"

    service.start()
    wait_until(service.ready, 90, what="the restarted service to be ready", context=service.log)
    # the re-send first: an alert of the same situation arriving before it would join that message
    wait_until(lambda: len(fake_slack.delivered) >= 2, 60, what="the re-send", context=service.log)
    publish(producer, topics, classified("second", "us_intervention_warning", source="Wire Two", at=now))
    wait_until(lambda: len(fake_slack.delivered) >= 3, 60, what="three deliveries", context=service.log)

    messages = [r.json for r in fake_slack.delivered]
    marked = ["possible repeat" in m["text"] for m in messages]
    assert marked == ["possible repeat" in m["blocks"][0]["text"]["text"] for m in messages]
    stories = [("Story first" in str(m), "Story second" in str(m)) for m in messages]
    assert sorted(zip(stories, marked, strict=True)) == [
        ((False, True), False),
        ((True, False), False),
        ((True, False), True),
    ], "the first story twice, once marked as a possible repeat; the second once, unmarked"
    assert not marked[0], "the message Slack took before the kill was the original"
    finals = [decode(DeliveryRecord, r.value) for r in drain(records, 4, 30)]
    assert sorted(r.status for r in finals) == ["delivered", "delivered", "pending", "pending"]
