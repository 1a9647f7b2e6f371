"""The notify stage with an in-memory consumer and producer: when offsets are committed, what is recorded,
and when a re-sent notification is marked as a possible repeat."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from kafka.errors import KafkaTimeoutError
from kafka.structs import TopicPartition
from prometheus_client import CollectorRegistry

from schemas import Alert, DeliveryRecord, decode, encode
from schemas.alert import DeliveryStatus
from services.alert.config import AlertingOptions
from services.alert.delivery import Dispatcher
from services.alert.grouping import Grouper, Timing
from services.alert.metrics import AlertMetrics
from services.alert.notification import Notification
from services.alert.notify import NotifyStage
from services.alert.offsets import Position
from services.alert.receivers import Receiver
from services.alert.retry import Backoff, Delivered, Retry, Verdict
from services.alert.routing import Router
from services.alert.silences import SilenceStore
from streambase.clock import ManualClock
from streambase.deadletters import DeadLetterSink
from streambase.settings import DeadLetterLimit
from streambase.topics import Topics
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
class Coordinator:
    """The part of kafka-python's group coordinator `settled_member` reads."""

    member: bool = True

    def stable(self) -> bool:
        return self.member

    def need_rejoin(self) -> bool:
        return not self.member

    def coordinator_unknown(self) -> bool:
        return False


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

    def flush(self, timeout: float | None = None) -> None:
        if self.broker_away:
            raise KafkaTimeoutError("the broker is away")


@dataclass
class RecordingSlack:
    """Takes every notification and notes, at each send, the delivery records already written."""

    producer: FakeProducer | None = None
    name: str = "slack"
    got: list[Notification] = field(default_factory=list)
    written_before: list[list[str]] = field(default_factory=list)
    then: Callable[[], None] | None = None

    def send(self, notification: Notification) -> Verdict:
        self.got.append(notification)
        if self.producer is not None:
            self.written_before.append([r.status for r in records(self.producer, final=False)])
        if self.then is not None:
            self.then()
        return Delivered()


def stage(
    clock: ManualClock, slack: Receiver, producer: FakeProducer | None = None
) -> tuple[NotifyStage, FakeConsumer, FakeProducer]:
    consumer, producer = FakeConsumer(), producer or FakeProducer()
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
        DeadLetterSink(producer, TOPICS.deadletter, "alert", clock.now, clock.monotonic, DeadLetterLimit()),  # type: ignore[arg-type]
        commit_interval=timedelta(0),
    )
    return notify, consumer, producer


def feed(consumer: FakeConsumer, *alerts: Alert, start: int = 0) -> None:
    consumer.pending += [Record(start + n, encode(a)) for n, a in enumerate(alerts)]


def records(producer: FakeProducer, final: bool = True) -> list[DeliveryRecord]:
    """Delivery records written: outcomes only, or attempts (`pending`) too."""
    written = [decode(DeliveryRecord, v) for t, v in producer.sent if t == TOPICS.delivery]
    return [r for r in written if r.status != "pending" or not final]


def situation(n: int) -> Alert:
    """An alert of a situation of its own, so it is sent in a notification of its own."""
    return alert(f"s{n}").model_copy(update={"fingerprint": f"fp-{n}"})


def attempt(receiver: str, alert_: Alert, status: DeliveryStatus = "pending") -> DeliveryRecord:
    return DeliveryRecord(
        notification_id=f"{receiver}:{alert_.fingerprint}:{alert_.id}",
        alert_id=alert_.id,
        receiver=receiver,
        status=status,
        attempts=0 if status == "pending" else 1,
        updated_at=T0,
        fingerprint=alert_.fingerprint,
        alert_ids=(alert_.id,),
    )


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
    producer = FakeProducer()
    slack = RecordingSlack(then=lambda: setattr(producer, "broker_away", True))  # gone while Slack answers
    notify, consumer, _ = stage(clock, slack, producer)
    feed(consumer, alert("a"), situation(2))
    notify.poll_once(0)
    clock.advance(30)
    notify.poll_once(0)
    assert len(slack.got) == 1, "nothing more is sent while an outcome waits to be recorded"
    assert [r.status for r in records(producer, final=False)] == ["pending"]
    assert set(consumer.commits) == {0}, "without its record, a crash must replay the alert"
    producer.broker_away, slack.then = False, None
    notify.poll_once(0)
    statuses = [r.status for r in records(producer, final=False)]
    assert statuses == ["pending", "delivered", "pending", "delivered"]
    assert consumer.commits[-1] == 2
    assert [n.summary for n in slack.got] == ["Story a", "Story s2"]


def test_each_send_is_preceded_by_its_attempt_record_and_followed_by_its_outcome_before_the_next() -> None:
    clock = ManualClock(T0)
    producer = FakeProducer()
    slack = RecordingSlack(producer)
    notify, consumer, _ = stage(clock, slack, producer)
    feed(consumer, situation(1), situation(2), situation(3))
    notify.poll_once(0)
    clock.advance(30)
    notify.poll_once(0)
    assert slack.written_before == [
        ["pending"],
        ["pending", "delivered", "pending"],
        ["pending", "delivered", "pending", "delivered", "pending"],
    ]
    attempts, outcomes = records(producer, final=False)[::2], records(producer)
    assert [r.notification_id for r in attempts] == [r.notification_id for r in outcomes]


def test_nothing_is_sent_while_the_broker_refuses_the_attempt_record() -> None:
    clock = ManualClock(T0)
    slack = RecordingSlack()
    notify, consumer, producer = stage(clock, slack)
    feed(consumer, alert("a"))
    notify.poll_once(0)
    clock.advance(30)
    producer.broker_away = True
    with pytest.raises(KafkaTimeoutError):
        notify.poll_once(0)
    assert slack.got == []
    producer.broker_away = False
    notify.poll_once(0)
    assert [n.summary for n in slack.got] == ["Story a"]
    assert [r.status for r in records(producer, final=False)] == ["pending", "delivered"]


def test_a_notification_whose_last_record_is_an_attempt_is_sent_again_as_a_possible_repeat() -> None:
    clock = ManualClock(T0)
    slack = RecordingSlack()
    notify, consumer, _ = stage(clock, slack)
    crashed, answered, other_receiver = situation(1), situation(2), situation(3)
    notify.apply_delivery("k1", attempt("slack", crashed))  # the sender died after this
    notify.apply_delivery("k2", attempt("slack", answered))
    notify.apply_delivery("k2", attempt("slack", answered, "failed"))
    notify.apply_delivery("k3", attempt("email", other_receiver))
    feed(consumer, crashed, answered, other_receiver, situation(4))
    notify.poll_once(0)
    clock.advance(30)
    notify.poll_once(0)
    assert [(n.summary, n.possible_repeat) for n in slack.got] == [
        ("Story s1", True),
        ("Story s3", False),
        ("Story s4", False),
    ]


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


def test_nothing_is_sent_while_the_replica_may_have_lost_its_partitions() -> None:
    clock = ManualClock(T0)
    slack = ScriptedReceiver("slack")
    notify, consumer, _producer = stage(clock, slack)
    coordinator = Coordinator()
    consumer._coordinator = coordinator  # type: ignore[attr-defined]
    feed(consumer, alert("a"))
    notify.poll_once(0)
    coordinator.member = False  # the broker came back and no longer knows this member
    clock.advance(30)
    notify.poll_once(0)
    assert slack.sent == [], "another replica may own the partition by now"
    coordinator.member = True  # rejoined, and the partition came back
    notify.poll_once(0)
    assert len(slack.sent) == 1
