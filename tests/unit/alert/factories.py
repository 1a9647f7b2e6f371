"""Classified articles and trend windows written for the alert tests (text of our own)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import ClassifiedArticle, Evidence, Polarity, RawArticle, Severity, SignalHit, TrendWindow

T0 = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)

QUOTES = {
    "us_intervention_warning": "Moscow warned Washington against military intervention",
    "evacuation_notice": "residents were told to evacuate the district",
    "escalation_warning": "the minister warned of a rapid escalation",
    "military_strike": "jets carried out air strikes on the port",
}


def signal(signal_id: str, severity: Severity = Severity.HIGH, text: str | None = None) -> SignalHit:
    quote = text or QUOTES.get(signal_id, signal_id.replace("_", " "))
    sentence = f"On Monday, {quote}, officials said."
    start = sentence.index(quote)
    return SignalHit(
        id=signal_id,
        polarity=Polarity.ESCALATORY,
        severity=severity,
        weight=1.0,
        evidence=(Evidence(text=quote, sentence=sentence, start=start, end=start + len(quote)),),
    )


def classified(
    article_id: str,
    *signals: str,
    source: str = "Wire One",
    title: str | None = None,
    topics: tuple[str, ...] = ("iran_israel",),
    at: datetime = T0,
    score: float = 0.6,
    url: str | None = None,
    severity: Severity = Severity.HIGH,
) -> ClassifiedArticle:
    raw = RawArticle(
        id=article_id,
        feed_id="feed-" + source.lower().replace(" ", "-"),
        source=source,
        url=url or f"https://news.example/{article_id}",
        title=title or f"Story {article_id}",
        summary="A short summary written for the tests.",
        published_at=at,
        fetched_at=at + timedelta(minutes=2),
    )
    return ClassifiedArticle(
        article=raw,
        topics=topics,
        signals=tuple(signal(s, severity) for s in signals),
        escalation_score=score,
        classifier_version="test",
        classified_at=at + timedelta(minutes=3),
    )


def trend(topic: str, start: datetime, index: float, length: timedelta = timedelta(hours=1)) -> TrendWindow:
    return TrendWindow(
        topic=topic,
        window_start=start,
        window_end=start + length,
        article_count=10,
        signal_counts={"military_strike": 3},
        distinct_sources=4,
        escalation_mean=min(1.0, index / 2),
        escalation_max=min(1.0, index),
        escalation_index=index,
        emitted_at=start + length,
    )
