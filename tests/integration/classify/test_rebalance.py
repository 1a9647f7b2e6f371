"""A rebalance, then a kill -9 within one commit interval: no article is lost.

While the articles stream in, a second worker joins the first (every partition is revoked and assigned
again), and one of the two is killed right after the group settles, before or about when either commits.
Whatever Faust did with the messages it had fetched, acked or dropped around the rebalance, every produced
article must reach the classified topic, and no committed offset may ever pass an article that had not yet
been handed on to the story stage (the successor of a killed worker starts from the committed offsets; what
was handed on, the story stage produces whoever runs it).
"""

from __future__ import annotations

import bisect
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from kafka import KafkaConsumer

from schemas import encode
from services.classify.app import app_id
from services.classify.stories.stage import unpack
from streambase.kafka import make_admin, make_producer
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.classify.conftest import Worker, raw_article, write_config
from tests.support import drain

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

RATE = 300
"""Articles a second: enough that every partition has messages fetched, in flight and uncommitted."""
COMMIT_INTERVAL = 2.0


@dataclass
class Stream:
    """Produces articles at RATE from a thread until stopped; remembers where each one landed."""

    settings: KafkaSettings
    topic: str
    where: dict[tuple[int, int], str] = field(default_factory=dict)
    """(partition, offset) -> article id, for every article the broker acknowledged."""
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Stream:
        self._thread = threading.Thread(target=self._run, name="article-stream", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(60)

    @property
    def ids(self) -> set[str]:
        return set(self.where.values())

    def _run(self) -> None:
        producer = make_producer(self.settings, "rebalance-stream", linger_ms=2)
        tick, n = 0.05, 0
        try:
            while not self._stop.is_set():
                started = time.monotonic()
                articles = [raw_article(n + i) for i in range(int(RATE * tick))]
                n += len(articles)
                sends = [
                    (a.id, producer.send(self.topic, key=a.id.encode(), value=encode(a))) for a in articles
                ]
                producer.flush()
                for article_id, future in sends:
                    meta = future.get(timeout=30)
                    self.where[(meta.partition, meta.offset)] = article_id
                time.sleep(max(0.0, tick - (time.monotonic() - started)))
        finally:
            producer.close(timeout=10)


@dataclass
class CommitWatch:
    """Samples the group's committed offsets on the articles topic from a thread: (time, offsets) pairs,
    the time taken after the broker answered, so every offset below a sample was committed before it."""

    settings: KafkaSettings
    topic: str
    samples: list[tuple[float, dict[int, int]]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> CommitWatch:
        self._thread = threading.Thread(target=self._run, name="commit-watch", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(30)

    def _run(self) -> None:
        admin = make_admin(self.settings, "commit-watch")
        group = app_id(self.settings)
        try:
            while not self._stop.is_set():
                offsets = admin.list_group_offsets({group: None}).get(group, {})
                committed = {
                    tp.partition: meta.offset for tp, meta in offsets.items() if tp.topic == self.topic
                }
                self.samples.append((time.time(), committed))
                time.sleep(0.05)
        finally:
            admin.close()


def stable_members(settings: KafkaSettings) -> int:
    """Members of the classify group once it is stable (every member synced its assignment), else 0."""
    admin = make_admin(settings, "group-watch")
    try:
        group = admin.describe_groups([app_id(settings)])[app_id(settings)]
    finally:
        admin.close()
    return len(group["members"]) if group["group_state"] == "Stable" else 0


def first_classified(consumer: KafkaConsumer, expected: set[str], timeout: float) -> dict[str, float]:
    """Article id -> time (s) of its first classified record, once every expected id arrived or on timeout."""
    first: dict[str, float] = {}
    deadline = time.monotonic() + timeout
    while not expected <= first.keys() and time.monotonic() < deadline:
        for record in drain(consumer, 10_000, timeout=0.5):
            key = record.key.decode()
            first[key] = min(record.timestamp / 1000, first.get(key, float("inf")))
    return first


def first_handed_on(consumer: KafkaConsumer) -> dict[str, float]:
    """Article id -> time (s) of the first story-stage record that held it."""
    first: dict[str, float] = {}
    while records := drain(consumer, 10_000, timeout=2):
        for record in records:
            for handoff in unpack(record.value):
                key = handoff.features.id
                first[key] = min(record.timestamp / 1000, first.get(key, float("inf")))
    return first


def committed_too_soon(
    samples: list[tuple[float, dict[int, int]]],
    where: dict[tuple[int, int], str],
    classified: dict[str, float],
) -> list[tuple[int, int]]:
    """(partition, offset) of articles that a committed offset had passed before they were handed on."""
    passed: dict[
        int, list[tuple[float, int]]
    ] = {}  # partition -> (time, highest committed offset until then)
    for at, committed in sorted(samples, key=lambda sample: sample[0]):
        for partition, offset in committed.items():
            history = passed.setdefault(partition, [])
            history.append((at, max(offset, history[-1][1] if history else -1)))
    early = []
    for (partition, offset), article_id in sorted(where.items()):
        history = passed.get(partition, [])
        before = bisect.bisect_left(history, (classified[article_id], -1)) - 1
        if before >= 0 and history[before][1] > offset:
            early.append((partition, offset))
    return early


@pytest.mark.parametrize("victim", ["first", "second"])
def test_a_worker_killed_within_a_commit_interval_of_a_rebalance_loses_no_article(
    victim: str,
    start_worker: Callable[..., Worker],
    kafka_settings: KafkaSettings,
    topics: Topics,
    consumer_factory: Callable[..., KafkaConsumer],
    repo: Path,
    tmp_path: Path,
) -> None:
    delay = random.uniform(0, COMMIT_INTERVAL)
    config = write_config(tmp_path / "config", repo, batch_size=100, commit_interval=f"{COMMIT_INTERVAL}s")
    first = start_worker(config, name="first")
    first.wait_ready()
    stream = Stream(kafka_settings, topics.articles).start()
    watch = CommitWatch(kafka_settings, topics.articles).start()
    classified = consumer_factory(topics.classified)
    try:
        first.wait_for(
            lambda: first.metric("newsmon_classify_articles_total", outcome="classified") > 500,
            60,
            "the first worker to be consuming",
        )
        second = start_worker(config, name="second")
        first.wait_for(lambda: stable_members(kafka_settings) == 2, 90, "two members sharing the partitions")
        time.sleep(delay)
        (first if victim == "first" else second).kill()
        time.sleep(3)
    except BaseException:
        watch.stop()
        raise
    finally:
        stream.stop()
    survivor = second if victim == "first" else first
    ids = stream.ids
    try:
        got = first_classified(classified, ids, timeout=150)
    finally:
        watch.stop()
    handed_on = first_handed_on(consumer_factory(f"{app_id(kafka_settings)}-story-input"))
    missing = ids - got.keys()
    assert not missing, (
        f"{len(missing)} of {len(ids)} articles lost (killed {victim} {delay:.2f}s after the rebalance), "
        f"e.g. {sorted(missing)[:5]}\n--- survivor ---\n{survivor.logs()}"
    )
    durable = {i: min(got[i], handed_on.get(i, got[i])) for i in ids}
    early = committed_too_soon(watch.samples, stream.where, durable)
    assert not early, (
        f"{len(early)} offsets were committed before their article was handed on (killed {victim} "
        f"{delay:.2f}s after the rebalance), e.g. (partition, offset) {early[:5]}"
    )
