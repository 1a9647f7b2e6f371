"""Acknowledging across two real `newsmon serve alert` processes: the link of a notification, opened on the
replica that did not send it (a load balancer may pick either), quiets the situation on the one that did,
and the "acknowledged by" follow-up reaches the Slack that got the alert, once."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer

from services.alert.ack_tokens import REFUSED
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import USW_RULES, publish
from tests.integration.alert.process import AlertProcess, service_env
from tests.integration.alert.test_ack_http import fetch
from tests.servers.slack import FakeSlack
from tests.support import wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

PUBLIC = "https://alerts.newsroom.invalid/desk"
SECRET = "replica-secret-0123456789abcdef0123"
CONFIG = (
    USW_RULES
    + f"""\
alerting:
  group_wait: 0s
  group_interval: 0s
  repeat_interval: 0s     # without an acknowledgement, every alert is sent
  ack:
    public_base_url: {PUBLIC}
"""
)
LINK = re.compile(re.escape(PUBLIC) + r"/ack/([A-Za-z0-9_-]+)\|Acknowledge>")
DELIVERED = 'newsmon_alert_notifications_total{outcome="delivered",reason="ok",receiver="slack"}'


@pytest.fixture
def replicas(
    tmp_path: Path, kafka_settings: KafkaSettings, fake_slack: FakeSlack
) -> Iterator[tuple[AlertProcess, AlertProcess]]:
    config = tmp_path / "newsmon.yaml"
    config.write_text(CONFIG)
    made = []
    for name in ("a", "b"):
        env = service_env(
            kafka_settings,
            config,
            tmp_path / f"state-{name}",
            NEWSMON_SLACK_WEBHOOK_URL=fake_slack.url,
            NEWSMON_ACK_SECRET=SECRET,
        )
        made.append(AlertProcess(env, tmp_path / f"alert-{name}.log"))
    try:
        for process in made:
            process.start()
        for process in made:
            wait_until(process.ready, 90, what="both replicas to be ready", context=process.log)
        yield made[0], made[1]
    finally:
        for process in made:
            process.stop()


def test_an_ack_through_one_replicas_link_quiets_the_other_and_slack_hears_of_it_once(
    replicas: tuple[AlertProcess, AlertProcess],
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
) -> None:
    producer = producer_factory()
    now = datetime.now(UTC)
    publish(producer, topics, classified("first", "us_intervention_warning", source="Wire One", at=now))
    wait_until(lambda: fake_slack.delivered, 60, what="the notification", context=replicas[0].log)
    sender = wait_until(lambda: next((r for r in replicas if r.metric(DELIVERED) == 1), None), 10)
    other = replicas[1] if sender is replicas[0] else replicas[0]
    message = fake_slack.delivered[0].json
    [token] = LINK.findall(str(message["blocks"]))
    link = f"http://127.0.0.1:{other.metrics_port}/ack/{token}"  # the balancer picked the other replica

    wait_until(lambda: fetch(link)[0] == 200, 30, what="the other replica to know the situation")
    status, page = fetch(link, b"by=Dana&comment=calling+the+bureau")
    assert (status, "Acknowledged by Dana" in page) == (200, True)
    wait_until(lambda: sender.metric('newsmon_alert_acks_total{channel="link"}') == 1, 30, context=sender.log)

    publish(producer, topics, classified("second", "us_intervention_warning", source="Wire Two", at=now))
    quiet = 'newsmon_alert_suppressed_total{reason="acknowledged"}'
    wait_until(lambda: sender.metric(quiet) >= 1, 60, what="the repeat to be kept quiet", context=sender.log)
    wait_until(lambda: len(fake_slack.delivered) >= 2, 30, what="the follow-up", context=sender.log)
    time.sleep(3)  # a repeat of the alert, or a second follow-up, would arrive within this

    texts = [r.json["text"] for r in fake_slack.delivered]
    assert len(texts) == 2, texts
    assert "Story second" not in str(fake_slack.delivered[1].json)
    assert texts[1].startswith("Acknowledged by Dana (calling the bureau)")
    assert fetch(link, b"by=Dana")[0] == 403
    assert REFUSED in fetch(f"http://127.0.0.1:{sender.metrics_port}/ack/{token}", b"by=Eve")[1]
