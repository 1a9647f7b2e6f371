"""The pure rule engine: classified articles and trend windows in, alerts out. No I/O, no clock reads.

State (sliding windows, trend baselines) is rebuilt after a restart by replaying the last `lookback(rules)`
of input through `observe_*` with the results discarded, so replay and live processing run the same code.
Alert ids are hashes of the rule, its grouping keys and the triggering input, so a replay fires the same ids.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from schemas import Alert, AlertEvidence, ClassifiedArticle, SignalHit, TrendWindow
from schemas.bounds import MAX_QUOTE, MAX_SENTENCE, MAX_SOURCE, MAX_TITLE, MAX_URL, clip
from services.alert.fingerprint import alert_id, fingerprint
from services.alert.rules import ArticleRule, Count, Rule, StoryRule, TrendRule, WindowRule
from services.alert.story_growth import StoryActivity

MAX_EVIDENCE = 10
"""Quotes carried by one alert; more would not be read and would only crowd the message."""
CONTEXT_SENTENCES = 2
"""Sentences shown around one quote: where the signal was first found, and the next place it was found."""


IDLE_CHECK_EVERY = 1000


def event_time(article: ClassifiedArticle) -> datetime:
    """When the article happened for windowing: its publication time, unless that lies after the fetch."""
    return min(article.article.published_at, article.article.fetched_at)


def source_key(count: Count, article: ClassifiedArticle) -> str:
    """What counts as one source of `article` for a window rule counting `count`.

    An independent report is the article's copy group as the story stage found it: the original and its
    syndicated copies share it. An article classified without a story (an older release, another tool)
    counts as its outlet, as every article did before stories existed."""
    raw = article.article
    if count == "articles":
        return raw.id
    if count == "independent" and article.story is not None:
        return article.story.report_id
    return raw.source.strip().lower()


def context_of(hit: SignalHit) -> str:
    """The sentence of the first quote, and the next sentence where the signal was found too: a notice often
    says what happens in one sentence and where or how in the next ("evacuation" ... "routes through ...")."""
    sentences = list(dict.fromkeys(e.sentence for e in hit.evidence if e.sentence))[:CONTEXT_SENTENCES]
    return " … ".join(clip(s, MAX_SENTENCE) for s in sentences)


def headline_evidence(article: ClassifiedArticle) -> AlertEvidence:
    """The article's headline standing in for a quote: a story rule may fire on articles without signals."""
    raw = article.article
    return AlertEvidence(
        article_id=raw.id,
        source=clip(raw.source, MAX_SOURCE),
        title=clip(raw.title, MAX_TITLE),
        url=raw.url if raw.url is None or len(raw.url) <= MAX_URL else None,
        quote=clip(raw.title, MAX_QUOTE),
        published_at=raw.published_at,
        fetched_at=raw.fetched_at,
        language=article.language,
    )


def evidence_of(article: ClassifiedArticle, hit: SignalHit) -> AlertEvidence:
    """The alert's quote of one signal, every text cut to its bound: an article from before the bounds, or
    from another producer, may carry a whole article as one sentence."""
    first = hit.evidence[0]
    raw = article.article
    return AlertEvidence(
        article_id=raw.id,
        source=clip(raw.source, MAX_SOURCE),
        title=clip(raw.title, MAX_TITLE),
        url=raw.url if raw.url is None or len(raw.url) <= MAX_URL else None,
        signal=hit.id,
        quote=clip(first.text, MAX_QUOTE),
        sentence=context_of(hit) or clip(first.sentence, MAX_SENTENCE),
        published_at=raw.published_at,
        fetched_at=raw.fetched_at,
        language=article.language,
    )


def _labels(rule: Rule, topic: str | None) -> dict[str, str]:
    labels = {"rule": rule.id, "kind": rule.kind, "severity": rule.severity.value}
    if topic:
        labels["topic"] = topic
    return rule.labels | labels


def _keys(topic: str | None) -> dict[str, str]:
    return {"topic": topic} if topic else {}


