"""The rule stage with an in-memory consumer: state rebuilt by warm-up after a restart, fresh starts live."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from kafka.structs import OffsetAndTimestamp, TopicPartition
from prometheus_client import CollectorRegistry

from newsmon.clock import ManualClock
from newsmon.kafka import DeadLetterSink
from newsmon.topics import Topics
from schemas import Alert, ClassifiedArticle, decode, encode
from services.alert.engine import RuleEngine
from services.alert.evaluate import RuleStage
from services.alert.metrics import AlertMetrics
from services.alert.rules import WindowRule
from tests.unit.alert.factories import T0, classified
from tests.unit.alert.test_notify_stage import FakeProducer

TOPICS = Topics("u.")
CLASSIFIED = TopicPartition(TOPICS.classified, 0)
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


@dataclass
class FakeConsumer:
    log: Log
    listener: Any = None
    position_: int = 0
    assigned: bool = False

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {0}

    def subscribe(self, topics: list[str], listener: Any) -> None:
        self.listener = listener

    def poll(self, timeout_ms: int = 0, max_records: int = 500) -> dict[TopicPartition, list[Record]]:
        if not self.assigned:
            self.assigned = True
            self.listener.on_partitions_assigned([CLASSIFIED])
            return {}
        records = self.log.records[self.position_ :]
        self.position_ = len(self.log.records)
        return {CLASSIFIED: records} if records else {}

    def end_offsets(self, tps: list[TopicPartition]) -> dict[TopicPartition, int]:
        return {tp: len(self.log.records) for tp in tps}

    def offsets_for_times(self, times: dict[TopicPartition, int]) -> dict[TopicPartition, Any]:
        since = times[CLASSIFIED]
        found = next((r for r in self.log.records if r.timestamp >= since), None)
        return {CLASSIFIED: OffsetAndTimestamp(found.offset, found.timestamp, -1) if found else None}

    def committed(self, tp: TopicPartition) -> int | None:
        return self.log.committed

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.position_ = offset

    def position(self, tp: TopicPartition) -> int:
        return self.position_

    def commit(self, offsets: dict[TopicPartition, Any]) -> None:
        self.log.committed = offsets[CLASSIFIED].offset


def start(log: Log, clock: ManualClock) -> tuple[RuleStage, FakeProducer]:
    producer = FakeProducer()
    stage = RuleStage(
        FakeConsumer(log),
        producer,
        TOPICS,
        RuleEngine([EVAC]),
        timedelta(hours=1),
        clock,
        AlertMetrics(CollectorRegistry()),
        DeadLetterSink(producer, TOPICS, "alert", clock),  # type: ignore[arg-type]
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
