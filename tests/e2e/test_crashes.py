"""Crashes and outages while articles stream through: nothing lost, nothing notified twice.

These run on a broker of their own (started here on free ports), so the broker-restart test can stop it
without disturbing other tests. Articles go straight to the raw topic (ingest's own crash safety is tested
with ingest); one feed still goes through a running ingest so the whole path is covered.
"""

from __future__ import annotations

import gc
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.e2e.harness import Broker, Deployment, ServiceProcess
from tests.e2e.scenario import Item, deployment, notified_urls, rss, wait_ready, write_config
from tests.e2e.stream import ArticleStream, keys_on
from tests.servers.http_feeds import FeedServer
from tests.servers.slack import FakeSlack, Reply
from tests.support import remove_topics, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

ALERTING = (
    "alerting: {group_wait: 1s, group_interval: 1s, repeat_interval: 1h, retry: {initial: 1s, maximum: 4s}}\n"
)
CATCH_UP = 150.0
"""Seconds the pipeline gets, after the stream ends, to classify and notify everything."""


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    own = Broker(tmp_path_factory.mktemp("own-broker") / "kafka").start()
    try:
        yield own
    finally:
        own.stop()


@dataclass
class Pipeline:
    deployment: Deployment
    settings: KafkaSettings
    slack: FakeSlack

    def service(self, name: str) -> ServiceProcess:
        return next(p for p in self.deployment.processes if p.service == name)

    def classified(self, expected: set[str]) -> set[str]:
        return keys_on(self.settings, Topics.from_settings(self.settings).classified, expected, CATCH_UP)

    def notified_urls(self) -> list[str]:
        return notified_urls(self.slack)


@pytest.fixture
def pipeline(broker: Broker, tmp_path: Path, fake_slack: FakeSlack) -> Iterator[Pipeline]:
    config = write_config(tmp_path / "config", extra=ALERTING)
    deploy, settings = deployment(broker.bootstrap, tmp_path, config, fake_slack)
    try:
        for process in deploy.start("classify", "alert"):
            wait_ready(process)
        yield Pipeline(deploy, settings, fake_slack)
    finally:
        deploy.stop_all()
        remove_topics(settings)
        gc.collect()  # a client this test left open is reported here, not in whichever test runs next


def assert_everything_once(
    pipeline: Pipeline, stream: ArticleStream, extra_urls: frozenset[str] = frozenset()
) -> None:
    logs = pipeline.deployment.logs
    missing = stream.ids - pipeline.classified(stream.ids)
    assert not missing, f"{len(missing)} articles never classified, e.g. {sorted(missing)[:5]}\n{logs()}"
    expected = stream.alert_urls | extra_urls
    wait_until(
        lambda: expected <= set(pipeline.notified_urls()),
        timeout=CATCH_UP,
        interval=0.5,
        what=f"{len(expected)} alerts to be notified",
        context=lambda: f"missing: {sorted(expected - set(pipeline.notified_urls()))}\n{logs()}",
    )
    time.sleep(5)  # a late duplicate would arrive within this
    urls = pipeline.notified_urls()
    doubled = sorted({url for url in urls if urls.count(url) > 1})
    assert not doubled, f"notified more than once: {doubled[:5]}\n{logs()}"
    assert set(urls) == expected, f"unexpected alerts: {sorted(set(urls) - expected)[:5]}"


def test_kill_9_of_classify_and_alert_mid_stream_loses_nothing_and_notifies_each_alert_once(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    with FeedServer() as feeds:
        now = datetime.now(UTC)
        item = Item("wire.example/warning", *_warning_via_feed(), now)
        feeds.add("/wire.xml", rss("Feed Outlet", [item]))
        write_config(tmp_path / "config", [("wire", "Feed Outlet", feeds.url("/wire.xml"))], extra=ALERTING)
        wait_ready(pipeline.deployment.start("ingest")[0])

        stream = ArticleStream(pipeline.settings, count=5000, rate=250).start()
        rng = random.Random(7)
        victims = ["classify", "alert"] * 2
        rng.shuffle(victims)
        for name in victims:
            time.sleep(rng.uniform(2.0, 4.5))
            victim = pipeline.service(name)
            victim.kill()
            time.sleep(rng.uniform(0.2, 1.5))
            victim.start()
        stream.join(timeout=120)
        assert all(pipeline.service(name).starts == 3 for name in ("classify", "alert"))
        assert_everything_once(pipeline, stream, frozenset({item.link}))


def _warning_via_feed() -> tuple[str, str]:
    return (
        "Kremlin tells Washington to stay out of the Iran war",
        "In a sharp warning to Washington, Russia cautioned the United States against any military "
        "intervention in the conflict between Iran and Israel.",
    )


def test_a_broker_restart_mid_stream_is_recovered_by_the_services_on_their_own(
    pipeline: Pipeline, broker: Broker
) -> None:
    stream = ArticleStream(pipeline.settings, count=2000, rate=200, alert_every=100).start()
    time.sleep(3)
    broker.restart()
    stream.join(timeout=150)
    assert_everything_once(pipeline, stream)
    for process in pipeline.deployment.processes:
        assert process.running, f"{process.name} exited\n{process.log()}"
        assert process.starts == 1


def test_a_minute_of_slack_503_then_429_delivers_everything_afterwards_once(pipeline: Pipeline) -> None:
    slack = pipeline.slack
    slack.default = Reply(503, "service unavailable")
    stream = ArticleStream(pipeline.settings, count=1500, rate=150, alert_every=75).start()

    def outage() -> None:
        time.sleep(30)
        slack.default = Reply(429, "rate_limited", {"Retry-After": "3"})
        time.sleep(30)
        slack.default = Reply()

    switcher = threading.Thread(target=outage, daemon=True)
    switcher.start()
    stream.join(timeout=60)
    wait_until(lambda: any(r.status == 503 for r in slack.requests), timeout=30, what="a delivery attempt")
    switcher.join(70)
    refused = {r.status for r in slack.requests}
    assert {503, 429} <= refused, refused
    assert_everything_once(pipeline, stream)
