"""Producing articles once: send, wait for Kafka's acknowledgement, then mark the id seen.

Articles wait in memory while Kafka is unreachable and are sent on the next attempt; nothing is marked seen
before the broker acknowledged it (kafka-python can expire batches silently, so every future is checked).
One thread owns the producer; the fetch loop only hands articles over.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaConnectionError, KafkaError, KafkaTimeoutError, MessageSizeTooLargeError

from schemas import RawArticle, SeenArticle, encode
from services.ingest import metrics
from services.ingest.clients import close_quietly
from services.ingest.health import FeedHealth
from services.ingest.seen import SeenIds
from streambase.clock import Clock

log = logging.getLogger(__name__)

ACK_TIMEOUT = 40.0
RETRY_MIN, RETRY_MAX = 1.0, 30.0


def error_reason(exc: BaseException) -> str:
    """A short label for a failed produce, fit for the `reason` label."""
    if isinstance(exc, MessageSizeTooLargeError):
        return "message_too_large"
    if isinstance(exc, KafkaTimeoutError):
        return "timeout"
    if isinstance(exc, KafkaConnectionError):
        return "broker_unavailable"
    return "other"


@dataclass(frozen=True)
class Offered:
    accepted: int
    duplicates: int
    refused: int  # the pending buffer is full: these were not kept and will be fetched again


class ArticleSink:
    """Pending articles, produced by a background thread; `offer` is safe to call from any thread."""

    def __init__(
        self,
        producer_factory: Callable[[], KafkaProducer],
        articles_topic: str,
        seen_topic: str,
        health_topic: str,
        seen: SeenIds,
        clock: Clock,
        max_pending: int,
        broker_answers: Callable[[], bool],
    ) -> None:
        """`broker_answers` tells whether the broker accepts connections (a quick TCP check): a producer that
        failed while it does is replaced rather than retried."""
        self._factory = producer_factory
        self._broker_answers = broker_answers
        self._articles_topic = articles_topic
        self._seen_topic = seen_topic
        self._health_topic = health_topic
        self._seen = seen
        self._clock = clock
        self._max_pending = max_pending
        self._pending: dict[str, RawArticle] = {}
        self._marks: dict[str, SeenArticle] = {}
        self._health: dict[str, FeedHealth] = {}
        self._tombstones: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._producer: KafkaProducer | None = None
        self._thread = threading.Thread(target=self._run, name="ingest-producer", daemon=True)
        self.connected = False

    # --- the fetch loop's side ----------------------------------------------------------------------
    def offer(self, articles: Iterable[RawArticle]) -> Offered:
        """Keep the articles not produced before; return how many were new, duplicates, or refused."""
        accepted = duplicates = refused = 0
        with self._lock:
            for article in articles:
                if article.id in self._seen or article.id in self._pending:
                    duplicates += 1
                elif len(self._pending) >= self._max_pending:
                    refused += 1
                else:
                    self._pending[article.id] = article
                    accepted += 1
            metrics.PENDING_ARTICLES.set(len(self._pending))
        if accepted:
            self._wake.set()
        return Offered(accepted, duplicates, refused)

    def forget(self, article_ids: Iterable[str]) -> None:
        """Delete these ids' marks from the compacted seen topic (tombstones), so it stops growing."""
        with self._lock:
            self._tombstones.update(article_ids)
        self._wake.set()

    def publish_health(self, health: FeedHealth) -> None:
        with self._lock:
            self._health[health.feed_id] = health
        self._wake.set()

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    # --- the producer thread ------------------------------------------------------------------------
    def start(self) -> ArticleSink:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Produce what is pending (for up to `timeout` seconds), then close the producer."""
        self._stop.set()
        self._wake.set()
        if self._thread.ident is not None:
            self._thread.join(timeout=timeout + 5)
        left = self.pending
        if left:
            log.warning("%d articles were not acknowledged before shutdown; they will be fetched again", left)
        if self._producer is not None:
            close_quietly(self._producer, "article producer", timeout=5)
            self._producer = None

    def _run(self) -> None:
        delay = RETRY_MIN
        while True:
            self._wake.wait(timeout=1.0)
            self._wake.clear()
            stopping = self._stop.is_set()
            if self.flush():
                delay = RETRY_MIN
            else:
                if stopping:
                    return
                self._stop.wait(delay)
                delay = min(RETRY_MAX, delay * 2)
                self._wake.set()
            if stopping:
                self.flush()
                return

    def flush(self) -> bool:
        """One attempt at producing everything pending; True when nothing failed."""
        with self._lock:
            articles = list(self._pending.values())
            health = list(self._health.values())
            self._health.clear()
        if not articles and not self._marks and not health and not self._tombstones:
            return True
        try:
            producer = self._get_producer()
        except Exception as exc:
            self._failed(exc, "cannot reach Kafka")
            with self._lock:
                for record in health:
                    self._health.setdefault(record.feed_id, record)
            return False
        ok = self._produce_articles(producer, articles)
        ok = self._produce_marks(producer) and ok
        ok = self._produce_tombstones(producer) and ok
        ok = self._produce_health(producer, health) and ok
        if not ok and self._broker_answers():
            self._replace_producer()
        return ok

    def _replace_producer(self) -> None:
        """The broker answers, yet this producer could not deliver: after a broker restart kafka-python's
        idempotent producer can stay wedged (every send times out), so the next attempt starts afresh.
        What the old one never had acknowledged is sent again: downstream skips ids it has seen."""
        log.warning("the broker answers but the producer could not deliver; starting a new producer")
        producer, self._producer = self._producer, None
        if producer is not None:
            close_quietly(producer, "wedged article producer", timeout=0)

    def _get_producer(self) -> KafkaProducer:
        if self._producer is None:
            self._producer = self._factory()
            self.connected = True
            log.info("connected to Kafka")
        return self._producer

    def _produce_articles(self, producer: KafkaProducer, articles: list[RawArticle]) -> bool:
        sent = self._send_all(producer, self._articles_topic, ((a.id, a) for a in articles))
        failures: list[BaseException] = []
        for article, future in zip(articles, sent, strict=True):
            error = _outcome(future)
            if error is None:
                self._acknowledged(article)
            elif isinstance(error, MessageSizeTooLargeError):
                self._drop(article, error)
            else:
                failures.append(error)
        return self._report(failures, "articles")

    def _acknowledged(self, article: RawArticle) -> None:
        mark = SeenArticle(article_id=article.id, feed_id=article.feed_id, first_seen_at=self._clock.now())
        self._seen.add(article.id, mark.first_seen_at)
        with self._lock:
            self._pending.pop(article.id, None)
            self._marks[article.id] = mark
            metrics.PENDING_ARTICLES.set(len(self._pending))
        metrics.ARTICLES_PRODUCED.labels(feed=article.feed_id).inc()

    def _drop(self, article: RawArticle, error: BaseException) -> None:
        metrics.PRODUCE_ERRORS.labels(reason=error_reason(error)).inc()
        log.error("dropping article %s from feed %s: %s", article.id, article.feed_id, error)
        with self._lock:
            self._pending.pop(article.id, None)
            metrics.PENDING_ARTICLES.set(len(self._pending))

    def _produce_marks(self, producer: KafkaProducer) -> bool:
        with self._lock:
            marks = list(self._marks.values())
        sent = self._send_all(producer, self._seen_topic, ((m.article_id, m) for m in marks))
        failures: list[BaseException] = []
        for mark, future in zip(marks, sent, strict=True):
            error = _outcome(future)
            if error is None:
                with self._lock:
                    self._marks.pop(mark.article_id, None)
            else:
                failures.append(error)
        return self._report(failures, "seen marks")

    def _produce_tombstones(self, producer: KafkaProducer) -> bool:
        """Runs after this flush's marks, in the same thread: an id produced again meanwhile is marked afresh,
        and its old mark must not be deleted after the new one."""
        with self._lock:
            again = {i for i in self._tombstones if i in self._seen or i in self._pending or i in self._marks}
            self._tombstones -= again
            ids = sorted(self._tombstones)
        futures: list[Any] = []
        for article_id in ids:
            try:
                futures.append(producer.send(self._seen_topic, key=article_id.encode(), value=None))
            except KafkaError as exc:
                futures.append(exc)
                break  # the broker is away; the rest waits for the next attempt
        failures: list[BaseException] = []
        for article_id, future in zip(ids, futures, strict=False):
            error = _outcome(future)
            if error is None:
                with self._lock:
                    self._tombstones.discard(article_id)
            else:
                failures.append(error)
        if ids and not failures:
            log.info("forgot %d article ids older than the retention", len(ids))
        return self._report(failures, "expired seen marks")

    def _produce_health(self, producer: KafkaProducer, health: list[FeedHealth]) -> bool:
        sent = self._send_all(producer, self._health_topic, ((h.feed_id, h) for h in health))
        failures: list[BaseException] = []
        for record, future in zip(health, sent, strict=True):
            error = _outcome(future)
            if error is not None:
                failures.append(error)
                with self._lock:
                    self._health.setdefault(record.feed_id, record)
        return self._report(failures, "feed health records")

    def _send_all(self, producer: KafkaProducer, topic: str, items: Iterable[tuple[str, Any]]) -> list[Any]:
        """Send everything first (so batches fill), then the caller waits on each future in turn."""
        futures: list[Any] = []
        blocked: KafkaError | None = None
        for key, message in items:
            if blocked is not None:  # one wait for metadata is enough to know the broker is away
                futures.append(blocked)
                continue
            try:
                futures.append(producer.send(topic, key=key.encode(), value=encode(message)))
            except KafkaError as exc:  # e.g. metadata not available within max_block_ms
                blocked = exc
                futures.append(exc)
        return futures

    def _report(self, failures: list[BaseException], what: str) -> bool:
        """Count every failure, log one line per attempt; True when there were none."""
        for error in failures:
            metrics.PRODUCE_ERRORS.labels(reason=error_reason(error)).inc()
        if failures:
            self.connected = False
            log.warning(
                "%d %s not acknowledged (%s); kept for the next attempt", len(failures), what, failures[0]
            )
        return not failures

    def _failed(self, error: BaseException, what: str) -> None:
        metrics.PRODUCE_ERRORS.labels(reason=error_reason(error)).inc()
        self.connected = False
        log.warning("%s: %s; will retry", what, error)


def _outcome(future: object) -> BaseException | None:
    """None when the broker acknowledged the record, else the error."""
    if isinstance(future, BaseException):
        return future
    try:
        future.get(timeout=ACK_TIMEOUT)  # type: ignore[attr-defined]
    except KafkaError as exc:
        error: BaseException = exc
        return error
    return None
