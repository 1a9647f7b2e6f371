"""The classify service as a process on the real broker: classification, dedup, dead letters, trends."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from schemas import ClassifiedArticle, DeadLetter, TrendWindow, decode
from services.classify.app import app_id
from services.classify.trends import TrendContribution
from streambase.deadletters import REASON_HEADER
from streambase.kafka import send_and_wait
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.classify.conftest import Worker, drain_all, raw_article, write_config
from tests.support import drain, wait_until


def test_each_article_is_classified_once_keyed_by_its_id_and_a_repeat_is_skipped(
    start_worker: Callable[..., Worker],
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    worker = start_worker()
    producer = producer_factory()
    articles = [raw_article(n) for n in range(40)]
    russian = raw_article(40).model_copy(
        update={
            "title": "Ночью беспилотники атаковали нефтебазу под Брянском",
            "summary": "По словам губернатора, пострадавших нет, возгорание потушено.",
            "language": "en",  # feeds mislabel their desks
        }
    )
    articles.append(russian)
    for article in articles:
        send_and_wait(producer, topics.articles, article.id, article)
    send_and_wait(producer, topics.articles, articles[0].id, articles[0])  # ingest may repeat itself

    records = drain_all(consumer_factory(topics.classified), 41)
    assert len(records) == 41, worker.logs()
    classified = {r.key.decode(): decode(ClassifiedArticle, r.value) for r in records}
    assert set(classified) == {a.id for a in articles}
    assert classified[russian.id].language == "ru"
    assert classified[russian.id].article.language == "en"  # the declared language is kept beside it
    assert classified["article-00000"].language in ("en", "und")
    assert all(classified[a.id].article == a for a in articles)
    strike = classified["article-00000"]
    assert "iran_israel" in strike.topics
    assert strike.signal("military_strike") is not None
    assert classified["article-00002"].signals == ()
    wait_until(lambda: worker.metric("newsmon_classify_articles_total", outcome="duplicate") == 1, 20)
    assert worker.metric("newsmon_classify_articles_total", outcome="classified") == 41
    assert worker.metric("newsmon_classify_unsupported_language_total", lang="ru") == 1
    assert worker.metric("newsmon_classify_signals_total", signal="military_strike", topic="iran_israel") > 0
    assert worker.metric("newsmon_classify_consumer_lag_messages", topic=topics.articles) == 0
    assert worker.stop() == 0, worker.logs()


def test_invalid_messages_are_dead_lettered_with_their_reason_and_the_worker_carries_on(
    start_worker: Callable[..., Worker],
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    worker = start_worker()
    producer = producer_factory()
    producer.send(topics.articles, key=b"broken", value=b"{not json").get(timeout=10)
    producer.send(topics.articles, key=b"half", value=b'{"id": "x"}').get(timeout=10)
    producer.send(topics.articles, key=b"tombstone", value=None).get(timeout=10)
    send_and_wait(producer, topics.articles, "article-00001", raw_article(1))

    letters = drain_all(consumer_factory(topics.deadletter), 3)
    reasons = {r.key: dict(r.headers)[REASON_HEADER].decode() for r in letters}
    assert reasons == {b"broken": "invalid_json", b"half": "schema", b"tombstone": "empty"}, worker.logs()
    letter = decode(DeadLetter, next(r.value for r in letters if r.key == b"broken"))
    assert (letter.service, letter.topic, letter.reason, letter.payload) == (
        "classify",
        topics.articles,
        "invalid_json",
        "{not json",
    )
    good = drain(consumer_factory(topics.classified), 1, timeout=60)
    assert [r.key for r in good] == [b"article-00001"]
    assert worker.metric("newsmon_classify_deadletter_total", reason="schema") == 1
    assert worker.metric("newsmon_classify_articles_total", outcome="invalid") == 3
    assert worker.alive()


def test_trend_windows_per_topic_are_emitted_with_counts_sources_and_index(
    start_worker: Callable[..., Worker],
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    repo: Path,
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path / "config", repo, window="10m", window_step="5m", window_grace="1s", emit_interval="1s"
    )
    worker = start_worker(config)
    producer = producer_factory()
    for n in range(12):  # 0, 4, 8: strike reports; 1, 5, 9: missile exchange; the rest have no topic
        send_and_wait(producer, topics.articles, f"article-{n:05d}", raw_article(n, source=f"Outlet {n % 3}"))

    consumer = consumer_factory(topics.trends)

    def full_window() -> TrendWindow | None:
        for record in drain(consumer, 1, timeout=1):
            window = decode(TrendWindow, record.value)
            if window.article_count == 6:
                return window
        return None

    window = wait_until(full_window, 60, what="a trend window holding all six articles")
    assert window.topic == "iran_israel"
    assert window.window_end - window.window_start == timedelta(minutes=10)
    assert window.distinct_sources == 3
    assert window.signal_counts["military_strike"] == 6
    assert 0 < window.escalation_mean <= window.escalation_max <= 1
    assert window.escalation_index > window.escalation_max, "three outlets count more than one"
    assert worker.metric("newsmon_classify_window_articles", topic="iran_israel") == 6


def test_a_lone_contribution_of_an_older_release_still_counts_beside_a_batch(
    start_worker: Callable[..., Worker],
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    repo: Path,
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path / "config", repo, window="10m", window_step="5m", window_grace="1s", emit_interval="1s"
    )
    worker = start_worker(config)
    worker.wait_ready()
    producer = producer_factory()
    # what a worker of the release before batching left on the trend input during an upgrade
    lone = TrendContribution(
        article_id="article-older",
        topic="iran_israel",
        at=datetime.now(UTC),
        source="Outlet 9",
        signals=("military_strike",),
        escalation_score=0.5,
    )
    send_and_wait(producer, f"{app_id(kafka_settings)}-trend-input", lone.topic, lone)
    for n in (0, 4):  # both iran_israel: one batch record
        send_and_wait(producer, topics.articles, f"article-{n:05d}", raw_article(n, source=f"Outlet {n}"))
    trends = consumer_factory(topics.trends)

    def all_three() -> TrendWindow | None:
        windows = [decode(TrendWindow, r.value) for r in drain(trends, 1, timeout=1)]
        return next((w for w in windows if w.article_count == 3), None)

    window = worker.wait_for(all_three, 60, "a window with the lone contribution and the batch's two")
    assert (window.topic, window.distinct_sources) == ("iran_israel", 3)


def test_an_article_classified_again_after_its_seen_entry_was_lost_counts_once_in_its_trend_window(
    start_worker: Callable[..., Worker],
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    repo: Path,
    tmp_path: Path,
) -> None:
    config = write_config(
        tmp_path / "config", repo, window="10m", window_step="5m", window_grace="1s", emit_interval="1s"
    )
    first = start_worker(config, name="first")
    first.wait_ready()
    producer = producer_factory()
    strike, other = raw_article(0, source="Outlet 0"), raw_article(4, source="Outlet 4")  # both iran_israel
    send_and_wait(producer, topics.articles, strike.id, strike)
    classified = consumer_factory(topics.classified)
    [record] = drain(classified, 1, timeout=60)
    trends = consumer_factory(topics.trends)

    def counts() -> list[int]:
        """Article counts of the trend windows emitted since the last call (within a second)."""
        return [decode(TrendWindow, r.value).article_count for r in drain(trends, 1, timeout=1)]

    first.wait_for(lambda: 1 in counts(), 60, "the article's trend window")
    assert first.stop() == 0, first.logs()

    # as after a crash before the seen table recorded it: the article's seen entry is gone
    seen = f"{app_id(kafka_settings)}-seen-changelog"
    producer.send(seen, key=json.dumps(strike.id).encode(), value=None, partition=record.partition).get(10)
    second = start_worker(config, name="second")
    second.wait_ready()
    send_and_wait(producer, topics.articles, strike.id, strike)
    send_and_wait(producer, topics.articles, other.id, other)
    again = drain_all(classified, 1)
    # the story stage produced the strike before and its book still holds it: it is not produced twice
    assert sorted(r.key for r in again) == [b"article-00004"], second.logs()

    # the contributions of both are on the trend input by now; take every window emitted for a while
    windows: list[int] = []
    deadline = time.monotonic() + 8
    while time.monotonic() < deadline:
        windows += counts()
    assert max(windows, default=0) == 2, f"window article counts {windows}\n{second.logs()}"


def test_a_flood_of_invalid_messages_stops_the_worker_and_says_what_to_check(
    start_worker: Callable[..., Worker],
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
) -> None:
    worker = start_worker()
    assert worker.process is not None
    worker.process.kill()  # started with the default limit: start it again with a lower one
    worker.process.wait(30)
    worker.env["NEWSMON_DEADLETTER_MAX_CONSECUTIVE"] = "15"
    worker.start()
    producer = producer_factory()
    for n in range(40):  # one key, one partition: they come in a row
        producer.send(topics.articles, key=b"poison", value=b'{"not": "an article %d"}' % n)
    producer.flush(30)
    assert worker.process is not None
    assert worker.process.wait(120) == 65, worker.logs()
    logs = worker.logs()
    assert f"15 messages in a row from {topics.articles} could not be used (last reason: schema)" in logs
    assert "NEWSMON_DEADLETTER_MAX_CONSECUTIVE" in logs
    assert logs.count("dead-lettered") < 5, "dead letters are logged once per reason every 10 s"
