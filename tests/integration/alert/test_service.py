"""The alert service end to end in one process: real Kafka, the Slack stand-in, injected rules."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from schemas import DeadLetter, decode
from services.alert.names import readable
from services.alert.silences import expired, new_silence
from streambase.kafka import send_and_wait
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import FAST, alert_service, publish, runtime
from tests.servers.slack import FakeSlack, Reply
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = pytest.mark.kafka


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def metric(metrics: object, name: str, **labels: str) -> float:
    value = metrics.registry.get_sample_value(name, labels)  # type: ignore[attr-defined]
    return float(value or 0.0)


def test_an_alert_reaches_slack_once_with_its_evidence(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    with alert_service(rt) as metrics:
        producer = producer_factory()
        publish(producer, topics, classified("a1", "us_intervention_warning", at=now()))
        wait_until(lambda: fake_slack.delivered, 60, what="a Slack delivery")
        publish(producer, topics, classified("a1", "us_intervention_warning", at=now()))
        wait_until(
            lambda: metric(metrics, "newsmon_alert_suppressed_total", reason="duplicate") >= 1, 30, what="dup"
        )
    assert len(fake_slack.delivered) == 1
    assert "warned Washington against military intervention" in fake_slack.delivered[0].body.decode()
    assert (
        metric(
            metrics, "newsmon_alert_notifications_total", receiver="slack", outcome="delivered", reason="ok"
        )
        == 1
    )


def test_slack_down_for_a_while_gets_everything_afterwards_in_order_once(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    fake_slack.default = Reply(503, "service_unavailable")
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    producer = producer_factory()
    titles = [f"Update {n} on the warning" for n in range(5)]
    with alert_service(rt) as metrics:
        for n, title in enumerate(titles):  # one situation, a new outlet each time: five messages
            article = classified(
                f"o{n}", "us_intervention_warning", source=f"Outlet {n}", title=title, at=now()
            )
            publish(producer, topics, article)
            # each one its own message, queued behind the first while Slack is down
            wait_until(
                lambda q=n + 1: metric(metrics, "newsmon_alert_pending_deliveries") >= q, 30, what="queued"
            )
        wait_until(lambda: len(fake_slack.requests) >= 6, 30, what="retries during the outage")
        fake_slack.default = Reply(200)
        wait_until(lambda: len(fake_slack.delivered) >= 5, 60, what="every alert after the outage")
        time.sleep(1)
    delivered = [r.json["blocks"][1]["text"]["text"].split(" ", 1)[1] for r in fake_slack.delivered]
    assert delivered == titles
    assert (
        metric(
            metrics,
            "newsmon_alert_notifications_total",
            receiver="slack",
            outcome="retried",
            reason="http_503",
        )
        >= 1
    )


def test_a_rate_limited_webhook_is_retried_after_retry_after(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    fake_slack.respond(Reply(429, "rate_limited", {"Retry-After": "2"}))
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    with alert_service(rt):
        publish(producer_factory(), topics, classified("r1", "us_intervention_warning", at=now()))
        wait_until(lambda: fake_slack.delivered, 60, what="the delivery after the rate limit")
    first, second = fake_slack.requests[:2]
    assert first.status == 429
    assert second.at - first.at >= 1.9


def test_a_silenced_topic_sends_nothing_until_the_silence_ends(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    producer = producer_factory()
    silence = new_silence({"topic": "iran_israel"}, timedelta(hours=2), "known", "desk", now())
    send_and_wait(producer, topics.silences, silence.id, silence)
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    with alert_service(rt) as metrics:
        publish(producer, topics, classified("s1", "us_intervention_warning", at=now()))
        wait_until(
            lambda: metric(metrics, "newsmon_alert_silenced_total", rule="usw") == 1, 30, what="silenced"
        )
        ended = expired(silence, now())
        send_and_wait(producer, topics.silences, ended.id, ended)
        for n in range(2, 20):  # the service follows the silences topic: soon an alert gets through
            publish(
                producer, topics, classified(f"s{n}", "us_intervention_warning", source=f"W{n}", at=now())
            )
            muted = n - 1
            wait_until(
                lambda m=muted: (
                    fake_slack.delivered or metric(metrics, "newsmon_alert_silenced_total", rule="usw") > m
                ),
                30,
                what="the alert to be sent or silenced",
            )
            if fake_slack.delivered:
                break
    assert len(fake_slack.delivered) == 1
    assert f"Story s{n}" in fake_slack.delivered[0].body.decode()


def test_an_unreadable_classified_message_is_dead_lettered_and_the_next_one_still_alerts(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    producer = producer_factory()
    letters = consumer_factory(topics.deadletter)
    with alert_service(rt) as metrics:
        producer.send(topics.classified, key=b"bad", value=b'{"article": 42}').get(30)
        publish(producer, topics, classified("good", "us_intervention_warning", at=now()))
        wait_until(lambda: fake_slack.delivered, 30, what="the alert after the bad message")
        [letter] = [decode(DeadLetter, r.value) for r in drain(letters, 1, 30)]
    assert letter.service == "alert"
    assert letter.reason == "schema"
    assert letter.key == "bad"
    assert metric(metrics, "newsmon_alert_deadletter_total", reason="schema") == 1


def test_two_replicas_send_each_alert_once(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    producer = producer_factory()
    conflict_topics = [
        "iran_israel",
        "russia_ukraine",
        "israel_gaza",
        "china_taiwan",
        "india_pakistan",
        "sudan",
    ]
    first = runtime(kafka_settings, tmp_path / "a", fake_slack.url, instance="a")
    second = runtime(kafka_settings, tmp_path / "b", fake_slack.url, instance="b")
    with alert_service(first) as one, alert_service(second) as two:
        time.sleep(2)  # let the notify group settle with both members
        for n, topic in enumerate(conflict_topics):
            publish(
                producer, topics, classified(f"t{n}", "us_intervention_warning", topics=(topic,), at=now())
            )
        wait_until(lambda: len(fake_slack.delivered) >= len(conflict_topics), 60, what="every alert")
        time.sleep(3)  # time for a second copy to arrive, if there were one
    seen = [r.json["blocks"][2]["fields"][1]["text"].split("\n")[1] for r in fake_slack.delivered]
    assert sorted(seen) == sorted(readable(t) for t in conflict_topics)  # no labels given: ids as words
    fired = [metric(m, "newsmon_alert_alerts_fired_total", rule="usw", severity="high") for m in (one, two)]
    assert sum(fired) == len(conflict_topics), "each alert is counted once across the replicas"


def test_hits_within_group_wait_share_one_message(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    options = FAST.model_copy(update={"group_wait": timedelta(seconds=5)})
    producer = producer_factory()
    with alert_service(rt, options) as metrics:
        publish(producer, topics, classified("g1", "us_intervention_warning", source="Wire One", at=now()))
        publish(producer, topics, classified("g2", "us_intervention_warning", source="Wire Two", at=now()))
        wait_until(lambda: fake_slack.delivered, 30, what="the grouped message")
        time.sleep(1)
    [message] = fake_slack.delivered
    body = message.body.decode()
    assert "Story g1" in body
    assert "Story g2" in body
    assert "2 alert(s)" in body
    assert metric(metrics, "newsmon_alert_suppressed_total", reason="grouped") == 1


def test_window_counts_survive_a_restart(
    caplog: pytest.LogCaptureFixture,
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    rt = runtime(kafka_settings, tmp_path, fake_slack.url)
    producer = producer_factory()
    first = classified("w1", "evacuation_notice", "us_intervention_warning", source="Wire One", at=now())
    with alert_service(rt):
        publish(producer, topics, first)
        # its other signal fires an article rule: proof the first source was counted before the restart
        wait_until(lambda: fake_slack.delivered, 30, what="the first article to be processed")
    assert "evacuation" not in fake_slack.delivered[0].body.decode()
    caplog.set_level(logging.INFO, logger="services.alert")
    caplog.clear()
    with alert_service(rt):
        publish(producer, topics, classified("w2", "evacuation_notice", source="Wire Two", at=now()))
        wait_until(lambda: len(fake_slack.delivered) == 2, 30, what="corroboration across the restart")
    body = fake_slack.delivered[1].body.decode()
    assert "Wire One" in body
    assert "Wire Two" in body
    assert "rebuilding state from 1 earlier messages" in caplog.text, "the first source came back by warm-up"
