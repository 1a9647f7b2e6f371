"""The notify stage with an in-memory consumer and producer: when offsets are committed, what is recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError
from kafka.structs import TopicPartition
from prometheus_client import CollectorRegistry

from newsmon.clock import ManualClock
from newsmon.topics import Topics
from schemas import Alert, DeliveryRecord, decode, encode
from services.alert.config import AlertingOptions
from services.alert.delivery import Dispatcher
from services.alert.grouping import Grouper, Timing
from services.alert.metrics import AlertMetrics
from services.alert.notify import NotifyStage
from services.alert.offsets import Position
from services.alert.retry import Backoff, Retry
from services.alert.routing import Router
from services.alert.silences import SilenceStore
from streambase.deadletters import DeadLetterSink
from tests.unit.alert.factories import T0
from tests.unit.alert.test_delivery import ScriptedReceiver
from tests.unit.alert.test_grouping import alert

TOPICS = Topics("u.")
PARTITION = TopicPartition(TOPICS.alerts, 0)


@dataclass
class Record:
    offset: int
    value: bytes
    key: bytes = b"k"


@dataclass
class FakeConsumer:
    pending: list[Record] = field(default_factory=list)
    commits: list[int] = field(default_factory=list)
    seeks: list[int] = field(default_factory=list)

    def poll(self, timeout_ms: int = 0, max_records: int = 500) -> dict[TopicPartition, list[Record]]:
        records, self.pending = self.pending, []
        return {PARTITION: records} if records else {}

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        self.commits.append(offsets[PARTITION].offset)

    def assignment(self) -> set[TopicPartition]:
        return {PARTITION}

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.seeks.append(offset)


@dataclass
class Sent:
    taken: bool = True

    def get(self, timeout: float = 0) -> None:
        if not self.taken:
            raise KafkaTimeoutError("the broker is away")


@dataclass
class FakeProducer:
    sent: list[tuple[str, bytes]] = field(default_factory=list)
    broker_away: bool = False
    config: dict[str, int] = field(default_factory=lambda: {"max_request_size": 1_048_576})

    def send(self, topic: str, key: bytes | None = None, value: bytes = b"", headers: Any = None) -> Sent:
        if self.broker_away:
            return Sent(taken=False)
        self.sent.append((topic, value))
        return Sent()


def stage(clock: ManualClock, slack: ScriptedReceiver) -> tuple[NotifyStage, FakeConsumer, FakeProducer]:
    consumer, producer = FakeConsumer(), FakeProducer()
    timing = Timing(timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=4))
    notify = NotifyStage(
        consumer,
        producer,
        TOPICS,
        Grouper[Position](timing),
        SilenceStore(),
        Router(AlertingOptions(), ["slack"]),
        Dispatcher[Position]({"slack": slack}, clock, Backoff(), timedelta(hours=1)),
        None,
        clock,
        AlertMetrics(CollectorRegistry()),
        DeadLetterSink(producer, TOPICS.deadletter, "alert", clock.now, clock.monotonic),  # type: ignore[arg-type]
        commit_interval=timedelta(0),
    )
    return notify, consumer, producer


def feed(consumer: FakeConsumer, *alerts: Alert, start: int = 0) -> None:
    consumer.pending += [Record(start + n, encode(a)) for n, a in enumerate(alerts)]


def records(producer: FakeProducer) -> list[DeliveryRecord]:
    return [decode(DeliveryRecord, v) for t, v in producer.sent if t == TOPICS.delivery]


def test_nothing_is_committed_while_an_alert_waits_in_its_group() -> None:
    clock = ManualClock(T0)
    notify, consumer, producer = stage(clock, ScriptedReceiver("slack"))
    feed(consumer, alert("a"))
    notify.poll_once(0)
    assert consumer.commits == [0]  # the commit point stays at the waiting alert
    clock.advance(30)
    notify.poll_once(0)
    assert consumer.commits[-1] == 1
    [record] = records(producer)
    assert record.status == "delivered"
    assert record.alert_ids == (alert("a").id,)


def test_an_alert_is_not_committed_past_while_its_receiver_is_down() -> None:
    clock = ManualClock(T0)
    notify, consumer, producer = stage(clock, ScriptedReceiver("slack", [Retry("http_503")] * 3))
    feed(consumer, alert("a"))
    for _ in range(4):
        clock.advance(30)
        notify.poll_once(0)
    assert set(consumer.commits) == {0}
    assert records(producer) == []
    clock.advance(30)
    notify.poll_once(0)
    assert consumer.commits[-1] == 1
    assert [r.attempts for r in records(producer)] == [4]


def test_an_alert_recorded_as_sent_is_skipped_when_replayed() -> None:
    clock = ManualClock(T0)
    slack = ScriptedReceiver("slack")
    notify, consumer, _producer = stage(clock, slack)
    first = alert("a")
    notify.apply_delivery(
        "slack:x",
        DeliveryRecord(
            notification_id="slack:x",
            alert_id=first.id,
            receiver="slack",
            status="delivered",
            attempts=1,
            updated_at=T0,
            fingerprint=first.fingerprint,
            alert_ids=(first.id,),
        ),
    )
    feed(consumer, first)
    notify.poll_once(0)
    clock.advance(60)
    notify.poll_once(0)
    assert slack.sent == []
    assert consumer.commits[-1] == 1


def test_an_unreadable_alert_is_dead_lettered_and_committed_past() -> None:
    clock = ManualClock(T0)
    notify, consumer, producer = stage(clock, ScriptedReceiver("slack"))
    consumer.pending.append(Record(0, b"{not json"))
    notify.poll_once(0)
    assert [t for t, _ in producer.sent] == [TOPICS.deadletter]
    assert consumer.commits == [1]


def test_an_unreadable_alert_whose_dead_letter_the_broker_refuses_is_read_again() -> None:
    clock = ManualClock(T0)
    notify, consumer, producer = stage(clock, ScriptedReceiver("slack"))
    producer.broker_away = True
    consumer.pending.append(Record(4, b"{not json"))
    with pytest.raises(KafkaTimeoutError):
        notify.poll_once(0)
    assert consumer.seeks == [4]
    assert notify.pending() == 0
    assert consumer.commits == []


def test_a_delivery_whose_record_the_broker_refuses_holds_the_commit_until_it_is_written() -> None:
    clock = ManualClock(T0)
    slack = ScriptedReceiver("slack")
    notify, consumer, producer = stage(clock, slack)
    feed(consumer, alert("a"))
    notify.poll_once(0)
    producer.broker_away = True
    clock.advance(30)
    notify.poll_once(0)
    assert len(slack.sent) == 1
    assert records(producer) == []
    assert set(consumer.commits) == {0}, "without its record, a crash must replay the alert"
    producer.broker_away = False
    notify.poll_once(0)
    assert [r.status for r in records(producer)] == ["delivered"]
    assert consumer.commits[-1] == 1
    assert len(slack.sent) == 1


def test_a_partition_given_straight_back_is_read_again_from_its_first_unfinished_alert() -> None:
    clock = ManualClock(T0)
    slack = ScriptedReceiver("slack", [Retry("http_503")])
    notify, consumer, producer = stage(clock, slack)
    feed(consumer, alert("a"))
    notify.poll_once(0)
    clock.advance(30)
    notify.poll_once(0)  # sent once, failed, waiting for a retry
    notify.revoked_now([PARTITION])  # a rebalance takes the partition away ...
    notify.assigned_now([PARTITION])  # ... and gives it straight back, where kafka-python left off
    assert consumer.seeks == [0]
    feed(consumer, alert("a"))
    notify.poll_once(0)
    clock.advance(30)
    notify.poll_once(0)
    assert slack.sent == ["Story a", "Story a"]
    assert [r.status for r in records(producer)] == ["delivered"]
    assert consumer.commits[-1] == 1


def test_a_partition_with_nothing_unfinished_keeps_its_position_through_a_rebalance() -> None:
    clock = ManualClock(T0)
    notify, consumer, producer = stage(clock, ScriptedReceiver("slack"))
    feed(consumer, alert("a"))
    notify.poll_once(0)
    clock.advance(30)
    notify.poll_once(0)
    assert [r.status for r in records(producer)] == ["delivered"]
    notify.revoked_now([PARTITION])
    notify.assigned_now([PARTITION])
    assert consumer.seeks == []


def test_a_partition_that_went_to_another_replica_is_not_sought_when_it_returns_later() -> None:
    clock = ManualClock(T0)
    notify, consumer, _ = stage(clock, ScriptedReceiver("slack"))
    feed(consumer, alert("a"))
    notify.poll_once(0)  # waiting in its group
    notify.revoked_now([PARTITION])
    notify.assigned_now([])  # the other replica starts from the commit point
    notify.poll_once(0)
    notify.revoked_now([])
    notify.assigned_now([PARTITION])  # back later: kafka-python starts it from the commit point too
    assert consumer.seeks == []
