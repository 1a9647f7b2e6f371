"""Routing by severity to Slack and email, and a trend rule, through the running service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaProducer
from pydantic import SecretStr

from schemas import Severity
from services.alert.config import Route
from services.alert.rules import ArticleRule, TrendRule, WindowRule
from services.alert.settings import SmtpSettings
from streambase.kafka import send_and_wait
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import FAST, alert_service, publish, runtime
from tests.servers.slack import FakeSlack
from tests.servers.smtp import SmtpServer
from tests.support import wait_until
from tests.unit.alert.factories import classified, trend

pytestmark = pytest.mark.kafka

RULES = (
    ArticleRule(id="usw", kind="article", signals=("us_intervention_warning",), severity=Severity.HIGH),
    WindowRule(
        id="evac", kind="window", signals=("evacuation_notice",), min_sources=2, severity=Severity.CRITICAL
    ),
    TrendRule(id="heat", kind="trend", ratio=3, min_baseline_windows=3, severity=Severity.MEDIUM),
)


def test_critical_alerts_go_to_slack_and_email_the_rest_to_slack(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    smtp_server_factory: Callable[..., SmtpServer],
    tmp_path: Path,
) -> None:
    smtp = smtp_server_factory(username="desk", password="pw-routing-1")
    base = runtime(kafka_settings, tmp_path, fake_slack.url)
    rt = type(base)(
        runtime=base.runtime,
        kafka=base.kafka,
        slack=base.slack,
        smtp=SmtpSettings(
            host="127.0.0.1",
            port=smtp.port,
            security="none",
            username="desk",
            password=SecretStr("pw-routing-1"),
            sender="newsmon@desk.example",
            recipients="editor@desk.example, night@desk.example",
        ),
    )
    options = FAST.model_copy(
        update={
            "receivers": ("slack",),
            "routes": (Route(min_severity=Severity.CRITICAL, receivers=("slack", "email")),),
        }
    )
    producer = producer_factory()
    now = datetime.now(UTC).replace(microsecond=0)
    with alert_service(rt, options, RULES):
        publish(producer, topics, classified("u1", "us_intervention_warning", at=now))
        wait_until(lambda: len(fake_slack.delivered) == 1, 30, what="the high alert on Slack")
        publish(producer, topics, classified("e1", "evacuation_notice", source="Wire One", at=now))
        publish(producer, topics, classified("e2", "evacuation_notice", source="Wire Two", at=now))
        wait_until(lambda: smtp.messages, 30, what="the critical alert by email")
        wait_until(lambda: len(fake_slack.delivered) == 2, 30, what="the critical alert on Slack")
        start = now - timedelta(hours=6)
        for hour, index in enumerate([0.1, 0.1, 0.1, 0.1, 0.6]):
            window = trend("iran_israel", start + timedelta(hours=hour), index)
            send_and_wait(producer, topics.trends, window.topic, window)
        wait_until(lambda: len(fake_slack.delivered) == 3, 30, what="the trend alert on Slack")
    [mail] = smtp.messages
    assert mail.envelope_to == ["editor@desk.example", "night@desk.example"]
    assert "[newsmon CRITICAL] [Iran israel]" in mail.message["Subject"]  # no labels given: the id as words
    assert "Wire One" in mail.part("plain")
    assert "Wire Two" in mail.part("plain")
    headers = [r.json["blocks"][0]["text"]["text"] for r in fake_slack.delivered]
    assert headers == ["HIGH: usw", "CRITICAL: evac", "MEDIUM: heat"]