def _fire(
    rule: Rule,
    topic: str | None,
    trigger: str,
    now: datetime,
    *,
    summary: str,
    signals: tuple[str, ...],
    evidence: tuple[AlertEvidence, ...] = (),
    sources: int,
    seen: tuple[datetime, datetime],
    story: str | None = None,
) -> Alert:
    """An alert of `rule` fired by `trigger` (an article id, or a trend window's key). Its fingerprint is the
    rule, topic and story, so that every alert about one situation groups into one notification thread."""
    situation = _keys(topic) | ({"story": story} if story else {})
    fp = fingerprint(rule.id, situation)
    return Alert(
        id=alert_id(fp, trigger),
        fingerprint=fp,
        rule_id=rule.id,
        rule_kind=rule.kind,
        severity=rule.severity,
        title=rule.headline,
        summary=summary,
        topic=topic,
        signals=signals,
        labels=_labels(rule, topic) | situation,
        evidence=evidence,
        distinct_sources=sources,
        first_seen=seen[0],
        last_seen=seen[1],
        fired_at=now,
    )


@dataclass(frozen=True)
class _Hit:
    at: datetime
    article_id: str
    source: str
    """The rule's unit of counting (`source_key`)."""
    outlet: str
    signal: str
    evidence: AlertEvidence


@dataclass
class _Window:
    hits: list[_Hit] = field(default_factory=list)
    latest: datetime | None = None
    known: set[tuple[str, str]] = field(default_factory=set)

    def add(self, hits: Iterable[_Hit]) -> None:
        for hit in hits:
            if (hit.article_id, hit.signal) not in self.known:
                self.hits.append(hit)
                self.known.add((hit.article_id, hit.signal))
                self.latest = hit.at if self.latest is None else max(self.latest, hit.at)

    def prune(self, rule: WindowRule) -> None:
        if self.latest is None:
            return
        start = self.latest - rule.within
        if any(h.at <= start for h in self.hits):
            self.hits = [h for h in self.hits if h.at > start]
            self.known = {(h.article_id, h.signal) for h in self.hits}


