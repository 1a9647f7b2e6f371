"""Crashes and outages while articles stream through: nothing lost, nothing notified twice unmarked.

These run on a broker of their own (started here on free ports), so a test can stop or kill it without
disturbing other tests. The crash run SIGKILLs ingest, two classify and two alert replicas and the broker at
moments drawn from a fresh seed (printed; NEWSMON_CRASH_SEED replays it), while articles stream onto the raw
topic and feeds on a real HTTP server grow under a polling ingest.
"""

from __future__ import annotations

import gc
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from kafka.consumer.fetcher import ConsumerRecord

from schemas import RawArticle, decode
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.e2e.chaos import (
    AFTER_FEED_ANSWER,
    AFTER_SLACK_200,
    BROKER,
    SEED_VARIABLE,
    Chaos,
    FeedTrap,
    SlackTrap,
    Trap,
    crash_seed,
    plan_kills,
)
from tests.e2e.harness import Broker, Deployment, ServiceProcess
from tests.e2e.newsroom import GrowingFeeds
from tests.e2e.scenario import (
    SlackMessage,
    article_links,
    deployment,
    marked_repeat,
    notified_urls,
    wait_ready,
    write_config,
)
from tests.e2e.stream import ArticleStream, keys_on, records_on
from tests.servers.http_feeds import FeedServer
from tests.servers.slack import FakeSlack, Reply
from tests.support import remove_topics, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

ALERTING = (
    "alerting: {group_wait: 1s, group_interval: 1s, repeat_interval: 1h, retry: {initial: 1s, maximum: 4s}}\n"
)
CATCH_UP = 150.0
"""Seconds the pipeline gets, after the stream ends, to classify and notify everything."""
SPAN = 90.0
"""Seconds of the crash run: articles streaming, feeds growing, kills landing (in its first 85 %)."""
RATE, ALERT_EVERY = 40, 100
"""The stream's articles per second; one in every ALERT_EVERY is a warning with an alert of its own."""
OUTLETS, PUBLISH_EVERY = 6, 0.4
"""Feeds ingest polls (every 1 to 2 s), and how often one of them publishes a new item."""
DESIGNED_EXITS = {("classify", 75)}
"""(service, status) of the exits the README documents: a classify worker whose produce the broker refuses
exits 75 rather than commit past it. Any other exit (an alert or ingest replica is to keep running while
the broker is away) is a defect, even though the test's supervisor starts the process again."""


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

    def replicas(self, name: str) -> list[ServiceProcess]:
        return [p for p in self.deployment.processes if p.service == name]

    def classified(self, expected: set[str]) -> set[str]:
        return keys_on(self.settings, Topics.from_settings(self.settings).classified, expected, CATCH_UP)

    def notified_urls(self, marked: bool | None = None) -> list[str]:
        return notified_urls(self.slack, marked)


@contextmanager
def running(
    broker: Broker,
    work: Path,
    slack: FakeSlack,
    services: Sequence[str],
    feeds: Sequence[tuple[str, str, str]] = (),
    partitions: int = 3,
) -> Iterator[Pipeline]:
    """The services as ready processes on a topic prefix of their own; stopped, and their topics deleted,
    afterwards."""
    config = write_config(work / "config", feeds, extra=ALERTING)
    deploy, settings = deployment(broker.bootstrap, work, config, slack, partitions=partitions)
    try:
        for process in deploy.start(*services):
            wait_ready(process)
        yield Pipeline(deploy, settings, slack)
    finally:
        deploy.stop_all()
        remove_topics(settings)
        gc.collect()  # a client this test left open is reported here, not in whichever test runs next


@pytest.fixture
def pipeline(broker: Broker, tmp_path: Path, fake_slack: FakeSlack) -> Iterator[Pipeline]:
    with running(broker, tmp_path, fake_slack, ("classify", "alert")) as one_of_each:
        yield one_of_each


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


