"""`newsmon alert test` against the Slack stand-in and `newsmon silence` against the real broker."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from newsmon.cli import cli
from services.alert.receiver_specs import SlackReceiverSpec
from streambase.kafka import make_producer
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert import harness
from tests.servers.slack import FakeSlack, Reply
from tests.servers.webhook import WebhookServer
from tests.support import wait_until
from tests.unit.alert.factories import classified

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


RECEIVERS_CONFIG = """\
receivers:
  - {name: mideast-desk, type: slack, webhook_url_env: DESK_A_URL}
  - {name: europe-desk, type: slack, webhook_url_env: DESK_B_URL}
  - {name: asia-desk, type: teams, webhook_url_env: ASIA_DESK_URL}
  - {name: newsroom-bot, type: webhook, url_env: BOT_URL, secret_env: BOT_SECRET}
"""


def _deliver_to_two_desks(kafka_settings: KafkaSettings, tmp_path: Path) -> tuple[FakeSlack, FakeSlack]:
    """Run the alert service until one alert was delivered to mideast-desk and refused by europe-desk, so
    the delivery topic holds the records the service itself writes (each written as its answer comes, in
    the loop the service finishes before it stops)."""
    ok, refusing = FakeSlack("/services/T1/B1/mideast-token").start(), FakeSlack("/services/T2/B2/eu").start()
    refusing.respond(Reply(404, "no_service"))
    specs = (
        SlackReceiverSpec(name="mideast-desk", type="slack", webhook_url_env="DESK_A_URL"),
        SlackReceiverSpec(name="europe-desk", type="slack", webhook_url_env="DESK_B_URL"),
    )
    rt = replace(
        harness.runtime(kafka_settings, tmp_path),
        secrets={"DESK_A_URL": SecretStr(ok.url), "DESK_B_URL": SecretStr(refusing.url)},
    )
    producer = make_producer(kafka_settings, "test-receivers-list")
    try:
        with harness.alert_service(rt, receivers=specs):
            harness.publish(
                producer, Topics.from_settings(kafka_settings), classified("a1", "us_intervention_warning")
            )
            wait_until(lambda: ok.delivered and refusing.requests, timeout=30)
    finally:
        producer.close(timeout=10)
    return ok, refusing


def test_receivers_list_shows_type_secret_state_and_last_delivery_of_each(
    kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    ok, refusing = _deliver_to_two_desks(kafka_settings, tmp_path)
    try:
        (tmp_path / "newsmon.yaml").write_text(RECEIVERS_CONFIG)
        settings = env(
            kafka_settings, tmp_path, NEWSMON_CONFIG=str(tmp_path / "newsmon.yaml"),
            DESK_A_URL=ok.url, DESK_B_URL=refusing.url, BOT_URL="https://bot.example/hook",
        )  # fmt: skip
        result = CliRunner().invoke(cli, ["receivers", "list"], env=settings)
    finally:
        ok.stop()
        refusing.stop()
    assert result.exit_code == 0, result.output
    print("\n" + result.output)
    rows = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert list(rows) == ["console", "mideast-desk", "europe-desk", "asia-desk", "newsroom-bot"]
    assert re.match(r"console +console +- +never +never$", rows["console"])
    assert re.match(
        r"mideast-desk +slack +set +\d{4}-\d\d-\d\d \d\d:\d\d UTC \(\d+s ago\) +delivered$",
        rows["mideast-desk"],
    )
    assert re.search(
        r" set +\d{4}-.* UTC \(\d+s ago\) +failed: http_404: Slack answered 404: no_service$",
        rows["europe-desk"],
    )
    assert re.match(r"asia-desk +teams +missing: ASIA_DESK_URL +never +never$", rows["asia-desk"])
    assert re.match(r"newsroom-bot +webhook +missing: BOT_SECRET +never +never$", rows["newsroom-bot"])


def test_receivers_list_never_shows_a_secret_value(kafka_settings: KafkaSettings, tmp_path: Path) -> None:
    ok, refusing = _deliver_to_two_desks(kafka_settings, tmp_path)
    secrets = {
        "DESK_A_URL": ok.url,
        "DESK_B_URL": refusing.url,
        "ASIA_DESK_URL": "https://prod.workflows.example/hook?sig=asia-signature-0123456789",
        "BOT_URL": "https://bot.example/hooks/bot-token-5d1e",
        "BOT_SECRET": "hmac-secret-9c2f4e",
        "NEWSMON_SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T9/B9/legacy-token-77",
        "NEWSMON_SMTP_HOST": "127.0.0.1",
        "NEWSMON_SMTP_RECIPIENTS": "desk@example.org",
        "NEWSMON_SMTP_PASSWORD": "smtp-password-31f9",
    }
    try:
        (tmp_path / "newsmon.yaml").write_text(RECEIVERS_CONFIG)
        settings = env(kafka_settings, tmp_path, NEWSMON_CONFIG=str(tmp_path / "newsmon.yaml"), **secrets)
        result = CliRunner().invoke(cli, ["receivers", "list"], env=settings)
    finally:
        ok.stop()
        refusing.stop()
    assert result.exit_code == 0, result.output
    assert "failed: http_404" in result.output
    assert re.search(r"^email +email +set ", result.output, re.M)
    parts = [p for v in secrets.values() for p in (v, urlsplit(v).path, urlsplit(v).query) if len(p) > 4]
    leaked = [p for p in parts if p in result.output and p not in ("127.0.0.1", "desk@example.org")]
    assert leaked == []
