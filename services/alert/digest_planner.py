"""Which digests are due: each receiver's last complete period, once, by the replica that owns it.

A digest's identity is (receiver, period start). Its delivery records (an attempt, then the outcome, as
for every notification) say whether it went out: a final record means never again; an attempt without an
outcome means the sender stopped mid-way, so it is sent again marked as a possible repeat; no record means
it is due. Only the last complete period is ever sent: after downtime the periods before it are counted
as missed (the digest says how many) rather than sent late, one after another.

A receiver's first digest is that of the first period that began while the service ran with its digest
configured, so a new digest receiver does not get a digest of the day before it was set up. That start is
itself a record (`digest_start`), written once by the owner: a crash before the first digest is due
cannot make the restarted service take the first period for one it never had to send.

The owner is the replica whose notify stage owns the alerts topic's partition of `digest:<receiver>` (the
ownership follow-ups of acknowledgements use, keyed by receiver). Pure: time and ownership are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas import DeliveryRecord
from services.alert.digest_config import DigestOptions
from services.alert.digest_schedule import DUE_AFTER, Period, following, last_complete, periods_from

FINAL = ("delivered", "failed")
KEPT_PER_RECEIVER = 8
"""Digest records remembered per receiver: enough to count missed periods since the last one sent."""


def owner_key(receiver: str) -> str:
    """What decides which replica sends `receiver`'s digests."""
    return f"digest:{receiver}"


@dataclass(frozen=True)
class DueDigest:
    receiver: str
    period: Period
    missed: int = 0
    possible_repeat: bool = False


@dataclass
class DigestPlan:
    due: list[DueDigest] = field(default_factory=list)
    starts: list[tuple[str, datetime]] = field(default_factory=list)
    """Receivers whose digests begin now, with the start of their first period: to be recorded."""


class DigestPlanner:
    def __init__(self, schedules: Mapping[str, DigestOptions]) -> None:
        self.schedules = dict(schedules)
        self._status: dict[str, dict[datetime, str]] = {}
        self._begins: dict[str, datetime] = {}
        self._taken: set[tuple[str, datetime]] = set()
        self._latest: dict[str, tuple[Period, datetime]] = {}
        """Per receiver, its last complete period and until when it stays the last (calendar work is
        done once a period, not on every poll)."""

    def record(self, record: DeliveryRecord) -> None:
        """A digest's delivery record, or a receiver's `digest_start` (any replica's)."""
        start = record.period_start
        if start is None:
            return
        if record.kind == "digest_start":
            known = self._begins.get(record.receiver)
            self._begins[record.receiver] = start if known is None else min(known, start)
            return
        statuses = self._status.setdefault(record.receiver, {})
        if statuses.get(start) not in FINAL:  # an outcome is never undone by a late attempt record
            statuses[start] = record.status
        for old in sorted(statuses)[:-KEPT_PER_RECEIVER]:
            del statuses[old]

    def plan(self, now: datetime, owns: Callable[[str], bool]) -> DigestPlan:
        """The digests this replica should send now, and the receivers whose digests begin now."""
        plan = DigestPlan()
        for name, options in self.schedules.items():
            if not owns(owner_key(name)):
                continue
            period = self._last_complete(name, options, now)
            if (name, period.start) in self._taken:
                continue
            begins = self._begins_at(name)
            if begins is None:
                plan.starts.append((name, following(options, period).start))
                continue
            status = self._status.get(name, {}).get(period.start)
            if status in FINAL or period.start < begins:
                continue
            missed = periods_from(options, self._missed_since(name, begins), period)
            plan.due.append(DueDigest(name, period, missed, possible_repeat=status == "pending"))
        return plan

    def _last_complete(self, name: str, options: DigestOptions, now: datetime) -> Period:
        cached = self._latest.get(name)
        if cached is not None and cached[0].end <= now < cached[1]:
            return cached[0]
        period = last_complete(options, now)
        self._latest[name] = (period, following(options, period).end + DUE_AFTER)
        return period

    def taken(self, due: DueDigest) -> None:
        """`due` is queued for sending: not planned again here."""
        self._taken = {k for k in self._taken if k[0] != due.receiver or k[1] > due.period.start}
        self._taken.add((due.receiver, due.period.start))

    def let_go(self, gone: Callable[[str], bool]) -> None:
        """Receivers whose digests another replica owns now: plan them again should they come back."""
        self._taken = {k for k in self._taken if not gone(owner_key(k[0]))}

    def _begins_at(self, receiver: str) -> datetime | None:
        """When the receiver's digests began: its `digest_start`, or its earliest digest on record."""
        recorded = min(self._status.get(receiver, {}), default=None)
        known = [t for t in (self._begins.get(receiver), recorded) if t is not None]
        return min(known) if known else None

    def _missed_since(self, receiver: str, begins: datetime) -> datetime:
        """Periods starting from here on, before the due one, were never sent."""
        sent = [s for s, status in self._status.get(receiver, {}).items() if status in FINAL]
        return max(sent) + timedelta(microseconds=1) if sent else begins
