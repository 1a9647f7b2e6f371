"""What goes into each receiver's digests: alerts and trend windows tallied per receiver and period.

Fed from the alerts and trends topics (read from the start of the last complete period on at start, then
followed; digest_feed.py), so what a digest says does not depend on which replica sends it or on how
often the service restarted. An alert counts towards a receiver's digest when its routes lead there
(immediate or not), its severity is at least the digest's `min_severity`, and no silence muted it when it
fired. Copies of one alert (every rule replica produces it) count once. Bounded: only the periods whose
digest may still be sent (the last complete one and the current one) are kept per receiver, and per
situation at most `MAX_IDS` alert ids and `MAX_SOURCES` sources. Pure: time is passed in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas import Acknowledgement, Alert, AlertEvidence, Severity, TrendWindow
from services.alert.digest import (
    SEVERITIES,
    Digest,
    FirstEvidence,
    SituationLine,
    TopicSection,
    TrendLine,
)
from services.alert.digest_config import DigestOptions
from services.alert.digest_schedule import Period, last_complete, local_span, period_containing
from services.alert.names import DisplayNames

MAX_IDS = 5_000
"""Alert ids remembered per situation and period, to count copies once; beyond it every copy counts."""
MAX_SOURCES = 1_000
MAX_TOPICS = 20
"""Topic sections in one digest; the rest are counted."""
NO_TOPIC = "Other situations"

RoutedTo = Callable[[dict[str, str]], Iterable[str]]
Muted = Callable[[dict[str, str], datetime], bool]


@dataclass
class _Situation:
    fingerprint: str
    rule_id: str
    topic: str | None
    title: str
    latest: datetime
    first_seen: datetime
    last_seen: datetime
    ids: set[str] = field(default_factory=set)
    counts: Counter[Severity] = field(default_factory=Counter)
    sources: set[str] = field(default_factory=set)
    distinct: int = 0
    first: AlertEvidence | None = None

    def add(self, alert: Alert) -> None:
        if alert.id in self.ids:
            return
        if len(self.ids) < MAX_IDS:
            self.ids.add(alert.id)
        self.counts[alert.severity] += 1
        if alert.fired_at >= self.latest:
            self.latest, self.title = alert.fired_at, alert.title
        self.first_seen = min(self.first_seen, alert.first_seen)
        self.last_seen = max(self.last_seen, alert.last_seen)
        self.distinct = max(self.distinct, alert.distinct_sources)
        for item in alert.evidence:
            if len(self.sources) < MAX_SOURCES:
                self.sources.add(item.source.strip().lower())
            if self.first is None or _earlier(item, self.first):
                self.first = item

    @property
    def alerts(self) -> int:
        return sum(self.counts.values())

    @property
    def severity(self) -> Severity:
        return max(self.counts, key=lambda s: s.rank)

    @property
    def distinct_sources(self) -> int:
        return max(self.distinct, len(self.sources))


def _earlier(item: AlertEvidence, than: AlertEvidence) -> bool:
    """The first evidence: the earliest published, preferring a quote that links to its article."""
    return (item.url is None, item.published_at) < (than.url is None, than.published_at)


@dataclass
class _Trend:
    opening_end: datetime
    opening: float
    closing_end: datetime
    closing: float
    peak: float

    def add(self, window: TrendWindow) -> None:
        index, end = window.escalation_index, window.window_end
        self.peak = max(self.peak, index)
        if end <= self.opening_end:  # an earlier window, or a later emission of the first one
            self.opening_end, self.opening = end, index
        if end >= self.closing_end:
            self.closing_end, self.closing = end, index


@dataclass
class _Tally:
    period: Period
    situations: dict[str, _Situation] = field(default_factory=dict)
    trends: dict[str, _Trend] = field(default_factory=dict)


class DigestBook:
    def __init__(self, schedules: Mapping[str, DigestOptions], routed_to: RoutedTo, muted: Muted) -> None:
        self.schedules = dict(schedules)
        self._routed_to = routed_to
        self._muted = muted
        self._tallies: dict[str, dict[datetime, _Tally]] = {name: {} for name in schedules}

    def keep_from(self, now: datetime) -> dict[str, datetime]:
        """Per receiver, the earliest moment its kept periods cover: the last complete period's start."""
        return {name: last_complete(options, now).start for name, options in self.schedules.items()}

    def add_alert(self, alert: Alert, now: datetime) -> None:
        routed = set(self._routed_to(alert.labels))
        if not routed.intersection(self.schedules) or self._muted(alert.labels, alert.fired_at):
            return
        for name, options in self.schedules.items():
            if name not in routed or alert.severity < options.min_severity:
                continue
            tally = self._tally(name, alert.fired_at, now)
            if tally is not None:
                self._situation(tally, alert).add(alert)

    def add_trend(self, window: TrendWindow, now: datetime) -> None:
        moment = window.window_end - timedelta(microseconds=1)
        for name in self.schedules:
            tally = self._tally(name, moment, now)
            if tally is None:
                continue
            trend = tally.trends.get(window.topic)
            if trend is None:
                index, end = window.escalation_index, window.window_end
                tally.trends[window.topic] = _Trend(end, index, end, index, index)
            else:
                trend.add(window)

    def prune(self, now: datetime) -> None:
        """Forget periods before the last complete one: their digests are sent or will never be."""
        for name, start in self.keep_from(now).items():
            kept = self._tallies[name]
            for old in [s for s in kept if s < start]:
                del kept[old]

    def periods(self, receiver: str) -> list[Period]:
        return sorted(t.period for t in self._tallies.get(receiver, {}).values())

    def _tally(self, name: str, moment: datetime, now: datetime) -> _Tally | None:
        kept = self._tallies[name]
        for tally in kept.values():  # the usual case: a period already kept, no calendar work
            if moment in tally.period:
                return tally
        options = self.schedules[name]
        period = period_containing(options, moment)
        if period.start < last_complete(options, now).start:
            return None
        kept[period.start] = _Tally(period)
        return kept[period.start]

    def _situation(self, tally: _Tally, alert: Alert) -> _Situation:
        found = tally.situations.get(alert.fingerprint)
        if found is None:
            found = _Situation(
                alert.fingerprint,
                alert.rule_id,
                alert.topic,
                alert.title,
                alert.fired_at,
                alert.first_seen,
                alert.last_seen,
            )
            tally.situations[alert.fingerprint] = found
        return found

    def compose(
        self,
        receiver: str,
        period: Period,
        names: DisplayNames,
        acks: Callable[[str], Acknowledgement | None],
        missed: int = 0,
        possible_repeat: bool = False,
    ) -> Digest:
        """The digest of `receiver` for `period`, from what was tallied (nothing tallied: an empty one)."""
        options = self.schedules[receiver]
        tally = self._tallies.get(receiver, {}).get(period.start) or _Tally(period)
        by_topic: dict[str | None, list[_Situation]] = {}
        for situation in tally.situations.values():
            by_topic.setdefault(situation.topic, []).append(situation)
        sections = sorted(
            (
                _section(topic, found, tally.trends.get(topic or ""), options, names, acks, period)
                for topic, found in by_topic.items()
            ),
            key=lambda t: (-t.severity.rank, -t.alerts, t.label),
        )
        return Digest(
            receiver=receiver,
            period=period,
            span=local_span(options, period),
            topics=tuple(sections[:MAX_TOPICS]),
            topics_omitted=max(0, len(sections) - MAX_TOPICS),
            missed=missed,
            possible_repeat=possible_repeat,
        )


