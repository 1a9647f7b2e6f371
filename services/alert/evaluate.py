"""The rule stage: classified articles and trend windows in, alerts out on the alerts topic.

Every replica evaluates every partition (its consumer group is per instance), because corroboration needs
all articles of a topic, whichever partition their id hashed to. Alert ids are deterministic, so the copies
two replicas produce are the same alert and the notify stage sends it once.

After a restart or rebalance the engine's state is rebuilt: each partition is re-read from `lookback`
before its committed offset with results discarded ("warm-up"), then processing goes live. A replica with
no committed offset (a new deployment or replica) processes the last `max(lookback, 1h)` live: alerts on
what is going on now, never on older history; what was already delivered is skipped by the notify stage.
Live records wait until every partition has replayed (`WarmUp`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from schemas import Alert, ClassifiedArticle, InvalidMessage, TrendWindow, decode
from services.alert.batches import handle_batches
from services.alert.engine import RuleEngine
from services.alert.metrics import AlertMetrics
from services.alert.warmup import WarmUp
from streambase.clock import Clock
from streambase.deadletters import DeadLetterSink
from streambase.kafka import send_and_wait, subscribe
from streambase.topics import Topics

log = logging.getLogger(__name__)

FRESH_START = timedelta(hours=1)
CALL_TIMEOUT_MS = 10_000
"""Bound on the rebuild's offset look-ups (kafka-python's default is minutes): while the broker is away
they fail soon, and the service's loop tries the rebuild again."""


class _Rebuild(ConsumerRebalanceListener):  # type: ignore[misc]
    """Notes the new assignment; kafka-python runs listeners on its IO thread, where nothing may block,
    so the rebuild itself happens in the polling thread right after `poll` returns."""

    def __init__(self, stage: RuleStage) -> None:
        self._stage = stage

    def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        return

    def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self._stage.assigned = list(assigned)


class RuleStage:
    def __init__(
        self,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        topics: Topics,
        engine: RuleEngine,
        lookback: timedelta,
        clock: Clock,
        metrics: AlertMetrics,
        deadletters: DeadLetterSink,
        commit_interval: timedelta = timedelta(seconds=1),
    ) -> None:
        self.consumer = consumer
        self._producer = producer
        self._topics = topics
        self._engine = engine
        self._lookback = lookback
        self._clock = clock
        self._metrics = metrics
        self._deadletters = deadletters
        self._commit_every = commit_interval.total_seconds()
        self._warmup = WarmUp()
        self._uncommitted: dict[TopicPartition, int] = {}
        self._last_commit = clock.monotonic()
        self.live = False
        self.assigned: list[TopicPartition] | None = None

    def subscribe(self) -> None:
        names = [self._topics.classified, self._topics.trends]
        subscribe(self.consumer, names, _Rebuild(self))

    def rebuild(self, assigned: list[TopicPartition]) -> None:
        """Re-read `lookback` of every assigned partition to rebuild windows; go live at the commit point."""
        self._engine.reset()
        self._warmup = WarmUp()
        if not assigned:
            return
        ends = self.consumer.end_offsets(assigned, timeout_ms=CALL_TIMEOUT_MS)
        now = self._clock.now()
        since = int((now - self._lookback).timestamp() * 1000)
        fresh = int((now - max(self._lookback, FRESH_START)).timestamp() * 1000)
        starts = self.consumer.offsets_for_times({tp: since for tp in assigned}, timeout_ms=CALL_TIMEOUT_MS)
        fresh_starts = self.consumer.offsets_for_times(
            {tp: fresh for tp in assigned}, timeout_ms=CALL_TIMEOUT_MS
        )
        live_from: dict[TopicPartition, int] = {}
        replay_from: dict[TopicPartition, int] = {}
        for tp in assigned:
            committed = self.consumer.committed(tp, timeout_ms=CALL_TIMEOUT_MS)
            if committed is None:
                found = fresh_starts.get(tp)
                live_from[tp] = found.offset if found is not None else ends[tp]
            else:
                live_from[tp] = committed
            found = starts.get(tp)
            replay_from[tp] = min(found.offset if found is not None else ends[tp], live_from[tp])
            self.consumer.seek(tp, replay_from[tp])
        self._warmup.start(live_from, replay_from)
        warm = sum(live_from[tp] - replay_from[tp] for tp in assigned)
        log.info("rules: rebuilding state from %d earlier messages on %d partitions", warm, len(assigned))

    def poll_once(self, timeout_ms: int) -> int:
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=500)
        if self.assigned is not None:
            self._uncommitted.clear()
            self.rebuild(self.assigned)
            self.live = bool(self.assigned)  # this replica's own group: it owns every partition
            self.assigned = None
            return 0  # what this poll fetched predates the seek; it is read again
        count = handle_batches(self.consumer, batches, self._take)
        self._note_warm_up_progress()
        self.commit()
        return count

    def _take(self, tp: TopicPartition, record: Any) -> bool:
        if self._warmup.holds(tp, record.offset):
            self._hold(tp, record.offset)
            return False
        self._handle(tp, record)
        return True

    def _hold(self, tp: TopicPartition, offset: int) -> None:
        """Read this live record again once warm-up is over. A seek alone, without `pause`: kafka-python
        3.0 can leave a paused partition parked for good after `resume` (its KAFKA-7548 buffering)."""
        self.consumer.seek(tp, offset)

    def _note_warm_up_progress(self) -> None:
        warming = self._warmup.warming
        if warming:
            self._warmup.advance({tp: self.consumer.position(tp) for tp in warming})

    def _handle(self, tp: TopicPartition, record: Any) -> None:
        offset: int = record.offset
        warm = self._warmup.replays(tp, offset)
        now = self._clock.now()
        try:
            if tp.topic == self._topics.classified:
                alerts = self._engine.observe_article(decode(ClassifiedArticle, record.value), now)
            else:
                alerts = self._engine.observe_trend(decode(TrendWindow, record.value), now)
            if not warm:
                for alert in alerts:
                    self._publish(alert)  # an alert over the record limit dead-letters what fired it
                self._deadletters.guard(tp.topic).valid()
        except InvalidMessage as exc:
            if not warm:
                self._deadletters.send(tp.topic, tp.partition, offset, record.key, record.value, exc)
                self._metrics.deadletter.labels(reason=exc.reason).inc()
        if not warm:
            self._uncommitted[tp] = offset + 1

    def _publish(self, alert: Alert) -> None:
        send_and_wait(self._producer, self._topics.alerts, alert.fingerprint, alert)
        log.info("fired %s (%s) %s: %s", alert.rule_id, alert.severity.value, alert.id, alert.summary)

    def commit(self, force: bool = False) -> None:
        now = self._clock.monotonic()
        if not self._uncommitted or (not force and now - self._last_commit < self._commit_every):
            return
        offsets = {tp: OffsetAndMetadata(o, "", -1) for tp, o in self._uncommitted.items()}
        self._last_commit = now
        try:
            self.consumer.commit(offsets)
        except KafkaError as exc:  # e.g. a rebalance under way: the new owner replays a little, no harm
            log.warning("rules: could not commit offsets (%s); will retry", type(exc).__name__)
            return
        self._uncommitted.clear()
