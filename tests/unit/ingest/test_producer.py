"""The producer's rules, with a recording fake in place of kafka-python: nothing is marked seen before the
broker acknowledged it, failures keep articles, a message too large for Kafka is dropped."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kafka.errors import KafkaTimeoutError, MessageSizeTooLargeError

from schemas import RawArticle, SeenArticle, decode
from services.ingest.producer import ArticleSink
from services.ingest.seen import SeenIds
from streambase.clock import ManualClock

NOW = datetime(2025, 6, 17, 12, tzinfo=UTC)


class FakeFuture:
    def __init__(self, error: Exception | None) -> None:
        self.error = error

    def get(self, timeout: float) -> None:
        if self.error is not None:
            raise self.error


class FakeProducer:
    """Records what was sent; `fail` decides, per (topic, key), which error the broker answers with."""

    def __init__(self, fail: Callable[[str, str], Exception | None] = lambda t, k: None) -> None:
        self.fail = fail
        self.sent: list[tuple[str, str, bytes | None]] = []
        self.acked: list[tuple[str, str]] = []

    def send(self, topic: str, key: bytes, value: bytes | None) -> FakeFuture:
        error = self.fail(topic, key.decode())
        self.sent.append((topic, key.decode(), value))
        if error is None:
            self.acked.append((topic, key.decode()))
        return FakeFuture(error)

    def close(self, timeout: float = 0) -> None:
        return None


def article(n: int) -> RawArticle:
    return RawArticle(id=f"u-{n}", feed_id="f", source="S", title=f"t{n}", published_at=NOW, fetched_at=NOW)


def sink(
    producer: Any,
    seen: SeenIds | None = None,
    max_pending: int = 100,
    broker_answers: bool = False,
    factory: Callable[[], Any] | None = None,
) -> ArticleSink:
    return ArticleSink(
        factory or (lambda: producer),
        "articles",
        "seen",
        "health",
        seen if seen is not None else SeenIds(),
        ManualClock(NOW),
        max_pending,
        lambda: broker_answers,
    )


def test_an_acknowledged_article_is_marked_seen_after_the_article() -> None:
    producer = FakeProducer()
    seen = SeenIds()
    target = sink(producer, seen)
    assert target.offer([article(1)]).accepted == 1
    assert target.flush()
    assert [(t, k) for t, k, _ in producer.sent] == [("articles", "u-1"), ("seen", "u-1")]
    mark = decode(SeenArticle, producer.sent[1][2])
    assert (mark.article_id, mark.feed_id, mark.first_seen_at) == ("u-1", "f", NOW)
    assert "u-1" in seen
    assert target.pending == 0


def test_an_unacknowledged_article_stays_pending_and_is_not_marked() -> None:
    down = FakeProducer(lambda topic, key: KafkaTimeoutError("no broker"))
    seen = SeenIds()
    target = sink(down, seen)
    target.offer([article(1), article(2)])
    assert not target.flush()
    assert target.pending == 2
    assert "u-1" not in seen
    assert not [s for s in down.sent if s[0] == "seen"]


def test_once_the_broker_is_back_the_kept_articles_go_out() -> None:
    state = {"up": False}
    producer = FakeProducer(lambda topic, key: None if state["up"] else KafkaTimeoutError("down"))
    target = sink(producer)
    target.offer([article(1)])
    assert not target.flush()
    state["up"] = True
    assert target.flush()
    assert ("articles", "u-1") in producer.acked
    assert target.pending == 0


def test_a_producer_that_fails_while_the_broker_answers_is_replaced() -> None:
    wedged = FakeProducer(lambda topic, key: KafkaTimeoutError("Timeout after waiting for 40.0 secs."))
    fresh = FakeProducer()
    made = iter([wedged, fresh])
    target = sink(None, broker_answers=True, factory=lambda: next(made))
    target.offer([article(1)])
    assert not target.flush()
    assert target.flush()
    assert ("articles", "u-1") in fresh.acked
    assert target.pending == 0


def test_a_producer_is_kept_while_the_broker_is_away() -> None:
    made: list[FakeProducer] = []

    def factory() -> FakeProducer:
        made.append(FakeProducer(lambda topic, key: KafkaTimeoutError("down")))
        return made[-1]

    target = sink(None, broker_answers=False, factory=factory)
    target.offer([article(1)])
    assert not target.flush()
    assert not target.flush()
    assert len(made) == 1  # it reconnects on its own, and keeps what it has buffered


def test_only_the_first_send_waits_for_an_absent_broker() -> None:
    class Blocking(FakeProducer):
        def send(self, topic: str, key: bytes, value: bytes | None) -> FakeFuture:
            self.sent.append((topic, key.decode(), value))
            raise KafkaTimeoutError("metadata not available")

    producer = Blocking()
    target = sink(producer)
    target.offer([article(n) for n in range(5)])
    assert not target.flush()
    assert len(producer.sent) == 1
    assert target.pending == 5


def test_a_failed_seen_mark_is_retried_without_producing_the_article_again() -> None:
    state = {"marks_fail": True}
    producer = FakeProducer(
        lambda t, k: KafkaTimeoutError("x") if t == "seen" and state["marks_fail"] else None
    )
    seen = SeenIds()
    target = sink(producer, seen)
    target.offer([article(1)])
    assert not target.flush()
    assert "u-1" in seen  # acknowledged, so this replica will not produce it again
    state["marks_fail"] = False
    assert target.flush()
    assert [t for t, _k, _v in producer.sent].count("articles") == 1
    assert ("seen", "u-1") in producer.acked


def test_an_article_too_large_for_kafka_is_dropped_not_retried_forever() -> None:
    producer = FakeProducer(lambda t, k: MessageSizeTooLargeError("too big") if k == "u-2" else None)
    target = sink(producer)
    target.offer([article(1), article(2)])
    assert target.flush()
    assert target.pending == 0
    assert ("articles", "u-2") not in producer.acked


def test_articles_already_seen_or_pending_are_counted_as_duplicates() -> None:
    seen = SeenIds()
    seen.add("u-1", NOW)
    target = sink(FakeProducer(), seen)
    offered = target.offer([article(1), article(2), article(2)])
    assert (offered.accepted, offered.duplicates, offered.refused) == (1, 2, 0)


def test_a_full_buffer_refuses_rather_than_growing() -> None:
    target = sink(FakeProducer(lambda t, k: KafkaTimeoutError("down")), max_pending=100)
    offered = target.offer([article(n) for n in range(150)])
    assert (offered.accepted, offered.refused) == (100, 50)


def test_forgotten_ids_become_tombstones_on_the_seen_topic() -> None:
    producer = FakeProducer()
    target = sink(producer)
    target.forget(["u-old-1", "u-old-2"])
    assert target.flush()
    assert [(t, k, v) for t, k, v in producer.sent] == [("seen", "u-old-1", None), ("seen", "u-old-2", None)]
    producer.sent.clear()
    assert target.flush()
    assert producer.sent == []


def test_tombstones_wait_while_the_broker_is_away() -> None:
    state = {"up": False}
    producer = FakeProducer(lambda t, k: None if state["up"] else KafkaTimeoutError("down"))
    target = sink(producer)
    target.forget(["u-old"])
    assert not target.flush()
    state["up"] = True
    assert target.flush()
    assert ("seen", "u-old") in producer.acked


def test_an_id_produced_again_is_not_forgotten() -> None:
    producer = FakeProducer()
    target = sink(producer)
    target.forget(["u-1"])
    target.offer([article(1)])
    assert target.flush()
    assert [(t, k) for t, k, v in producer.sent] == [("articles", "u-1"), ("seen", "u-1")]
