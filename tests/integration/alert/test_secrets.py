"""The Slack webhook URL and the SMTP password never reach a log line, an error, a record or a metric."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer
from prometheus_client import generate_latest
from pydantic import SecretStr

from schemas import DeliveryRecord, decode
from services.alert.settings import SmtpSettings
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import alert_service, publish, runtime
from tests.servers.slack import FakeSlack, Reply
from tests.servers.smtp import SmtpServer
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = pytest.mark.kafka

SMTP_PASSWORD = "pw-Very-Secret-42"


def test_no_secret_appears_in_logs_errors_records_or_metrics(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
    smtp_server_factory: Callable[..., SmtpServer],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name in ("services", "newsmon", "slack_sdk"):
        caplog.set_level(logging.DEBUG, logger=name)
    fake_slack.default = Reply(404, "no_service")
    smtp = smtp_server_factory(username="desk", password="the-right-one")
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    rt = type(rt)(
        runtime=rt.runtime,
        kafka=rt.kafka,
        slack=rt.slack,
        smtp=SmtpSettings(
            host="127.0.0.1",
            port=smtp.port,
            security="none",
            username="desk",
            password=SecretStr(SMTP_PASSWORD),
            recipients="desk@news.example",
        ),
    )
    records = consumer_factory(topics.delivery)
    with alert_service(rt) as metrics:
        publish(producer_factory(), topics, classified("x1", "us_intervention_warning", at=datetime.now(UTC)))
        written = [decode(DeliveryRecord, r.value) for r in drain(records, 4, 60)]
        delivered = [r for r in written if r.status != "pending"]
        exposition = generate_latest(metrics.registry).decode()
    assert sorted((r.receiver, r.status) for r in delivered) == [("email", "failed"), ("slack", "failed")]
    secrets = [SMTP_PASSWORD, fake_slack.url, fake_slack.path, "secret-token-xyz"]
    texts = {
        "logs": caplog.text,
        "records": "\n".join(r.model_dump_json() for r in written),
        "metrics": exposition,
    }
    for where, text in texts.items():
        for secret in secrets:
            assert secret not in text, f"a secret leaked into {where}"
    assert "http_404" in texts["records"]
    assert "smtp_auth" in texts["records"]
    assert 'reason="http_404"' in exposition
    wait_until(lambda: "gave up on" in caplog.text, 5, what="the failures to be logged")
