"""Alertmanager-style handling of one situation (fingerprint): dedup, group_wait, group_interval, repeat.

- An alert id already handled here is a duplicate (e.g. the copy a second rule replica produced).
- The first alert of a new situation waits `group_wait`, so the hits that follow it share one message.
- While a message is pending, further alerts join it ("grouped").
- After a message, the situation is quiet for `group_interval`; alerts that bring a new source (or a higher
  severity) are sent after that; alerts that bring nothing new are suppressed until `repeat_interval` ends.

Pure: time is passed in. Timing state is rebuilt after a restart from the delivery records (`restore`);
which receiver already has which alert is the notify stage's business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Generic, TypeVar

from schemas import Alert, DeliveryRecord, Severity

P = TypeVar("P")
"""Where an alert came from (e.g. its Kafka partition and offset); opaque to grouping."""

KNOWN_IDS_KEPT = timedelta(days=7)


class Outcome(StrEnum):
    QUEUED = "queued"
    GROUPED = "grouped"
    REPEAT = "repeat_interval"
    DUPLICATE = "duplicate"


@dataclass
class Batch(Generic[P]):
    """Alerts of one situation that leave together as one message per receiver."""

    fingerprint: str
    flush_at: datetime
    alerts: list[Alert] = field(default_factory=list)
    positions: list[P] = field(default_factory=list)


@dataclass
class _Group(Generic[P]):
    last_sent_at: datetime | None = None
    sent_sources: set[str] = field(default_factory=set)
    sent_severity: Severity | None = None
    pending: Batch[P] | None = None


def _sources(alert: Alert) -> set[str]:
    return {e.source.strip().lower() for e in alert.evidence}


@dataclass(frozen=True)
class Timing:
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta


class Grouper(Generic[P]):
    def __init__(self, timing: Timing) -> None:
        self.timing = timing
        self._groups: dict[str, _Group[P]] = {}
        self._pending: set[str] = set()
        self._known: dict[str, datetime] = {}
        self._next_forget: datetime | None = None

    def add(self, alert: Alert, now: datetime, position: P | None = None, resume: bool = False) -> Outcome:
        """Take an alert. `resume`: it was already sent to some receivers before a restart; finish it now."""
        if alert.id in self._known or self._pending_has(alert):
            return Outcome.DUPLICATE
        group = self._groups.setdefault(alert.fingerprint, _Group())
        if group.pending is not None:
            self._append(group.pending, alert, position)
            return Outcome.GROUPED
        if not resume and self._within_repeat(group, now) and not self._brings_news(group, alert):
            self._known[alert.id] = now
            return Outcome.REPEAT
        group.pending = Batch(alert.fingerprint, now if resume else self._flush_at(group, now))
        self._pending.add(alert.fingerprint)
        self._append(group.pending, alert, position)
        return Outcome.QUEUED

    def due(self, now: datetime) -> list[Batch[P]]:
        """Batches whose time has come, oldest first; their situations count as notified at `now`."""
        ready = [
            (batch.flush_at, fp, batch)
            for fp in self._pending
            if (batch := self._groups[fp].pending) is not None and batch.flush_at <= now
        ]
        batches = []
        for _at, fp, batch in sorted(ready, key=lambda r: (r[0], r[1])):
            group = self._groups[fp]
            group.pending = None
            self._pending.discard(fp)
            self._mark_sent(group, batch.alerts, now)
            batches.append(batch)
        if self._next_forget is None or now >= self._next_forget:
            self._forget_old(now)
            self._next_forget = now + timedelta(hours=1)
        return batches

    def next_flush(self) -> datetime | None:
        times = [b.flush_at for fp in self._pending if (b := self._groups[fp].pending) is not None]
        return min(times, default=None)

    def pending_positions(self) -> list[P]:
        return [p for fp in self._pending if (b := self._groups[fp].pending) for p in b.positions]

    def drop_pending(self, keep: Callable[[P], bool]) -> list[Batch[P]]:
        """Take out pending batches holding a position `keep` rejects (a revoked partition); return them."""
        dropped: list[Batch[P]] = []
        for group in self._groups.values():
            batch = group.pending
            if batch is not None and not all(keep(p) for p in batch.positions):
                dropped.append(batch)
                group.pending = None
                self._pending.discard(batch.fingerprint)
        return dropped

    def forget(self, alerts: Iterable[Alert]) -> set[str]:
        """Unlearn alerts whose sending was abandoned (handed over in a rebalance), so that their replay is
        taken again; their situations' timing is dropped too, to be restored from delivery records.
        Returns those situations' fingerprints."""
        fingerprints = set()
        for alert in alerts:
            self._known.pop(alert.id, None)
            fingerprints.add(alert.fingerprint)
        for fingerprint in fingerprints:
            group = self._groups.get(fingerprint)
            if group is not None and group.pending is None:
                del self._groups[fingerprint]
        return fingerprints

    def restore(self, record: DeliveryRecord) -> None:
        """Learn from a delivery record (this replica's or another's) what was already notified."""
        if record.status == "pending" or not record.fingerprint:
            return
        group = self._groups.setdefault(record.fingerprint, _Group())
        if group.last_sent_at is None or record.updated_at > group.last_sent_at:
            if not self._within_repeat(group, record.updated_at):
                group.sent_sources = set()
            group.last_sent_at = record.updated_at
        group.sent_sources |= {s.strip().lower() for s in record.sources}
        if record.severity is not None and (
            group.sent_severity is None or record.severity > group.sent_severity
        ):
            group.sent_severity = record.severity

    def seen(self, alert: Alert) -> bool:
        """Whether this alert id was already taken: pending, sent, suppressed or remembered."""
        return alert.id in self._known or self._pending_has(alert)

    def remember(self, alert_id: str, now: datetime) -> None:
        """Count an alert handled elsewhere (e.g. silenced) as taken, so its copies are duplicates."""
        self._known[alert_id] = now

    # -- internals -----------------------------------------------------------------------------------

    def _append(self, batch: Batch[P], alert: Alert, position: P | None) -> None:
        batch.alerts.append(alert)
        if position is not None:
            batch.positions.append(position)

    def _pending_has(self, alert: Alert) -> bool:
        group = self._groups.get(alert.fingerprint)
        return bool(group and group.pending and any(a.id == alert.id for a in group.pending.alerts))

    def _within_repeat(self, group: _Group[P], now: datetime) -> bool:
        return group.last_sent_at is not None and now < group.last_sent_at + self.timing.repeat_interval

    def _brings_news(self, group: _Group[P], alert: Alert) -> bool:
        if group.sent_severity is not None and alert.severity > group.sent_severity:
            return True
        return bool(_sources(alert) - group.sent_sources)

    def _flush_at(self, group: _Group[P], now: datetime) -> datetime:
        if not self._within_repeat(group, now):
            return now + self.timing.group_wait
        assert group.last_sent_at is not None
        return max(now, group.last_sent_at + self.timing.group_interval)

    def _mark_sent(self, group: _Group[P], alerts: list[Alert], now: datetime) -> None:
        if not self._within_repeat(group, now):
            group.sent_sources = set()
            group.sent_severity = None
        group.last_sent_at = now
        for alert in alerts:
            self._known[alert.id] = now
            group.sent_sources |= _sources(alert)
            if group.sent_severity is None or alert.severity > group.sent_severity:
                group.sent_severity = alert.severity

    def _forget_old(self, now: datetime) -> None:
        horizon = now - max(KNOWN_IDS_KEPT, self.timing.repeat_interval)
        for alert_id in [a for a, t in self._known.items() if t < horizon]:
            del self._known[alert_id]
