"""At-least-once and scale-out: a worker killed mid-stream loses nothing, two workers share the work."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from schemas import encode
from services.classify.app import app_id
from streambase.kafka import make_admin
from streambase.settings import KafkaSettings
from streambase.topics import Topics, ensure_topics
from tests.integration.classify.conftest import Worker, drain_all, raw_article, write_config
from tests.support import drain

BATCH = 200


def produce_all(producer: KafkaProducer, topic: str, count: int) -> list[str]:
    articles = [raw_article(n) for n in range(count)]
    futures = [producer.send(topic, key=a.id.encode(), value=encode(a)) for a in articles]
    producer.flush()
    for future in futures:
        future.get(timeout=30)
    return [a.id for a in articles]


def committed_articles(settings: KafkaSettings, topics: Topics) -> int:
    """How many articles the classify group has committed, over all partitions."""
    admin = make_admin(settings)
    try:
        offsets = admin.list_group_offsets({app_id(settings): None}).get(app_id(settings), {})
    finally:
        admin.close()
    return sum(meta.offset for tp, meta in offsets.items() if tp.topic == topics.articles and meta.offset > 0)


def test_a_worker_killed_mid_stream_loses_nothing_and_its_successor_skips_what_was_done(
    start_worker: Callable[..., Worker],
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    repo: Path,
    tmp_path: Path,
) -> None:
    total = 10_000
    config = write_config(tmp_path / "config", repo, batch_size=BATCH, commit_interval="10m")
    first = start_worker(config, name="first")
    first.wait_ready()  # settled: no rebalance (and no commit on revocation) while the articles stream in
    ids = produce_all(producer_factory(), topics.articles, total)
    consumer = consumer_factory(topics.classified)
    done_before: set[bytes] = set()

    def some_work_done() -> bool:
        done_before.update(r.key for r in drain(consumer, 1, timeout=0.2))
        return len(done_before) >= 1_000

    first.wait_for(some_work_done, 120, "the first worker to classify 1,000 articles")
    first.kill()
    records_before = drain(consumer, total, timeout=3)
    done_before.update(r.key for r in records_before)
    assert len(done_before) < total, "the worker finished before it was killed; nothing was tested"

    committed = committed_articles(kafka_settings, topics)
    second = start_worker(config, name="second")
    seen = set(done_before)

    def all_classified() -> bool:
        seen.update(r.key for r in drain(consumer, 1, timeout=0.5))
        return len(seen) == total

    second.wait_for(all_classified, 180, "every article in the classified topic")
    assert seen == {i.encode() for i in ids}

    counts: list[float] = []

    def read_again() -> bool:
        counts[:] = [
            second.metric("newsmon_classify_articles_total", outcome="classified"),
            second.metric("newsmon_classify_articles_total", outcome="duplicate"),
        ]
        return sum(counts) >= total - committed

    # the successor reads again everything after the committed offsets (a rebalance while the dead
    # member leaves the group may make it read some twice) ...
    try:
        second.wait_for(read_again, 180, "the successor to read the uncommitted articles again")
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nread {counts}, {committed} committed of {total}") from None
    skipped = counts[1]
    # ... and skips what its predecessor had finished
    assert skipped >= len(done_before) - committed - 2 * BATCH, "what the killed worker finished is redone"

    everything = drain_all(consumer_factory(topics.classified), total)
    doubled = len(everything) - total
    assert 0 <= doubled <= 2 * BATCH, f"{doubled} articles were classified twice"
    assert second.stop() == 0, second.logs()


def test_two_workers_share_the_partitions_and_classify_nothing_twice(
    start_worker: Callable[..., Worker],
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    one = start_worker(name="one")
    one.wait_ready()
    two = start_worker(name="two")
    two.wait_ready()
    two.wait_for(lambda: one.assigned() + two.assigned() == 3, 90, "the group to settle on 3 partitions")
    total = 600
    ids = produce_all(producer_factory(), topics.articles, total)

    records = drain_all(consumer_factory(topics.classified), total)
    assert sorted(r.key.decode() for r in records) == sorted(ids), "each article exactly once"
    first = one.metric("newsmon_classify_articles_total", outcome="classified")
    second = two.metric("newsmon_classify_articles_total", outcome="classified")
    assert first > 0
    assert second > 0
    assert first + second == total
    assert one.stop() == 0
    assert two.stop() == 0


def test_an_input_topic_missing_when_the_group_rebalanced_is_read_once_it_is_back(
    start_worker: Callable[..., Worker],
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    """A broker restarted after SIGKILL can answer metadata before it has loaded every topic; a group that
    rebalances then assigns none of the missing topic's partitions. The worker must notice the topic's
    return within seconds, not at the client's default five-minute metadata refresh."""
    worker = start_worker(name="only")
    worker.wait_ready()
    admin = make_admin(kafka_settings)
    try:
        admin.delete_topics([topics.articles], timeout_ms=30_000)
        worker.wait_for(lambda: topics.articles not in admin.list_topics(), 30, "the input topic to be gone")
        worker.wait_for(
            lambda: "Ignoring missing topic" in worker.logs(), 60, "a rebalance without the input topic"
        )
        ensure_topics(admin, kafka_settings)
    finally:
        admin.close()
    total = 50
    ids = produce_all(producer_factory(), topics.articles, total)
    records = drain_all(consumer_factory(topics.classified), total, timeout=60)
    assert sorted(r.key.decode() for r in records) == sorted(ids), worker.logs()
    assert worker.stop() == 0
