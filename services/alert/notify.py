"""The notify stage: alerts in; silences, grouping, routing and delivery; a delivery record per message.

Alerts are keyed by fingerprint, so one replica owns each situation. An alert's offset is committed only
once every notification carrying it is delivered or has failed for good (`OffsetTracker`), so a crash
replays what was unfinished; the delivery records (read at start and followed) make the replay skip what
was already sent, whichever replica sent it.

Webhooks have no idempotency key, so a crash between a receiver's answer and its record would repeat a
message unannounced. Before a notification's first send an "attempt" record (status `pending`) is written
and acknowledged, and its outcome is written the moment the receiver answers, before anything else is
sent. A notification whose last record is still an attempt (the sender died in between) is sent again
marked as a possible repeat.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.errors import KafkaError
from kafka.partitioner.default import murmur2
from kafka.structs import OffsetAndMetadata, TopicPartition

from schemas import Alert, DeliveryRecord, InvalidMessage, decode, encode
from schemas.alert import DeliveryStatus
from schemas.bounds import MAX_TITLE
from services.alert.ack_links import AckLinks
from services.alert.acks import HIGHER_SEVERITY, AckBook, breaks_through
from services.alert.batches import handle_batches, read_again
from services.alert.delivery import Dispatcher, Event, Job
from services.alert.digest import Digest
from services.alert.digest_planner import owner_key
from services.alert.digests import DigestDesk, digest_record, digest_start_record
from services.alert.follow_ups import FollowUpPlanner
from services.alert.grouping import Batch, Grouper, Outcome
from services.alert.metrics import AlertMetrics
from services.alert.names import NO_NAMES, DisplayNames
from services.alert.notification import AckNote, FollowUp, Message, Notification
from services.alert.offsets import OffsetTracker, Position
from services.alert.routing import Router
from services.alert.sent import SentLedger
from services.alert.silences import SilenceStore
from services.alert.situations import SituationLog
from streambase.clock import Clock
from streambase.deadletters import DeadLetterSink
from streambase.kafka import settled_member, subscribe
from streambase.tables import TopicTail
from streambase.topics import ALERTS, Topics

log = logging.getLogger(__name__)

HISTORY_PER_SITUATION = 20
"""Delivery records kept per situation, to restore its timing after work on it was handed back."""
RECORD_TIMEOUT = 30.0
"""Seconds to wait for the broker to acknowledge a delivery record."""
FORGET_EVERY = 60.0
SENT_HORIZON = timedelta(milliseconds=ALERTS.retention_ms or 0) + timedelta(days=1)
"""How long what an alert was delivered to is remembered: past the alerts topic's retention, it cannot be
read again."""


class _Handover(ConsumerRebalanceListener):  # type: ignore[misc]
    """Notes what changed; kafka-python runs listeners on its IO thread, where nothing may block, so the
    stage acts on it in the polling thread right after `poll` returns. Only the seek back of a partition
    that comes straight back (`NotifyStage.assigned_now`) happens here, before anything is fetched for it."""

    def __init__(self, stage: NotifyStage) -> None:
        self._stage = stage

    def on_partitions_revoked(self, revoked: Sequence[TopicPartition]) -> None:
        self._stage.revoked_now(revoked)

    def on_partitions_assigned(self, assigned: Sequence[TopicPartition]) -> None:
        self._stage.assigned_now(assigned)


class NotifyStage:
    def __init__(
        self,
        consumer: KafkaConsumer,
        producer: KafkaProducer,
        topics: Topics,
        grouper: Grouper[Position],
        silences: SilenceStore,
        router: Router,
        dispatcher: Dispatcher[Position],
        deliveries: TopicTail[DeliveryRecord] | None,
        clock: Clock,
        metrics: AlertMetrics,
        deadletters: DeadLetterSink,
        commit_interval: timedelta = timedelta(seconds=1),
        names: DisplayNames = NO_NAMES,
        acks: AckBook | None = None,
        links: AckLinks | None = None,
        situations: SituationLog | None = None,
        digests: DigestDesk | None = None,
    ) -> None:
        self.consumer = consumer
        self.digests = digests
        """Receivers' digests, when any receiver takes one."""
        self._names = names
        self.acks = acks if acks is not None else AckBook()
        """Acknowledged situations (every replica's), from the acks topic."""
        self._links = links
        self.situations = situations if situations is not None else SituationLog()
        self._follow_ups = FollowUpPlanner(names, clock.now())
        self._producer = producer
        self._topics = topics
        self.grouper = grouper
        self._silences = silences
        self._router = router
        self.dispatcher = dispatcher
        self.deliveries = deliveries
        self._clock = clock
        self._metrics = metrics
        self._deadletters = deadletters
        self._tracker = OffsetTracker()
        self._sent = SentLedger()
        self._next_forget = clock.monotonic() + FORGET_EVERY
        self._attempts: dict[str, DeliveryRecord] = {}
        """Attempt records without an outcome yet, by notification id."""
        self._history: dict[str, list[DeliveryRecord]] = {}
        self._unrecorded: list[Event[Position]] = []
        self.revoked: set[tuple[str, int]] = set()
        self._resume_at: dict[TopicPartition, int] = {}
        self.newly_assigned = False
        self.live = False
        self._commit_every = commit_interval.total_seconds()
        self._last_commit = clock.monotonic()

    def subscribe(self) -> None:
        subscribe(self.consumer, [self._topics.alerts], _Handover(self))

    def apply_delivery(self, key: str, record: DeliveryRecord | None) -> None:
        """A delivery record from the compacted topic (ours or another replica's). An attempt is only
        noted: it is resolved by its outcome, which comes after it on the same partition."""
        if record is None:
            return
        if record.kind in ("digest", "digest_start"):
            if self.digests is not None:
                self.digests.planner.record(record)
            return
        if record.kind == "ack":
            self._follow_ups.record(record)
            return
        if record.status == "pending":
            self._attempts[record.notification_id] = record
            return
        self.situations.note(record)
        self._attempts.pop(record.notification_id, None)
        for alert_id in record.alert_ids or (record.alert_id,):
            self._sent.record(alert_id, record.receiver, record.updated_at)
        self.grouper.restore(record)
        if record.fingerprint:
            recent = self._history.setdefault(record.fingerprint, [])
            recent.append(record)
            del recent[:-HISTORY_PER_SITUATION]

    # -- rebalancing ---------------------------------------------------------------------------------

    def revoked_now(self, revoked: Sequence[TopicPartition]) -> None:
        """A rebalance began: these partitions' work will be let go of (`let_go`, after the poll). Where
        it begins is noted now, while it is still known."""
        for tp in revoked:
            key = (tp.topic, tp.partition)
            self.revoked.add(key)
            start = self._tracker.first_unfinished(key)
            if start is not None:
                self._resume_at[tp] = min(start, self._resume_at.get(tp, start))

    def assigned_now(self, assigned: Sequence[TopicPartition]) -> None:
        """A rebalance ended. kafka-python keeps the read position of a partition that is revoked and given
        straight back, so the unfinished work let go of would never be read again: seek such a partition
        back to it, as its next owner would start from the commit point had it gone elsewhere."""
        for tp in assigned:
            start = self._resume_at.get(tp)
            if start is not None:
                self.consumer.seek(tp, start)
        self._resume_at.clear()
        self.newly_assigned = True

    def let_go(self, revoked: set[tuple[str, int]]) -> None:
        """Forget work of revoked partitions: their next owner redoes it, from the commit point or, when that
        is this replica again, from where `revoked_now` noted it began."""

        def keep(p: Position) -> bool:
            return (p.topic, p.partition) not in revoked

        batches = self.grouper.drop_pending(keep)
        jobs = self.dispatcher.drop(keep)
        self._tracker.forget(revoked)
        self._let_follow_ups_go({p for t, p in revoked if t == self._topics.alerts})
        abandoned = [a for b in batches for a in b.alerts] + [
            a for j in jobs if isinstance(j.notification, Notification) for a in j.notification.alerts
        ]
        for fingerprint in self.grouper.forget(abandoned):
            for record in self._history.get(fingerprint, ()):
                self.grouper.restore(record)
        if abandoned:
            log.info("handed back %d unsent alert(s) with %d partition(s)", len(abandoned), len(revoked))

    def _let_follow_ups_go(self, partitions: set[int]) -> None:
        """Follow-ups about situations of partitions given up: their next owner sends them."""

        def gone(situation: str) -> bool:
            return self._partition_of(situation) in partitions

        self.dispatcher.drop_jobs(
            lambda j: isinstance(j.notification, FollowUp) and gone(j.notification.fingerprint)
        )
        self._follow_ups.let_go(gone)
        if self.digests is not None:
            self.dispatcher.drop_jobs(
                lambda j: isinstance(j.notification, Digest) and gone(owner_key(j.notification.receiver))
            )
            self.digests.planner.let_go(gone)

    def _partition_of(self, situation: str) -> int | None:
        """The alerts topic's partition of a situation, as the producer's default partitioner picks it."""
        partitions = self.consumer.partitions_for_topic(self._topics.alerts)
        if not partitions:
            return None
        ordered: list[int] = sorted(partitions)
        index = int(murmur2(situation.encode())) & 0x7FFFFFFF
        return ordered[index % len(ordered)]

    def _owns(self, situation: str) -> bool:
        partition = self._partition_of(situation)
        return (
            partition is not None
            and TopicPartition(self._topics.alerts, partition) in self.consumer.assignment()
        )

    def plan_follow_ups(self) -> None:
        """Queue the "acknowledged by" follow-ups this replica owes (see follow_ups.py); count each new
        acknowledgement once, on the replica that owns its situation."""
        now = self._clock.now()
        plan = self._follow_ups.plan(self.acks.all(), self._owns, self.dispatcher.receivers, now)
        for ack in plan.fresh:
            self._metrics.acks.labels(channel=ack.channel).inc()
            if ack.first_notified_at is not None:
                self._metrics.time_to_ack.observe(max(0.0, (ack.at - ack.first_notified_at).total_seconds()))
            log.info("situation %s acknowledged by %s (%s)", ack.situation, ack.by, ack.channel)
        for message in plan.messages:
            if not self.dispatcher.queued(message.id):
                self.dispatcher.enqueue(message, [])

    def plan_digests(self) -> None:
        """Queue the digests this replica owes (see digest_planner.py), built from everything produced so
        far; record where a receiver's digests begin the first time it is seen."""
        desk = self.digests
        if desk is None:
            return
        now = self._clock.now()
        plan = desk.planner.plan(now, self._owns)
        for receiver, start in plan.starts:
            record = digest_start_record(receiver, start, now)
            self._produce(record)
            desk.planner.record(record)
            log.info("%s: digests begin with the period starting %s", receiver, start.isoformat())
        if not plan.due:
            return
        try:
            desk.catch_up()
        except TimeoutError as exc:  # the broker is slow: plan again on the next poll
            log.warning("digests: could not read the alerts topic to its end (%s); trying again", exc)
            return
        for due in plan.due:
            digest = desk.compose(due)
            if due.possible_repeat:
                log.warning(
                    "%s: %s was being sent when a sender stopped; sending it marked as a possible repeat",
                    due.receiver, digest.id,
                )  # fmt: skip
            if due.missed:
                log.warning(
                    "%s: %d earlier digest(s) were not sent; sending %s", due.receiver, due.missed, digest.id
                )
            if not self.dispatcher.queued(digest.id):
                self.dispatcher.enqueue(digest, [])
            desk.planner.taken(due)

    def take_over(self) -> None:
        """Before handling newly assigned alerts, learn every delivery made so far (by any replica)."""
        if self.deliveries is not None:
            self.deliveries.catch_up()

    # -- the loop ------------------------------------------------------------------------------------

    def poll_once(self, timeout_ms: int) -> int:
        batches = self.consumer.poll(timeout_ms=timeout_ms, max_records=500)
        if self.revoked:
            self.let_go(self.revoked)
            self.revoked = set()
        if self.newly_assigned:
            try:
                self.take_over()
            except KafkaError:  # the broker went away: take over again, then read this batch again
                read_again(self.consumer, {tp: records[0].offset for tp, records in batches.items()})
                raise
            self.newly_assigned = False
            self.live = True
        count = handle_batches(self.consumer, batches, self._handle)
        if self.live:
            self.plan_follow_ups()
            self.plan_digests()
        self._record_pending()
        self.flush_due()
        self.deliver_due()
        self.commit()
        self._forget_old_deliveries()
        self._metrics.pending.set(self.pending())
        return count

    def _forget_old_deliveries(self) -> None:
        """Every FORGET_EVERY, drop what alerts past the alerts topic's retention were delivered to."""
        if self._clock.monotonic() < self._next_forget:
            return
        self._next_forget = self._clock.monotonic() + FORGET_EVERY
        now = self._clock.now()
        self._sent.forget_before(now - SENT_HORIZON)
        self.acks.forget_before(now)
        self.situations.forget_before(now - SENT_HORIZON)
        self._follow_ups.forget_before(now - SENT_HORIZON, self.acks.all())

    def pending(self) -> int:
        return len(self.grouper.pending_positions()) + self.dispatcher.pending()

    def next_wakeup_seconds(self, cap: float) -> float:
        now = self._clock.now()
        times = [t for t in (self.grouper.next_flush(), self.dispatcher.next_due()) if t is not None]
        if not times:
            return cap
        return max(0.0, min(cap, (min(times) - now).total_seconds()))

    def _handle(self, tp: TopicPartition, record: Any) -> bool:
        position = Position(tp.topic, tp.partition, record.offset)
        try:
            alert = decode(Alert, record.value)
        except InvalidMessage as exc:  # sent before it counts as consumed: a failed send reads it again
            self._deadletters.send(tp.topic, tp.partition, record.offset, record.key, record.value, exc)
            self._metrics.deadletter.labels(reason=exc.reason).inc()
            self._tracker.consumed(position)
            self._tracker.release(position)
            return True
        self._deadletters.guard(tp.topic).valid()
        self._tracker.consumed(position)
        self._admit(alert, position)
        return True

    def _admit(self, alert: Alert, position: Position) -> None:
        """Silences, duplicates and grouping for one alert; no I/O."""
        now = self._clock.now()
        done = self._sent.receivers(alert.id)
        if self._already_handled(alert, done):
            self._metrics.suppressed.labels(reason="duplicate").inc()
            self._tracker.release(position)
            return
        self._metrics.fired.labels(rule=alert.rule_id, severity=alert.severity.value).inc()
        silence = self._silences.muting(alert.labels, now)
        if silence is not None and not done:
            self.grouper.remember(alert.id, now)
            self._metrics.silenced.labels(rule=alert.rule_id).inc()
            log.info("silenced %s (%s) by %s until %s", alert.id, alert.rule_id, silence.id, silence.ends_at)
            self._tracker.release(position)
            return
        ack = self.acks.holding(alert.fingerprint, now) if not done else None
        if ack is not None and breaks_through(ack, alert) is None:
            self.grouper.remember(alert.id, now)
            self._metrics.suppressed.labels(reason="acknowledged").inc()
            log.info(
                "kept quiet %s (%s): situation %s was acknowledged by %s and this brings nothing new",
                alert.id, alert.rule_id, alert.fingerprint, ack.by,
            )  # fmt: skip
            self._tracker.release(position)
            return
        outcome = self.grouper.add(alert, now, position, resume=bool(done))
        if outcome is Outcome.QUEUED:
            return
        self._metrics.suppressed.labels(reason=outcome.value).inc()
        if outcome is not Outcome.GROUPED:
            log.debug("suppressed %s (%s): %s", alert.id, alert.rule_id, outcome.value)
            self._tracker.release(position)

    def _already_handled(self, alert: Alert, done: frozenset[str]) -> bool:
        """Sent to every receiver it routes to (by any replica), or already taken here (a replica's copy)."""
        if done and set(self._router.receivers_for(alert.labels)) <= done:
            return True
        return self.grouper.seen(alert)

    def flush_due(self) -> None:
        for batch in self.grouper.due(self._clock.now()):
            self._dispatch(batch)

    def _dispatch(self, batch: Batch[Position]) -> None:
        now = self._clock.now()
        news, note = self._news(batch, now)
        receivers = self._router.receivers_for(batch.alerts[0].labels) if news else ()
        for position in batch.positions:
            if receivers:
                self._tracker.hold(position, len(receivers) - 1)
            else:
                self._tracker.release(position)
        link = self._links.url(batch.fingerprint, now) if self._links is not None and receivers else None
        for receiver in receivers:
            alerts = tuple(a for a in news if receiver not in self._sent.receivers(a.id))
            if alerts:
                repeat = self._attempted(receiver, alerts)
                notification = Notification(
                    receiver,
                    batch.fingerprint,
                    alerts,
                    possible_repeat=repeat,
                    names=self._names,
                    ack_url=link,
                    acknowledged=note,
                )
                if repeat:
                    log.warning(
                        "%s: %s was being sent when a sender stopped; sending it marked as a possible repeat",
                        receiver, notification.id,
                    )  # fmt: skip
                self.dispatcher.enqueue(notification, batch.positions)
            else:
                for position in batch.positions:
                    self._tracker.release(position)

    def _news(self, batch: Batch[Position], now: datetime) -> tuple[list[Alert], AckNote | None]:
        """The batch's alerts worth sending: all of them, unless its situation was acknowledged (maybe
        while it waited), then those that bring what the acknowledger had not seen, with a note saying so."""
        ack = self.acks.holding(batch.fingerprint, now)
        if ack is None:
            return batch.alerts, None
        reasons = {a.id: breaks_through(ack, a) for a in batch.alerts}
        news = [a for a in batch.alerts if reasons[a.id]]
        if len(news) < len(batch.alerts):
            self._metrics.suppressed.labels(reason="acknowledged").inc(len(batch.alerts) - len(news))
        if not news:
            return [], None
        reason = HIGHER_SEVERITY if HIGHER_SEVERITY in reasons.values() else str(reasons[news[0].id])
        return news, AckNote(ack.by, ack.at, reason, ack.comment)

    def _attempted(self, receiver: str, alerts: tuple[Alert, ...]) -> bool:
        """Whether an earlier attempt to send any of these alerts to `receiver` has no known outcome."""
        ids = {a.id for a in alerts}
        return any(
            record.receiver == receiver and ids.intersection(record.alert_ids or (record.alert_id,))
            for record in self._attempts.values()
        )

    def deliver_due(self) -> None:
        """Send what is due, one notification at a time, each recorded before the next is sent. Nothing
        is sent while an outcome waits to be recorded (the broker is away), nor while this replica's
        membership of the group is in doubt: its partitions may belong to another replica by now."""
        if self._unrecorded or not settled_member(self.consumer):
            return
        for event in self.dispatcher.attempts_due(self._record_attempt):
            self._account(event)
            if self._unrecorded:
                return

    def _account(self, event: Event[Position]) -> None:
        notification = event.job.notification
        receiver = notification.receiver
        if event.final:  # recorded first: a crash from here on must not lose what the receiver answered
            self._unrecorded.append(event)
            self._record_pending()
        self._metrics.notifications.labels(
            receiver=receiver, outcome=event.outcome, reason=event.reason
        ).inc()
        if event.outcome == "retried":
            log.warning(
                "%s: %s not delivered (%s, attempt %d); %s",
                receiver, notification.id, event.reason, event.job.attempts, event.detail,
            )  # fmt: skip
            return
        if event.outcome != "delivered":
            log.error("%s: gave up on %s: %s %s", receiver, notification.id, event.reason, event.detail)
        elif isinstance(notification, FollowUp):
            log.info("%s: delivered %s (acknowledged by %s)", receiver, notification.id, notification.by)
        elif isinstance(notification, Digest):
            log.info(
                "%s: delivered %s (%d situation(s), %d alert(s))",
                receiver, notification.id, notification.situations, notification.alerts,
            )  # fmt: skip
        else:
            self._metrics.delivery_latency.observe(
                max(0.0, (event.at - notification.fired_at).total_seconds())
            )
            fetched = [e.fetched_at for e in notification.evidence if e.fetched_at is not None]
            if fetched:
                self._metrics.end_to_end.observe(max(0.0, (event.at - min(fetched)).total_seconds()))
            log.info(
                "%s: delivered %s (%d alert(s), situation %s)",
                receiver, notification.id, len(notification.alerts), notification.fingerprint,
            )  # fmt: skip

    def _record_pending(self) -> None:
        """Write the delivery records of finished notifications, oldest first. One the broker does not
        take yet keeps its alerts' offsets uncommitted and is written again on the next poll, so a crash
        meanwhile cannot send it twice without a record of the first time."""
        while self._unrecorded:
            event = self._unrecorded[0]
            try:
                self._record(event)
            except KafkaError as exc:
                log.warning(
                    "notify: delivery record of %s not written yet (%s); will retry",
                    event.job.notification.id, type(exc).__name__,
                )  # fmt: skip
                return
            self._unrecorded.pop(0)
            for position in event.job.positions:
                self._tracker.release(position)

    def _record(self, event: Event[Position]) -> None:
        delivered = event.outcome == "delivered"
        error = None if delivered else f"{event.reason}: {event.detail}"[:500]
        self._write(event.job, "delivered" if delivered else "failed", error, event.at)

    def _record_attempt(self, job: Job[Position]) -> None:
        """Before a notification's first send: its outcome is unknown until recorded, should we die."""
        self._write(job, "pending", None, self._clock.now())

    def _write(self, job: Job[Position], status: DeliveryStatus, error: str | None, at: datetime) -> None:
        """Produce one delivery record and wait for the broker's acknowledgement, without lingering."""
        record = delivery_record(job.notification, status, job.attempts, error, at)
        self._produce(record)
        self.situations.note(record)  # at once: its link may be opened before the topic echoes it
        if isinstance(job.notification, Digest) and self.digests is not None:
            self.digests.planner.record(record)

    def _produce(self, record: DeliveryRecord) -> None:
        sent = self._producer.send(
            self._topics.delivery, key=record.notification_id.encode(), value=encode(record)
        )
        self._producer.flush(timeout=RECORD_TIMEOUT)
        sent.get(timeout=RECORD_TIMEOUT)

    def commit(self, force: bool = False) -> None:
        now = self._clock.monotonic()
        if not force and now - self._last_commit < self._commit_every:
            return
        moves = self._tracker.committable()
        if moves:
            offsets = {TopicPartition(t, p): OffsetAndMetadata(o, "", -1) for (t, p), o in moves.items()}
            try:
                self.consumer.commit(offsets)
            except KafkaError as exc:  # e.g. a rebalance under way: replayed alerts are recognised as sent
                log.warning("notify: could not commit offsets (%s); will retry", type(exc).__name__)
                self._last_commit = now
                return
            for key, offset in moves.items():
                self._tracker.committed(key, offset)
        self._last_commit = now


def delivery_record(
    message: Message, status: DeliveryStatus, attempts: int, error: str | None, at: datetime
) -> DeliveryRecord:
    """What a notification (or follow-up, or digest) did at its receiver, with what the acknowledge page
    shows."""
    if isinstance(message, Digest):
        return digest_record(message, status, attempts, error, at)
    record = DeliveryRecord(
        notification_id=message.id,
        alert_id=message.id.partition(":")[2] if isinstance(message, FollowUp) else message.alert_ids[0],
        receiver=message.receiver,
        status=status,
        attempts=attempts,
        last_error=error,
        updated_at=at,
        fingerprint=message.fingerprint,
        title=message.title[:MAX_TITLE],
    )
    if isinstance(message, FollowUp):
        return record.model_copy(update={"kind": "ack"})
    return record.model_copy(
        update={
            "alert_ids": message.alert_ids,
            "sources": message.sources,
            "severity": message.severity,
            "topic": message.topic,
            "distinct_sources": message.distinct_sources,
        }
    )