def say(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Into the test output even when the test passes: the seed and the figures of a crash run."""
    with capsys.disabled():
        print(f"\n{text}", flush=True)


def crash_plan(
    rng: random.Random,
    pipeline: Pipeline,
    broker: Broker,
    slack: SlackTrap,
    server: FeedServer,
    feeds: GrowingFeeds,
) -> Chaos:
    """Every replica killed at least once (one classify and one alert replica, drawn, twice), the broker
    once, one alert replica right after Slack's 200, and ingest right after a feed answered with news."""
    processes = pipeline.deployment.processes
    classify, alert = pipeline.replicas("classify"), pipeline.replicas("alert")
    extra = [rng.choice(classify).name, rng.choice(alert).name]
    victims = [p.name for p in processes] + extra + [BROKER, AFTER_SLACK_200, AFTER_FEED_ANSWER]
    traps: dict[str, Trap] = {
        AFTER_SLACK_200: slack,
        AFTER_FEED_ANSWER: FeedTrap(server, lambda: feeds.publish().path, pipeline.service("ingest")),
    }
    return Chaos(processes, broker, plan_kills(rng, victims, SPAN), traps)


def deliveries(url: str, slack: FakeSlack, senders: SlackTrap, started: float) -> str:
    """Each delivered message that links `url`: when (seconds into the run), from which replica, its
    headline, how many articles it links, and whether it carries the possible-repeat mark."""
    lines = []
    for received in slack.delivered:
        message = SlackMessage.parse(received)
        links = article_links(message.text)
        if url in links:
            mark = "marked" if marked_repeat(received) else "unmarked"
            lines.append(
                f"  {received.at - started:7.2f}s from {senders.sender(received)}: {message.header!r}, "
                f"{len(links)} article(s), {mark}"
            )
    return f"{url}:\n" + "\n".join(lines)


def produced_from_feeds(settings: KafkaSettings, links: set[str], timeout: float) -> list[RawArticle]:
    """Raw articles whose URL is one of `links`, read from the start of the raw topic until every link was
    seen or `timeout` passed; one per produce, so an article produced twice is there twice."""
    found: list[RawArticle] = []
    read = [0]

    def done(records: list[ConsumerRecord]) -> bool:
        for record in records[read[0] :]:
            article = decode(RawArticle, record.value) if record.value else None
            if article is not None and article.url in links:
                found.append(article)
        read[0] = len(records)
        return links <= {a.url for a in found}

    records_on(settings, Topics.from_settings(settings).articles, done, timeout)
    return found


def test_kill_9_of_every_replica_and_the_broker_at_random_moments_loses_nothing_and_repeats_only_marked(
    broker: Broker, tmp_path: Path, fake_slack: FakeSlack, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = crash_seed()
    say(capsys, f"crash seed {seed} (replay: {SEED_VARIABLE}={seed})")
    rng = random.Random(seed)
    began = time.monotonic()
    with FeedServer() as server:
        feeds = GrowingFeeds(server, rng, OUTLETS, expected=int(SPAN / PUBLISH_EVERY / OUTLETS))
        services = ("ingest", "classify", "classify", "alert", "alert")
        with running(broker, tmp_path, fake_slack, services, feeds.feeds, partitions=4) as pipeline:
            senders = SlackTrap(fake_slack, lambda: pipeline.replicas("alert"))
            chaos = crash_plan(rng, pipeline, broker, senders, server, feeds)

            def context() -> str:
                return f"crash seed {seed}\n{chaos}\n{pipeline.deployment.logs()}"

            def explain(url: str) -> str:
                return deliveries(url, fake_slack, senders, chaos.timeline.started)

            stream = ArticleStream(pipeline.settings, int(SPAN * RATE), RATE, ALERT_EVERY).start()
            feeds.grow(int(SPAN / PUBLISH_EVERY), PUBLISH_EVERY)
            try:
                chaos.start()
                stream.join(timeout=SPAN + 90)
                feeds.join(timeout=30)
                wait_until(chaos.settled, 120, 0.5, "every kill done and its victim started", context)
                assert not chaos.errors, context()
                figures = assert_nothing_lost_and_no_unmarked_repeat(
                    pipeline, stream, feeds, context, explain
                )
            finally:
                chaos.stop()
                say(capsys, f"crash seed {seed}: {time.monotonic() - began:.0f}s; {chaos}")
            say(capsys, f"crash seed {seed}: {figures}")
            crashed = [e for e in chaos.exits if (e.service, e.status) not in DESIGNED_EXITS]
            assert not crashed, f"exited on their own: {', '.join(map(str, crashed))}\n{context()}"


def assert_nothing_lost_and_no_unmarked_repeat(
    pipeline: Pipeline,
    stream: ArticleStream,
    feeds: GrowingFeeds,
    context: Callable[[], str],
    explain: Callable[[str], str],
) -> str:
    """Every feed item produced by ingest, every produced article classified, every alert notified, and no
    alert in two messages without the possible-repeat mark; returns the run's figures, in words.
    `explain(url)` says which messages carried an article's link."""
    links = feeds.links
    from_feeds = produced_from_feeds(pipeline.settings, links, CATCH_UP)
    lost = links - {a.url for a in from_feeds}
    assert not lost, f"{len(lost)} feed items never produced, e.g. {sorted(lost)[:5]}\n{context()}"
    produced = stream.ids | {a.id for a in from_feeds}
    missing = produced - pipeline.classified(produced)
    assert not missing, f"{len(missing)} articles never classified, e.g. {sorted(missing)[:5]}\n{context()}"
    expected = stream.alert_urls | feeds.alert_links
    wait_until(
        lambda: expected <= set(pipeline.notified_urls()),
        timeout=CATCH_UP,
        interval=0.5,
        what=f"{len(expected)} alerts to be notified",
        context=lambda: f"missing: {sorted(expected - set(pipeline.notified_urls()))}\n{context()}",
    )
    time.sleep(5)  # a late duplicate would arrive within this
    unmarked = pipeline.notified_urls(marked=False)
    doubled = sorted({url for url in unmarked if unmarked.count(url) > 1})
    shown = "\n".join(explain(url) for url in doubled[:3])
    assert not doubled, f"notified more than once without the mark: {doubled[:5]}\n{shown}\n{context()}"
    urls = set(pipeline.notified_urls())
    assert urls == expected, f"unexpected alerts: {sorted(urls - expected)[:5]}\n{context()}"
    repeats = sum(marked_repeat(r) for r in pipeline.slack.delivered)
    twice = len(from_feeds) - len({a.id for a in from_feeds})
    return (
        f"{len(produced)} articles ({len(links)} through ingest, {twice} produced twice), "
        f"{len(expected)} alerts, {repeats} marked repeat(s)"
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
