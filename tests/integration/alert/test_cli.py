"""`newsmon alert test` against the Slack stand-in and `newsmon silence` against the real broker."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from streambase.settings import KafkaSettings
from tests.servers.slack import FakeSlack, Reply
from tests.servers.webhook import WebhookServer

pytestmark = pytest.mark.kafka


def env(kafka_settings: KafkaSettings, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "NEWSMON_KAFKA_BOOTSTRAP": kafka_settings.bootstrap,
        "NEWSMON_KAFKA_TOPIC_PREFIX": kafka_settings.topic_prefix,
        "NEWSMON_STATE_DIR": str(tmp_path),
    } | extra


def test_alert_test_sends_a_notification_to_slack(fake_slack: FakeSlack, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["alert", "test", "--receiver", "slack"], env={"NEWSMON_SLACK_WEBHOOK_URL": fake_slack.url}
    )
    assert result.exit_code == 0, result.output
    assert "slack: test notification delivered" in result.output
    assert "newsmon test notification" in fake_slack.delivered[0].body.decode()


def test_alert_test_explains_a_refused_webhook_without_showing_its_url(fake_slack: FakeSlack) -> None:
    fake_slack.respond(Reply(404, "no_service"))
    result = CliRunner().invoke(
        cli, ["alert", "test", "--receiver", "slack"], env={"NEWSMON_SLACK_WEBHOOK_URL": fake_slack.url}
    )
    assert result.exit_code == 1
    assert "slack: permanent failure: http_404: Slack answered 404: no_service" in result.output
    assert fake_slack.path not in result.output


def test_alert_test_names_the_setting_of_an_unconfigured_receiver() -> None:
    result = CliRunner().invoke(cli, ["alert", "test", "--receiver", "email"], env={"NEWSMON_SMTP_HOST": ""})
    assert result.exit_code == 1
    assert "set NEWSMON_SMTP_HOST and NEWSMON_SMTP_RECIPIENTS" in result.output


def test_alert_test_reaches_a_named_receiver_of_any_type(
    webhook_factory: Callable[..., WebhookServer], tmp_path: Path
) -> None:
    teams = webhook_factory(teams=True)
    config = tmp_path / "newsmon.yaml"
    config.write_text("receivers:\n  - {name: europe-desk, type: teams, webhook_url_env: DESK_URL}\n")
    result = CliRunner().invoke(
        cli,
        ["alert", "test", "--receiver", "europe-desk"],
        env={"NEWSMON_CONFIG": str(config), "DESK_URL": teams.url},
    )
    assert result.exit_code == 0, result.output
    assert "europe-desk: test notification delivered" in result.output
    assert "newsmon test notification" in teams.delivered[0].body.decode()
    unknown = CliRunner().invoke(
        cli, ["alert", "test", "--receiver", "asia-desk"], env={"NEWSMON_CONFIG": str(config)}
    )
    assert unknown.exit_code == 1
    assert "no receiver is named 'asia-desk'" in unknown.output


def test_silences_are_added_listed_and_expired(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    runner = CliRunner()
    settings = env(kafka_settings, tmp_path)
    added = runner.invoke(
        cli,
        [
            "silence",
            "add",
            "--match",
            "topic=iran_israel",
            "--for",
            "2h",
            "--comment",
            "known",
            "--by",
            "desk",
        ],
        env=settings,
    )
    assert added.exit_code == 0, added.output
    silence_id = re.search(r"added (s-[0-9a-f]+): topic=iran_israel until", added.output).group(1)  # type: ignore[union-attr]
    listed = runner.invoke(cli, ["silence", "list"], env=settings)
    assert f"{silence_id}  active  topic=iran_israel until" in listed.output
    assert "by desk: known" in listed.output
    expired = runner.invoke(cli, ["silence", "expire", silence_id], env=settings)
    assert expired.exit_code == 0, expired.output
    assert "no silences active" in runner.invoke(cli, ["silence", "list"], env=settings).output
    assert f"{silence_id}  ended" in runner.invoke(cli, ["silence", "list", "--all"], env=settings).output


def test_a_bad_matcher_or_duration_is_explained(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    settings = env(kafka_settings, tmp_path)
    bad = CliRunner().invoke(cli, ["silence", "add", "--match", "topic", "--for", "2h"], env=settings)
    assert bad.exit_code == 2
    assert "must look like label=value" in bad.output
    soon = CliRunner().invoke(cli, ["silence", "add", "--match", "topic=x", "--for", "soon"], env=settings)
    assert "invalid duration 'soon'" in soon.output
