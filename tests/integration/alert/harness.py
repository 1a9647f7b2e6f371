"""Runs the alert service in a thread against the real broker, for integration tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from kafka import KafkaProducer
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from schemas import ClassifiedArticle
from services.alert.config import AlertingOptions, RetryOptions
from services.alert.metrics import AlertMetrics
from services.alert.receiver_specs import Receivers
from services.alert.rules import ArticleRule, Rule, WindowRule
from services.alert.service import AlertConfig, run
from services.alert.settings import AlertSettings, SlackSettings, SmtpSettings
from streambase.kafka import send_and_wait
from streambase.settings import KafkaSettings, RuntimeSettings
from streambase.topics import Topics

USW_RULES = """\
rules:
  - id: usw
    kind: article
    title: Warning against US intervention
    signals: [us_intervention_warning]
"""
"""The YAML of one article rule on US-intervention warnings, for tests that run the service from a file."""

RULES: tuple[Rule, ...] = (
    ArticleRule(
        id="usw", kind="article", title="US intervention warning", signals=("us_intervention_warning",)
    ),
    WindowRule(id="evac", kind="window", signals=("evacuation_notice",), min_sources=2),
)

FAST = AlertingOptions(
    group_wait=timedelta(seconds=0),
    group_interval=timedelta(seconds=0),
    repeat_interval=timedelta(seconds=0),
    retry=RetryOptions(initial=timedelta(seconds=0.2), maximum=timedelta(seconds=1)),
    commit_interval=timedelta(seconds=0),
)


def runtime(
    kafka: KafkaSettings,
    state_dir: Path,
    slack_url: str | None = None,
    instance: str = "r1",
    ack_secret: str | None = None,
) -> AlertSettings:
    return AlertSettings(
        runtime=RuntimeSettings(state_dir=state_dir, instance=instance, metrics_host="127.0.0.1"),
        kafka=kafka,
        slack=SlackSettings(webhook_url=SecretStr(slack_url) if slack_url else None),
        smtp=SmtpSettings(host=None),
        ack_secret=SecretStr(ack_secret) if ack_secret else None,
    )


@contextmanager
def alert_service(
    rt: AlertSettings,
    options: AlertingOptions = FAST,
    rules: tuple[Rule, ...] = RULES,
    wait_live: bool = True,
    receivers: Receivers = (),
    port: int = 0,
) -> Iterator[AlertMetrics]:
    """The service on a thread until the block ends; its HTTP endpoint on `port` (0: any free one)."""
    stop, live = threading.Event(), threading.Event()
    metrics = AlertMetrics(CollectorRegistry())
    config = AlertConfig(options, rules, timedelta(hours=1), receivers)
    errors: list[BaseException] = []

    def target() -> None:
        try:
            run(rt, config, port, stop, metrics=metrics, live=live)
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="alert-service", daemon=True)
    thread.start()
    try:
        if wait_live and not live.wait(60):
            raise AssertionError(f"the alert service did not go live: {errors}")
        yield metrics
    finally:
        stop.set()
        thread.join(60)
    assert not thread.is_alive(), "the alert service did not stop"
    assert not errors, f"the alert service failed: {errors[0]!r}"


def publish(producer: KafkaProducer, topics: Topics, *articles: ClassifiedArticle) -> None:
    for article in articles:
        send_and_wait(producer, topics.classified, article.id, article)
