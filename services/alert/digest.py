"""A digest: one message to one receiver about one period's situations, grouped per topic.

What every receiver shows of a digest comes from here, so the counts in its headline, its topic sections
and its situation lines agree. It is sent, retried and recorded like a notification; its id is the
receiver and the period's start, the same on every replica and after every restart, which is what lets the
delivery records say whether this period's digest went out already.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas import Severity
from services.alert.digest_schedule import Period
from services.alert.wording import count

SEVERITIES = tuple(sorted(Severity, key=lambda s: s.rank, reverse=True))
"""Most severe first, the order digests list counts in."""
RISING = "rising"
FALLING = "falling"
STEADY = "steady"
TREND_RATIO = 1.5
TREND_MIN_CHANGE = 0.2
"""A topic's escalation index is rising (or falling) over a period when it ends at least `TREND_RATIO`
times (or at most 1/`TREND_RATIO` of) where it began, by at least `TREND_MIN_CHANGE`."""


def digest_id(receiver: str, period_start: datetime) -> str:
    """ "europe-desk:digest-20250617T0500Z": one per receiver and period, readable in logs and records."""
    return f"{receiver}:digest-{period_start:%Y%m%dT%H%M%SZ}"


@dataclass(frozen=True)
class FirstEvidence:
    """The earliest quoted article of a situation in the period: where a reader starts."""

    title: str
    url: str | None
    source: str
    published_at: datetime


@dataclass(frozen=True)
class SituationLine:
    situation: str
    title: str
    rule_id: str
    severity: Severity
    alerts: int
    distinct_sources: int
    first_seen: datetime
    last_seen: datetime
    first: FirstEvidence | None = None
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class TrendLine:
    """A topic's escalation index (from the trend windows) at the period's first and last window."""

    opening: float
    closing: float
    peak: float

    @property
    def direction(self) -> str:
        change = self.closing - self.opening
        if change >= TREND_MIN_CHANGE and self.closing >= self.opening * TREND_RATIO:
            return RISING
        if -change >= TREND_MIN_CHANGE and self.closing * TREND_RATIO <= self.opening:
            return FALLING
        return STEADY

    @property
    def text(self) -> str:
        """ "rising: escalation index 0.4 → 1.3 (peak 1.8)"."""
        index = f"{self.opening:.1f} → {self.closing:.1f} (peak {self.peak:.1f})"
        return f"{self.direction}: escalation index {index}"


SeverityCounts = tuple[tuple[Severity, int], ...]


def counts_text(counts: SeverityCounts) -> str:
    """ "2 critical, 5 high": the severities that occur, most severe first."""
    return ", ".join(f"{n} {s.value}" for s, n in counts if n) or "none"


@dataclass(frozen=True)
class TopicSection:
    topic: str | None
    label: str
    counts: SeverityCounts
    alerts: int
    situations: int
    sources: int
    shown: tuple[SituationLine, ...]
    trend: TrendLine | None = None

    @property
    def more(self) -> int:
        """Situations counted but not listed."""
        return self.situations - len(self.shown)

    @property
    def severity(self) -> Severity:
        return next((s for s, n in self.counts if n), Severity.LOW)

    @property
    def line(self) -> str:
        """ "3 situations, 7 alerts (2 critical, 5 high), 5 distinct sources"."""
        return (
            f"{count(self.situations, 'situation')}, {count(self.alerts, 'alert')} "
            f"({counts_text(self.counts)}), {count(self.sources, 'distinct source')}"
        )


@dataclass(frozen=True)
class Digest:
    receiver: str
    period: Period
    span: str
    """The period on the digest's local clock: "17 Jun 07:00 – 18 Jun 07:00 CEST"."""
    topics: tuple[TopicSection, ...]
    topics_omitted: int = 0
    missed: int = 0
    """Earlier periods whose digest was never sent (the service was down): said, not sent late."""
    possible_repeat: bool = False

    @property
    def id(self) -> str:
        return digest_id(self.receiver, self.period.start)

    @property
    def alerts(self) -> int:
        return sum(t.alerts for t in self.topics)

    @property
    def situations(self) -> int:
        return sum(t.situations for t in self.topics)

    @property
    def counts(self) -> SeverityCounts:
        return tuple((s, sum(n for t in self.topics for k, n in t.counts if k == s)) for s in SEVERITIES)

    @property
    def title(self) -> str:
        return f"Digest {self.span}"

    @property
    def summary(self) -> str:
        """ "4 situations in 2 topics, 9 alerts (1 critical, 8 high)", or that nothing happened."""
        if not self.topics:
            return "No alerts in this period."
        topics = len(self.topics) + self.topics_omitted
        return (
            f"{count(self.situations, 'situation')} in {count(topics, 'topic')}, "
            f"{count(self.alerts, 'alert')} ({counts_text(self.counts)})"
        )

    @property
    def missed_note(self) -> str | None:
        if not self.missed:
            return None
        earlier = "digest was" if self.missed == 1 else "digests were"
        return (
            f"{self.missed} earlier {earlier} not sent while the alert service was down; "
            "this one covers only its own period."
        )
