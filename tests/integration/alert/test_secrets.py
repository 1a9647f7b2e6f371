"""The Slack webhook URL, the SMTP password and every secret of the named receivers (webhook URLs, signing
secrets, SMTP passwords) never reach a log line, an error, a record or a metric."""

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
from services.alert.receiver_specs import EmailReceiverSpec as EmailSpec
from services.alert.receiver_specs import (
    MattermostReceiverSpec,
    SmtpOverrides,
    TeamsReceiverSpec,
    WebhookReceiverSpec,
)
from services.alert.settings import SmtpSettings
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import FAST, alert_service, publish, runtime
from tests.servers.slack import FakeSlack, Reply
from tests.servers.smtp import SmtpServer
from tests.servers.webhook import WebhookServer
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


NAMED_SECRETS = {
    "TEAMS_URL": "/workflows/abc123/triggers/manual/paths/invoke?sig=teams-sig-Very-Secret-77",
    "MM_URL": "/hooks/mm-Very-Secret-hook-55",
    "HOOK_URL": "/hooks/secret-hook-token-7f3a9c",
    "HOOK_SECRET": "whsec-Very-Secret-Signing-99",
    "MAIL_PASSWORD": "pw-Desk-Secret-31",
}


def test_no_secret_of_a_named_receiver_appears_in_logs_errors_records_or_metrics(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    webhook_factory: Callable[..., WebhookServer],
    smtp_server_factory: Callable[..., SmtpServer],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name in ("services", "newsmon", "streambase"):
        caplog.set_level(logging.DEBUG, logger=name)
    servers = {key: webhook_factory(path=NAMED_SECRETS[key]) for key in ("TEAMS_URL", "MM_URL", "HOOK_URL")}
    for server in servers.values():  # each refuses, echoing what it knows
        server.default = Reply(403, f"refused {server.url}")
    servers["HOOK_URL"].default = Reply(
        403, f"refused {servers['HOOK_URL'].url} {NAMED_SECRETS['HOOK_SECRET']}"
    )
    smtp = smtp_server_factory(username="desk", password="the-right-one")
    secrets = {key: SecretStr(server.url) for key, server in servers.items()}
    secrets |= {k: SecretStr(NAMED_SECRETS[k]) for k in ("HOOK_SECRET", "MAIL_PASSWORD")}
    base = runtime(kafka_settings, tmp_path)
    rt = type(base)(runtime=base.runtime, kafka=base.kafka, slack=base.slack, smtp=base.smtp, secrets=secrets)
    specs = (
        TeamsReceiverSpec(name="t", type="teams", webhook_url_env="TEAMS_URL"),
        MattermostReceiverSpec(name="m", type="mattermost", webhook_url_env="MM_URL"),
        WebhookReceiverSpec(name="w", type="webhook", url_env="HOOK_URL", secret_env="HOOK_SECRET"),
        EmailSpec(
            name="e",
            type="email",
            to=("desk@news.example",),
            smtp=SmtpOverrides(host="127.0.0.1", port=smtp.port, security="none", username="desk",
                               password_env="MAIL_PASSWORD"),
        ),
    )  # fmt: skip
    records = consumer_factory(topics.delivery)
    with alert_service(rt, FAST, receivers=specs) as metrics:
        publish(producer_factory(), topics, classified("x2", "us_intervention_warning", at=datetime.now(UTC)))
        written = [decode(DeliveryRecord, r.value) for r in drain(records, 8, 60)]
        exposition = generate_latest(metrics.registry).decode()
        wait_until(lambda: caplog.text.count("gave up on") >= 4, 10, what="the failures to be logged")
    delivered = sorted((r.receiver, r.status, r.last_error or "") for r in written if r.status != "pending")
    assert [(name, status) for name, status, _ in delivered] == [
        ("e", "failed"), ("m", "failed"), ("t", "failed"), ("w", "failed"),
    ]  # fmt: skip
    texts = {
        "logs": caplog.text,
        "records": "\n".join(r.model_dump_json() for r in written),
        "metrics": exposition,
    }
    leaks = [*NAMED_SECRETS.values(), *(s.url for s in servers.values()), "teams-sig-Very-Secret-77"]
    for where, text in texts.items():
        for secret in leaks:
            assert secret not in text, f"a secret leaked into {where}"
    assert "http_403" in texts["records"]
    assert "smtp_auth" in texts["records"]
