"""Desks: a real `newsmon serve alert` process with named receivers (two Slack desks on two stand-in Slack
servers and a Teams channel) routes each topic's alerts to its own desk, and nothing crosses over."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from schemas import DeliveryRecord, decode
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import publish
from tests.integration.alert.process import AlertProcess, service_env
from tests.servers.slack import FakeSlack
from tests.servers.teams import card_problems
from tests.servers.webhook import WebhookServer
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = pytest.mark.kafka

CONFIG = """\
taxonomy:                         # the labels messages show; europe's topic has none, to read as words
  topics:
    - {id: iran_israel, label: Iran–Israel conflict}
    - {id: russia_ukraine}
  signals:
    - id: us_intervention_warning
      label: Warning over US intervention
      polarity: escalatory
      patterns: [warn~]
rules:
  - id: usw
    kind: article
    title: Warning against US intervention
    signals: [us_intervention_warning]
receivers: receivers.yaml
alerting:
  group_wait: 0s
  group_interval: 0s
  repeat_interval: 0s
  receivers: [night-log]          # alerts no route matches
  routes:
    - topics: [iran_israel]
      receivers: [mideast-desk, mideast-teams]
    - topics: [russia_ukraine]
      receivers: [europe-desk]
"""

RECEIVERS = """\
- name: mideast-desk
  type: slack
  webhook_url_env: NEWSMON_RECEIVER_MIDEAST_DESK_URL
- name: mideast-teams
  type: teams
  webhook_url_env: NEWSMON_RECEIVER_MIDEAST_TEAMS_URL   # given as ..._FILE, as a Docker secret is
- name: europe-desk
  type: slack
  webhook_url_env: NEWSMON_RECEIVER_EUROPE_DESK_URL
- name: night-log
  type: console
"""


@pytest.fixture
def desks() -> Iterator[tuple[FakeSlack, FakeSlack]]:
    mideast = FakeSlack("/services/T1/B1/mideast-token").start()
    europe = FakeSlack("/services/T2/B2/europe-token").start()
    yield mideast, europe
    mideast.stop()
    europe.stop()


def test_each_desk_gets_only_its_own_topics(
    tmp_path: Path,
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    desks: tuple[FakeSlack, FakeSlack],
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    mideast, europe = desks
    teams = webhook_factory(teams=True)
    (tmp_path / "newsmon.yaml").write_text(CONFIG)
    (tmp_path / "receivers.yaml").write_text(RECEIVERS)
    (tmp_path / "teams-url").write_text(teams.url + "\n")
    env = service_env(
        kafka_settings,
        tmp_path / "newsmon.yaml",
        tmp_path / "state",
        NEWSMON_RECEIVER_MIDEAST_DESK_URL=mideast.url,
        NEWSMON_RECEIVER_EUROPE_DESK_URL=europe.url,
        NEWSMON_RECEIVER_MIDEAST_TEAMS_URL_FILE=str(tmp_path / "teams-url"),
    )
    service = AlertProcess(env, tmp_path / "alert.log")
    records = consumer_factory(topics.delivery)
    try:
        service.start()
        wait_until(service.ready, 90, what="the alert service to be ready", context=service.log)
        now = datetime.now(UTC)
        producer = producer_factory()
        publish(
            producer, topics, classified("ir1", "us_intervention_warning", topics=("iran_israel",), at=now)
        )
        publish(
            producer, topics, classified("ru1", "us_intervention_warning", topics=("russia_ukraine",), at=now)
        )
        written = [decode(DeliveryRecord, r.value) for r in drain(records, 6, 60)]
        written += [decode(DeliveryRecord, r.value) for r in drain(records, 1, 3)]  # none should follow
    finally:
        service.stop()
    outcomes = sorted((r.receiver, r.status) for r in written if r.status != "pending")
    assert outcomes == [
        ("europe-desk", "delivered"),
        ("mideast-desk", "delivered"),
        ("mideast-teams", "delivered"),
    ]
    [to_mideast], [to_europe], [to_teams] = mideast.delivered, europe.delivered, teams.delivered
    assert "Story ir1" in to_mideast.body.decode()
    assert "Story ru1" not in to_mideast.body.decode()
    assert "Story ru1" in to_europe.body.decode()
    assert "Story ir1" not in to_europe.body.decode()
    assert "Story ir1" in to_teams.body.decode()
    assert "Story ru1" not in to_teams.body.decode()
    assert card_problems(to_teams.json) == []
    mideast_fields = [f["text"] for f in to_mideast.json["blocks"][2]["fields"]]
    assert "*Topic*\nIran–Israel conflict" in mideast_fields
    assert "*Signals*\nWarning over US intervention" in mideast_fields
    assert "*Topic*\nRussia ukraine" in [f["text"] for f in to_europe.json["blocks"][2]["fields"]]
    teams_facts = [f for b in to_teams.json["attachments"][0]["content"]["body"] for f in b.get("facts", [])]
    assert {"title": "Topic", "value": "Iran–Israel conflict"} in teams_facts
    assert not (tmp_path / "state" / "alerts.night-log.jsonl").exists(), "every alert matched a route"
    log = service.log(20_000)
    for secret in ("mideast-token", "europe-token", teams.path):
        assert secret not in log