class RuleEngine:
    """Evaluates every enabled rule; keeps the little state window and trend rules need."""

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules = tuple(r for r in rules if r.enabled)
        self._windows: dict[tuple[str, str | None], _Window] = {}
        self._trends: dict[str, dict[datetime, TrendWindow]] = {}
        self._stories: dict[tuple[str, str], StoryActivity] = {}
        self._until_idle_check = IDLE_CHECK_EVERY

    def reset(self) -> None:
        """Forget all state, e.g. before rebuilding it after a rebalance."""
        self._windows.clear()
        self._trends.clear()
        self._stories.clear()

    def observe_article(self, article: ClassifiedArticle, now: datetime) -> list[Alert]:
        alerts: list[Alert] = []
        for rule in self.rules:
            if isinstance(rule, ArticleRule):
                alerts.extend(self._article_rule(rule, article, now))
            elif isinstance(rule, WindowRule):
                alerts.extend(self._window_rule(rule, article, now))
            elif isinstance(rule, StoryRule):
                alerts.extend(self._story_rule(rule, article, now))
        return alerts

    def observe_trend(self, window: TrendWindow, now: datetime) -> list[Alert]:
        history = self._trends.setdefault(window.topic, {})
        history[window.window_start] = window
        alerts = [
            alert
            for rule in self.rules
            if isinstance(rule, TrendRule)
            for alert in self._trend_rule(rule, window, history, now)
        ]
        self._prune_trends(window)
        return alerts

    # -- per-article rules -------------------------------------------------------------------------------

    def _article_rule(self, rule: ArticleRule, article: ClassifiedArticle, now: datetime) -> list[Alert]:
        topic = _pick_topic(rule.topics, article.topics)
        if rule.topics and topic is None:
            return []
        if article.escalation_score < rule.min_escalation:
            return []
        hits = [
            s
            for s in article.signals
            if (not rule.signals or s.id in rule.signals)
            and (rule.min_severity is None or s.severity >= rule.min_severity)
        ]
        if (rule.signals or rule.min_severity) and not hits:
            return []
        at = event_time(article)
        return [
            _fire(
                rule,
                topic,
                article.id,
                now,
                summary=clip(article.article.title, MAX_TITLE),
                signals=tuple(s.id for s in hits),
                evidence=tuple(evidence_of(article, s) for s in hits[:MAX_EVIDENCE]),
                sources=1,
                seen=(at, at),
            )
        ]

    # -- corroboration windows ---------------------------------------------------------------------------

    def _window_rule(self, rule: WindowRule, article: ClassifiedArticle, now: datetime) -> list[Alert]:
        hits = [s for s in article.signals if s.id in rule.signals]
        if not hits:
            return []
        topics = [t for t in article.topics if not rule.topics or t in rule.topics]
        if rule.topics and not topics:
            return []
        keys: list[str | None] = list(topics) if rule.per_topic and topics else [None]
        at = event_time(article)
        source, outlet = source_key(rule.count, article), article.article.source.strip().lower()
        new = [_Hit(at, article.id, source, outlet, s.id, evidence_of(article, s)) for s in hits]
        alerts = []
        for topic in keys:
            window = self._windows.setdefault((rule.id, topic), _Window())
            window.add(new)
            window.prune(rule)
            if window.latest is not None and at > window.latest - rule.within:
                alert = self._window_alert(rule, topic, window.hits, article.id, now)
                if alert is not None:
                    alerts.append(alert)
        return alerts

    def _window_alert(
        self, rule: WindowRule, topic: str | None, hits: list[_Hit], trigger: str, now: datetime
    ) -> Alert | None:
        sources = {h.source for h in hits}
        for signal in rule.signals:
            if len({h.source for h in hits if h.signal == signal}) < rule.min_count:
                return None
        if len(sources) < rule.min_sources:
            return None
        newest = sorted(hits, key=lambda h: h.at, reverse=True)
        where = f" on {topic}" if topic else ""
        return _fire(
            rule,
            topic,
            trigger,
            now,
            summary=(
                f"{' + '.join(rule.signals)}{where}: {_counted(rule.count, hits)} "
                f"within {_human(rule.within.total_seconds())}"
            ),
            signals=rule.signals,
            evidence=tuple(_one_per_source(newest)[:MAX_EVIDENCE]),
            sources=len(sources),
            seen=(min(h.at for h in hits), max(h.at for h in hits)),
        )

    # -- stories -----------------------------------------------------------------------------------------

    def _story_rule(self, rule: StoryRule, article: ClassifiedArticle, now: datetime) -> list[Alert]:
        ref = article.story
        topic = _pick_topic(rule.topics, article.topics)
        if ref is None or (rule.topics and topic is None):
            return []
        hits = [s for s in article.signals if not rule.signals or s.id in rule.signals]
        at = event_time(article)
        activity = self._stories.setdefault((rule.id, ref.story_id), StoryActivity(ref, at))
        quote = evidence_of(article, hits[0]) if hits else headline_evidence(article)
        activity.add(ref, at, article.article.source.strip().lower(), quote, {s.id for s in hits})
        self._forget_idle_stories(at)
        window = _human(rule.within.total_seconds())
        growth = activity.growth(rule.within)
        verdict = growth.verdict(rule, window)
        if verdict is None or (rule.signals and not activity.signals):
            return []
        story = activity.ref
        first = story.first_published.strftime("%H:%M UTC")
        return [
            _fire(
                rule,
                topic,
                article.id,
                now,
                summary=clip(
                    f"{story.headline or article.article.title}: "
                    f"{_n(story.independent_reports, 'independent report', 'independent reports')}, "
                    f"carried by {_n(story.outlets, 'outlet', 'outlets')}; first: {story.first_source} "
                    f"{first} ({verdict})",
                    MAX_TITLE * 2,
                ),
                signals=tuple(sorted(activity.signals)),
                evidence=tuple(activity.quotes(rule.within)[:MAX_EVIDENCE]),
                sources=growth.reports,
                seen=(min(activity.reports.values()), activity.latest),
                story=ref.story_id,
            )
        ]

    def _forget_idle_stories(self, at: datetime) -> None:
        """Every `IDLE_CHECK_EVERY` articles, drop stories no rule can count any more."""
        self._until_idle_check -= 1
        if self._until_idle_check > 0:
            return
        self._until_idle_check = IDLE_CHECK_EVERY
        within = {rule.id: rule.within for rule in self.rules if isinstance(rule, StoryRule)}
        for key in [k for k, a in self._stories.items() if a.idle(at, within[k[0]])]:
            del self._stories[key]

    # -- trends ------------------------------------------------------------------------------------------

    def _trend_rule(
        self, rule: TrendRule, window: TrendWindow, history: dict[datetime, TrendWindow], now: datetime
    ) -> list[Alert]:
        if rule.topics and window.topic not in rule.topics:
            return []
        if window.escalation_index < rule.min_index:
            return []
        start = window.window_start - rule.baseline
        baseline = [
            w.escalation_index for w in history.values() if start < w.window_end <= window.window_start
        ]
        if len(baseline) < rule.min_baseline_windows:
            return []
        verdict = trend_verdict(window.escalation_index, baseline, rule.ratio, rule.zscore)
        if verdict is None:
            return []
        return [
            _fire(
                rule,
                window.topic,
                window.key,
                now,
                summary=f"{window.topic}: escalation index {window.escalation_index:.2f} {verdict}",
                signals=tuple(sorted(window.signal_counts, key=lambda s: -window.signal_counts[s]))[:5],
                sources=window.distinct_sources,
                seen=(window.window_start, window.window_end),
            )
        ]

    def _prune_trends(self, window: TrendWindow) -> None:
        keep = max((r.baseline for r in self.rules if isinstance(r, TrendRule)), default=None)
        history = self._trends[window.topic]
        if keep is None:
            history.clear()
            return
        oldest = window.window_start - keep
        for start in [s for s, w in history.items() if w.window_end <= oldest]:
            del history[start]


