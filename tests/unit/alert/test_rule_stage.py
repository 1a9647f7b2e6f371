"""The rule stage with an in-memory consumer: state rebuilt by warm-up after a restart, fresh starts live."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kafka.structs import OffsetAndTimestamp, TopicPartition
from prometheus_client import CollectorRegistry

from schemas import Alert, ClassifiedArticle, DeadLetter, decode, encode
from services.alert.engine import RuleEngine
from services.alert.evaluate import RuleStage
from services.alert.metrics import AlertMetrics
from services.alert.rules import WindowRule
from streambase.clock import ManualClock
from streambase.deadletters import DeadLetterSink
from streambase.kafka import BATCH_ROOM
from streambase.settings import DeadLetterLimit
from streambase.topics import Topics
from tests.unit.alert.factories import T0, classified
from tests.unit.alert.test_notify_stage import FakeProducer

TOPICS = Topics("u.")
CLASSIFIED = TopicPartition(TOPICS.classified, 0)
OTHER = TopicPartition(TOPICS.classified, 1)
EVAC = WindowRule(id="evac", kind="window", signals=("evacuation_notice",), min_sources=2)


@dataclass
class Record:
    offset: int
    value: bytes
    timestamp: int
    key: bytes = b"k"


@dataclass
class Log:
    """One partition's records, shared by the consumers that stand for successive processes."""

    records: list[Record] = field(default_factory=list)
    committed: int | None = None

    def append(self, article: ClassifiedArticle, at: datetime) -> None:
        self.records.append(Record(len(self.records), encode(article), int(at.timestamp() * 1000)))

    def first_since(self, since: int) -> OffsetAndTimestamp | None:
        found = next((r for r in self.records if r.timestamp >= since), None)
        return OffsetAndTimestamp(found.offset, found.timestamp, -1) if found else None


@dataclass
class FakeConsumer:
    """Partitions in memory; `poll` returns them in reverse order, as Kafka may."""

    logs: dict[TopicPartition, Log]
    listener: Any = None
    positions: dict[TopicPartition, int] = field(default_factory=dict)
    assigned: bool = False

    def topics(self) -> set[str]:
        return {tp.topic for tp in self.logs}

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self.listener = listener

    def poll(self, timeout_ms: int = 0, max_records: int = 500) -> dict[TopicPartition, list[Record]]:
        if not self.assigned:
            self.assigned = True
            self.listener.on_partitions_assigned(list(self.logs))
            return {}
        batches = {}
        for tp in reversed(list(self.logs)):
            records = self.logs[tp].records[self.positions.get(tp, 0) :]
            if records:
                batches[tp] = records
                self.positions[tp] = len(self.logs[tp].records)
        return batches

    def end_offsets(self, tps: list[TopicPartition], timeout_ms: int = 0) -> dict[TopicPartition, int]:
        return {tp: len(self.logs[tp].records) for tp in tps}

    def offsets_for_times(
        self, times: dict[TopicPartition, int], timeout_ms: int = 0
    ) -> dict[TopicPartition, Any]:
        return {tp: self.logs[tp].first_since(since) for tp, since in times.items()}

    def committed(self, tp: TopicPartition, timeout_ms: int = 0) -> int | None:
        return self.logs[tp].committed

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.positions[tp] = offset

    def position(self, tp: TopicPartition) -> int:
        return self.positions[tp]

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        for tp, position in offsets.items():
            self.logs[tp].committed = position.offset


def start(log: Log, clock: ManualClock, other: Log | None = None) -> tuple[RuleStage, FakeProducer]:
    producer = FakeProducer()
    logs = {CLASSIFIED: log} | ({OTHER: other} if other is not None else {})
    stage = RuleStage(
        FakeConsumer(logs),
        producer,
        TOPICS,
        RuleEngine([EVAC]),
        timedelta(hours=1),
        clock,
        AlertMetrics(CollectorRegistry()),
        DeadLetterSink(producer, TOPICS.deadletter, "alert", clock.now, clock.monotonic, DeadLetterLimit()),  # type: ignore[arg-type]
        commit_interval=timedelta(0),
    )
    stage.subscribe()
    stage.poll_once(0)  # the assignment: rebuild
    return stage, producer


