"""`newsmon ack SITUATION --by NAME` against the real broker and a running alert service without links:
the situation a notification printed is acknowledged, the service counts it and tells Slack who; a mistyped
or unknown situation is refused with what to check."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from kafka import KafkaConsumer, KafkaProducer

from newsmon.cli import cli
from schemas import Acknowledgement, decode
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import alert_service, publish, runtime
from tests.servers.slack import FakeSlack
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = pytest.mark.kafka


def test_newsmon_ack_acknowledges_the_situation_a_notification_printed(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = tmp_path / "newsmon.yaml"
    config.write_text("alerting:\n  ack:\n    holds_for: 2h\n")
    env = {
        "NEWSMON_KAFKA_BOOTSTRAP": kafka_settings.bootstrap,
        "NEWSMON_KAFKA_TOPIC_PREFIX": kafka_settings.topic_prefix,
        "NEWSMON_KAFKA_PARTITIONS": str(kafka_settings.partitions),
        "NEWSMON_CONFIG": str(config),
    }
    acks = consumer_factory(topics.acks)
    with caplog.at_level("INFO"), alert_service(runtime(kafka_settings, tmp_path, fake_slack.url)) as metrics:
        publish(producer_factory(), topics, classified("c1", "us_intervention_warning", at=datetime.now(UTC)))
        wait_until(lambda: fake_slack.delivered, 60, what="the notification")
        message = json.dumps(fake_slack.delivered[0].json)
        assert "Acknowledge" not in message, "no public URL: no link"
        [situation] = re.findall(r"situation `([0-9a-f]{16})`", message)

        runner = CliRunner()
        wrong = runner.invoke(cli, ["ack", "not-a-situation", "--by", "Sam"], env=env)
        assert wrong.exit_code == 2
        assert "16 hex digits" in wrong.output
        unknown = runner.invoke(cli, ["ack", "0123456789abcdef", "--by", "Sam"], env=env)
        assert unknown.exit_code == 1
        assert "no notification about situation 0123456789abcdef" in unknown.output

        result = runner.invoke(cli, ["ack", situation, "--by", "Sam", "--comment", "seen"], env=env)
        assert result.exit_code == 0, result.output
        assert (
            f"acknowledged situation {situation} (US intervention warning) as Sam; quiet for 2 hours"
            in result.output
        )
        assert "telling slack" in result.output
        [record] = [decode(Acknowledgement, r.value) for r in drain(acks, 1, 30)]
        assert (record.channel, record.by, record.comment, record.nonce) == ("cli", "Sam", "seen", None)

        counted = {"channel": "cli"}
        wait_until(lambda: metrics.registry.get_sample_value("newsmon_alert_acks_total", counted) == 1, 30)
        wait_until(lambda: len(fake_slack.delivered) == 2, 30, what="the follow-up")
        assert fake_slack.delivered[1].json["text"].startswith("Acknowledged by Sam (seen)")
    assert "acknowledge links are off: alerting.ack.public_base_url is not set" in caplog.text