def trend_verdict(
    index: float, baseline: list[float], ratio: float | None, zscore: float | None
) -> str | None:
    """Why `index` stands out against `baseline` (ratio and/or z-score), or None when it does not."""
    mean = statistics.fmean(baseline)
    reasons = []
    if ratio is not None and index > 0 and index >= ratio * mean:
        times = f"{index / mean:.1f}x" if mean > 0 else "from zero"
        reasons.append(f"is {times} its baseline {mean:.2f}")
    if zscore is not None and len(baseline) >= 2:
        stdev = statistics.pstdev(baseline)
        if stdev > 0 and (index - mean) / stdev >= zscore:
            reasons.append(f"z-score {(index - mean) / stdev:.1f}")
    return "; ".join(reasons) or None


def _pick_topic(wanted: tuple[str, ...], present: tuple[str, ...]) -> str | None:
    if not wanted:
        return present[0] if present else None
    return next((t for t in present if t in wanted), None)


def _one_per_source(hits: list[_Hit]) -> list[AlertEvidence]:
    """One quote per source and signal: an independent report's copies add no quote of their own."""
    seen: set[tuple[str, str]] = set()
    evidence = []
    for hit in hits:
        if (hit.source, hit.signal) not in seen:
            seen.add((hit.source, hit.signal))
            evidence.append(hit.evidence)
    return evidence


def _counted(count: Count, hits: list[_Hit]) -> str:
    """'3 independent reports carried by 27 outlets', '4 outlets' or '5 articles from 2 outlets'."""
    sources, outlets = len({h.source for h in hits}), len({h.outlet for h in hits})
    if count == "outlets":
        return _n(sources, "outlet", "outlets")
    if count == "articles":
        return f"{_n(sources, 'article', 'articles')} from {_n(outlets, 'outlet', 'outlets')}"
    reports = _n(sources, "independent report", "independent reports")
    return f"{reports} carried by {_n(outlets, 'outlet', 'outlets')}"


def _human(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