def fired(producer: FakeProducer) -> list[Alert]:
    return [decode(Alert, v) for t, v in producer.sent if t == TOPICS.alerts]


def test_after_a_restart_earlier_articles_count_again_but_do_not_fire_again() -> None:
    clock, log = ManualClock(T0), Log()
    first, producer = start(log, clock)
    log.append(classified("a", "evacuation_notice", source="Wire One"), T0)
    log.append(classified("b", "evacuation_notice", source="Wire Two"), T0)
    first.poll_once(0)
    assert [a.rule_id for a in fired(producer)] == ["evac"]
    assert log.committed == 2

    clock.advance(timedelta(minutes=10))  # the process restarts
    second, producer = start(log, clock)
    second.poll_once(0)
    assert fired(producer) == [], "what was already processed is only replayed to rebuild the window"
    log.append(classified("c", "evacuation_notice", source="Wire Three"), clock.now())
    second.poll_once(0)
    [alert] = fired(producer)
    assert alert.distinct_sources == 3


def test_a_fresh_replica_processes_the_last_hour_live_and_nothing_older() -> None:
    clock, log = ManualClock(T0), Log()
    log.append(classified("old", "evacuation_notice", source="Wire One", at=T0), T0)
    log.append(classified("old2", "evacuation_notice", source="Wire Two", at=T0), T0)
    clock.advance(timedelta(hours=3))
    recent = clock.now() - timedelta(minutes=20)
    log.append(classified("r1", "evacuation_notice", source="Wire One", at=recent), recent)
    log.append(classified("r2", "evacuation_notice", source="Wire Two", at=recent), recent)
    stage, producer = start(log, clock)
    stage.poll_once(0)
    [alert] = fired(producer)
    assert {e.article_id for e in alert.evidence} == {"r1", "r2"}


def test_a_live_record_waits_until_every_partition_has_replayed() -> None:
    clock, log, other = ManualClock(T0), Log(), Log()
    first, producer = start(log, clock, other)
    log.append(classified("a", "evacuation_notice", source="Wire One"), T0)
    first.poll_once(0)
    assert fired(producer) == []
    assert log.committed == 1

    clock.advance(timedelta(minutes=10))  # the process restarts; the new article lands on the other partition
    other.append(classified("b", "evacuation_notice", source="Wire Two"), clock.now())
    second, producer = start(log, clock, other)
    second.poll_once(0)  # the other partition comes first: its live record is held back
    assert fired(producer) == []
    second.poll_once(0)
    [alert] = fired(producer)
    assert {e.article_id for e in alert.evidence} == {"a", "b"}
    assert other.committed == 1


def test_an_alert_over_the_record_limit_dead_letters_its_article_and_the_stage_goes_on() -> None:
    clock, log = ManualClock(T0), Log()
    stage, producer = start(log, clock)
    producer.config["max_request_size"] = BATCH_ROOM + 2500  # records of at most 2,500 bytes
    long_link = "https://news.example/" + "x" * 1900
    log.append(classified("a", "evacuation_notice", source="Wire One"), T0)
    log.append(classified("b", "evacuation_notice", source="Wire Two", url=long_link), T0)
    log.append(classified("c", "evacuation_notice", source="Wire One", topics=("sudan",)), T0)
    log.append(classified("d", "evacuation_notice", source="Wire Two", topics=("sudan",)), T0)
    stage.poll_once(0)
    letters = [decode(DeadLetter, v) for t, v in producer.sent if t == TOPICS.deadletter]
    assert [(d.offset, d.reason) for d in letters] == [(1, "too_large")]
    assert "over the 2,500-byte record limit" in letters[0].error
    assert [a.topic for a in fired(producer)] == ["sudan"], "the alerts after it still fire"
    assert log.committed == 4
