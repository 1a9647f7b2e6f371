"""A stream of raw articles for crash, scale and benchmark scenarios, produced straight to the raw topic at a
steady rate, and readers for what came out the other end.

Most articles are everyday news; every `alert_every`-th one is a warning to Washington from an outlet of its
own, so each raises an alert that brings a new source and must be notified exactly once.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kafka import KafkaProducer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError

from schemas import RawArticle, encode
from streambase.kafka import make_consumer, make_producer
from streambase.settings import KafkaSettings
from streambase.topics import Topics

WARNING = (
    "Moscow warns Washington against military intervention in Iran",
    "Russia warned the United States against any military intervention in the conflict between Iran and "
    "Israel, a spokeswoman said on Monday.",
)
EVERYDAY = (
    (
        "Harbour festival draws crowds",
        "Thousands visited the harbour festival, where boats and stalls lined the quay.",
    ),
    ("Council approves cycle lanes", "The council voted to add cycle lanes on three avenues next spring."),
    ("Orchestra announces new season", "The orchestra will play twelve concerts, with two premieres."),
    ("Farmers expect an early harvest", "A warm spring has brought the wheat harvest forward by two weeks."),
)


def article(run: str, index: int, alert_every: int, content: str = "") -> RawArticle:
    now = datetime.now(UTC)
    if alert_every and index % alert_every == 0:
        title, body = WARNING
        source = f"Outlet {run}-{index}"
        content = ""
    else:
        title, body = EVERYDAY[index % len(EVERYDAY)]
        title, source = f"{title} ({index})", "Everyday News"
    return RawArticle(
        id=f"{run}-{index}",
        feed_id="stream",
        source=source,
        url=f"https://news.example/{run}/{index}",
        title=title,
        summary=body,
        content=content,
        published_at=now,
        fetched_at=now,
        language="en",
    )


@dataclass
class ArticleStream:
    """Produces `count` articles at `rate` per second from a thread; survives a broker outage by resending
    whatever was not acknowledged (duplicates on the raw topic are the at-least-once the pipeline absorbs)."""

    settings: KafkaSettings
    count: int
    rate: float
    alert_every: int = 125
    run: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    sent: int = 0
    resends: int = 0
    produced_at: dict[str, float] = field(default_factory=dict)
    """time.time() just before each article was handed to the producer: the moment ingest would produce it."""
    bodies: tuple[str, ...] = ()
    """Article bodies the everyday articles take in turn (none: a one-line summary only)."""
    _thread: threading.Thread | None = None

    @property
    def ids(self) -> set[str]:
        return {f"{self.run}-{i}" for i in range(self.count)}

    @property
    def alert_urls(self) -> set[str]:
        return {f"https://news.example/{self.run}/{i}" for i in range(0, self.count, self.alert_every)}

    def start(self) -> ArticleStream:
        self._thread = threading.Thread(target=self._produce, name="article-stream", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        assert not self._thread.is_alive(), (
            f"the stream did not finish within {timeout:.0f}s ({self.sent} sent)"
        )

    def _produce(self) -> None:
        producer = make_producer(self.settings, "e2e-stream", linger_ms=2)
        topic = Topics.from_settings(self.settings).articles
        tick = 0.05
        per_tick = max(1, round(self.rate * tick))
        started = time.monotonic()
        try:
            for first in range(0, self.count, per_tick):
                indexes = range(first, min(first + per_tick, self.count))
                self._send_until_acknowledged(producer, topic, [self._article(i) for i in indexes])
                self.sent = indexes[-1] + 1
                lag = started + (first + per_tick) / self.rate - time.monotonic()
                if lag > 0:
                    time.sleep(lag)
        finally:
            producer.close(timeout=10)

    def _article(self, index: int) -> RawArticle:
        body = self.bodies[index % len(self.bodies)] if self.bodies else ""
        return article(self.run, index, self.alert_every, body)

    def _send_until_acknowledged(
        self, producer: KafkaProducer, topic: str, articles: list[RawArticle]
    ) -> None:
        pending = articles
        while pending:
            futures = []
            for item in pending:
                self.produced_at.setdefault(item.id, time.time())
                futures.append((item, producer.send(topic, key=item.id.encode(), value=encode(item))))
            failed = []
            for item, future in futures:
                try:
                    future.get(timeout=60)
                except KafkaError:
                    failed.append(item)
            if failed:
                self.resends += len(failed)
                time.sleep(0.5)
            pending = failed


def records_on(
    settings: KafkaSettings, topic: str, done: Callable[[list[ConsumerRecord]], bool], timeout: float
) -> list[ConsumerRecord]:
    """Every record from the start of `topic`, read until `done(records)` or `timeout` passed."""
    records: list[ConsumerRecord] = []
    consumer = make_consumer(settings, "e2e-check", None, ())
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
        deadline = time.monotonic() + timeout
        while not done(records) and time.monotonic() < deadline:
            for batch in consumer.poll(timeout_ms=500, max_records=5000).values():
                records.extend(batch)
    finally:
        consumer.close()
    return records


def keys_on(settings: KafkaSettings, topic: str, expected: Iterable[str], timeout: float) -> set[str]:
    """Keys read from the start of `topic` until every expected key was seen or `timeout` passed."""
    wanted = set(expected)
    seen: set[str] = set()
    read = [0]

    def done(records: list[ConsumerRecord]) -> bool:
        seen.update(r.key.decode() for r in records[read[0] :] if r.key)
        read[0] = len(records)
        return wanted <= seen

    records_on(settings, topic, done, timeout)
    return seen