def _section(
    topic: str | None,
    situations: list[_Situation],
    trend: _Trend | None,
    options: DigestOptions,
    names: DisplayNames,
    acks: Callable[[str], Acknowledgement | None],
    period: Period,
) -> TopicSection:
    ordered = sorted(situations, key=lambda s: (-s.severity.rank, -s.alerts, -s.latest.timestamp()))
    counts = Counter[Severity]()
    sources: set[str] = set()
    for situation in situations:
        counts.update(situation.counts)
        sources |= situation.sources
    return TopicSection(
        topic=topic,
        label=names.topic(topic) if topic else NO_TOPIC,
        counts=tuple((s, counts[s]) for s in SEVERITIES),
        alerts=sum(counts.values()),
        situations=len(situations),
        sources=max(len(sources), *(s.distinct_sources for s in situations)),
        shown=tuple(_line(s, acks(s.fingerprint), period) for s in ordered[: options.max_per_topic]),
        trend=TrendLine(trend.opening, trend.closing, trend.peak) if trend is not None else None,
    )


def _line(situation: _Situation, ack: Acknowledgement | None, period: Period) -> SituationLine:
    held = ack is not None and ack.holds_until > period.start
    first = situation.first
    return SituationLine(
        situation=situation.fingerprint,
        title=situation.title,
        rule_id=situation.rule_id,
        severity=situation.severity,
        alerts=situation.alerts,
        distinct_sources=situation.distinct_sources,
        first_seen=situation.first_seen,
        last_seen=situation.last_seen,
        first=FirstEvidence(first.title, first.url, first.source, first.published_at) if first else None,
        acknowledged_by=ack.by if ack is not None and held else None,
        acknowledged_at=ack.at if ack is not None and held else None,
    )
