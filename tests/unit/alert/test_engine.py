from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from newsmon.config import load_config
from schemas import ClassifiedArticle, Evidence, Polarity, Severity, SignalHit, encode
from schemas.bounds import MAX_QUOTE, MAX_TITLE
from services.alert.engine import RuleEngine
from services.alert.rules import ArticleRule, TrendRule, WindowRule
from tests.unit.alert.factories import T0, classified, trend

EVACUATION = WindowRule(
    id="evac", kind="window", signals=("evacuation_notice",), within=timedelta(hours=1), min_sources=2
)
COMBINED = WindowRule(
    id="combo", kind="window", signals=("escalation_warning", "military_strike"), within=timedelta(hours=1)
)


def test_an_article_rule_fires_on_its_signal_with_the_quote_as_evidence() -> None:
    engine = RuleEngine([ArticleRule(id="usw", kind="article", signals=("us_intervention_warning",))])
    alerts = engine.observe_article(classified("a1", "us_intervention_warning"), T0)
    assert len(alerts) == 1
    alert = alerts[0]
    assert alert.rule_id == "usw"
    assert alert.topic == "iran_israel"
    assert alert.evidence[0].quote == "Moscow warned Washington against military intervention"
    assert alert.labels == {"rule": "usw", "kind": "article", "severity": "high", "topic": "iran_israel"}


def test_an_article_rule_ignores_articles_below_its_thresholds() -> None:
    rule = ArticleRule(
        id="hot", kind="article", topics=("iran_israel",), min_escalation=0.8, min_severity=Severity.CRITICAL
    )
    engine = RuleEngine([rule])
    assert engine.observe_article(classified("a", "military_strike", score=0.9), T0) == []
    assert (
        engine.observe_article(classified("b", "military_strike", score=0.5, severity=Severity.CRITICAL), T0)
        == []
    )
    assert (
        engine.observe_article(
            classified("c", "x", score=0.9, topics=("sudan",), severity=Severity.CRITICAL), T0
        )
        == []
    )
    assert len(engine.observe_article(classified("d", "x", score=0.9, severity=Severity.CRITICAL), T0)) == 1


def test_one_source_is_not_corroboration() -> None:
    engine = RuleEngine([EVACUATION])
    assert engine.observe_article(classified("a", "evacuation_notice", source="Wire One"), T0) == []
    later = T0 + timedelta(minutes=10)
    assert (
        engine.observe_article(classified("b", "evacuation_notice", source="Wire One", title="Other"), later)
        == []
    )


def test_copies_of_one_story_from_one_outlet_count_once() -> None:
    rule = EVACUATION.model_copy(update={"min_count": 2, "min_sources": 1})
    engine = RuleEngine([rule])
    first = classified("a", "evacuation_notice", source="Wire One", title="Port city told to evacuate")
    copy = classified("b", "evacuation_notice", source="wire one ", title="Port city told to evacuate!")
    assert engine.observe_article(first, T0) == []
    assert engine.observe_article(copy, T0 + timedelta(minutes=1)) == []


def test_a_second_source_within_the_window_fires_with_both_quotes() -> None:
    engine = RuleEngine([EVACUATION])
    engine.observe_article(classified("a", "evacuation_notice", source="Wire One"), T0)
    alerts = engine.observe_article(
        classified("b", "evacuation_notice", source="Wire Two", at=T0 + timedelta(minutes=40)), T0
    )
    assert len(alerts) == 1
    assert alerts[0].distinct_sources == 2
    assert {e.source for e in alerts[0].evidence} == {"Wire One", "Wire Two"}
    assert alerts[0].first_seen == T0


def test_a_second_source_after_the_window_does_not_fire() -> None:
    engine = RuleEngine([EVACUATION])
    engine.observe_article(classified("a", "evacuation_notice", source="Wire One"), T0)
    late = classified("b", "evacuation_notice", source="Wire Two", at=T0 + timedelta(minutes=61))
    assert engine.observe_article(late, T0) == []


def test_windows_are_counted_per_topic() -> None:
    engine = RuleEngine([EVACUATION])
    engine.observe_article(classified("a", "evacuation_notice", source="Wire One", topics=("sudan",)), T0)
    other = classified("b", "evacuation_notice", source="Wire Two", topics=("iran_israel",))
    assert engine.observe_article(other, T0) == []


def test_two_signals_in_one_topic_within_the_hour_fire_together() -> None:
    engine = RuleEngine([COMBINED])
    assert engine.observe_article(classified("a", "escalation_warning"), T0) == []
    alerts = engine.observe_article(classified("b", "military_strike", at=T0 + timedelta(minutes=30)), T0)
    assert [a.rule_id for a in alerts] == ["combo"]
    assert {e.signal for e in alerts[0].evidence} == {"escalation_warning", "military_strike"}


def test_a_replayed_article_fires_the_same_alert_id() -> None:
    article = classified("a", "us_intervention_warning")
    rule = ArticleRule(id="usw", kind="article", signals=("us_intervention_warning",))
    first = RuleEngine([rule]).observe_article(article, T0)[0]
    again = RuleEngine([rule]).observe_article(article, T0 + timedelta(hours=1))[0]
    assert first.id == again.id
    assert first.fingerprint == again.fingerprint


def test_a_trend_rule_fires_when_the_index_triples_its_baseline() -> None:
    rule = TrendRule(id="heat", kind="trend", ratio=3, min_baseline_windows=4, baseline=timedelta(hours=6))
    engine = RuleEngine([rule])
    for hour in range(5):
        assert engine.observe_trend(trend("iran_israel", T0 + timedelta(hours=hour), 0.1), T0) == []
    calm = engine.observe_trend(trend("iran_israel", T0 + timedelta(hours=6), 0.2), T0)
    hot = engine.observe_trend(trend("iran_israel", T0 + timedelta(hours=7), 0.5), T0)
    assert calm == []
    assert len(hot) == 1
    assert "baseline" in hot[0].summary


def test_a_trend_rule_needs_enough_baseline_before_judging() -> None:
    rule = TrendRule(id="heat", kind="trend", zscore=2, min_baseline_windows=6)
    engine = RuleEngine([rule])
    engine.observe_trend(trend("iran_israel", T0, 0.1), T0)
    assert engine.observe_trend(trend("iran_israel", T0 + timedelta(hours=1), 0.9), T0) == []


def test_the_shipped_rules_cover_the_three_example_situations(repo: Path) -> None:
    config = load_config(repo / "config" / "newsmon.yaml")
    engine = RuleEngine(config.rules)
    fired = engine.observe_article(classified("a", "us_intervention_warning"), T0)
    fired += engine.observe_article(classified("b", "evacuation_notice", source="Wire One"), T0)
    fired += engine.observe_article(classified("c", "evacuation_notice", source="Wire Two"), T0)
    fired += engine.observe_article(classified("d", "escalation_warning", "military_strike"), T0)
    assert sorted({a.rule_id for a in fired}) == [
        "escalation_with_strikes",
        "evacuation_corroborated",
        "us_intervention_warning",
    ]


def test_the_evidence_shows_the_next_sentence_where_the_signal_was_found_too() -> None:
    first = Evidence(text="evacuation", sentence="The embassy is coordinating an evacuation.", start=0, end=1)
    again = Evidence(
        text="leave the country", sentence="Those who leave the country go by road.", start=2, end=3
    )
    same = Evidence(text="evacuate", sentence="The embassy is coordinating an evacuation.", start=4, end=5)
    third = Evidence(text="evacuees", sentence="Evacuees gathered at dawn.", start=6, end=7)
    hit = SignalHit(
        id="evacuation_notice",
        polarity=Polarity.ESCALATORY,
        severity=Severity.HIGH,
        weight=1.0,
        evidence=(first, same, again, third),
    )
    article = classified("a1", "evacuation_notice").model_copy(update={"signals": (hit,)})
    alert = RuleEngine(
        [ArticleRule(id="evac", kind="article", signals=("evacuation_notice",))]
    ).observe_article(article, T0)[0]
    assert alert.evidence[0].quote == "evacuation"
    assert alert.evidence[0].sentence == (
        "The embassy is coordinating an evacuation. … Those who leave the country go by road."
    )


def huge(article_id: str, source: str) -> ClassifiedArticle:
    """An article of a crafted feed: a 100,000-character sentence, headline and link, as a producer before
    the classifier's bounds (or another producer) could write them."""
    article = classified(article_id, "evacuation_notice", source=source)
    sentence = "residents were told to evacuate the district " + "and so on " * 10_000
    hit = article.signals[0].model_copy(
        update={"evidence": (Evidence(text=sentence[:80] * 50, sentence=sentence, start=0, end=4000),) * 5}
    )
    raw = article.article.model_copy(
        update={"title": "&<" * 5000, "url": "https://news.example/" + "p" * 100_000, "source": source * 50}
    )
    return article.model_copy(update={"article": raw, "signals": (hit,)})


def test_an_alert_from_oversized_articles_stays_small() -> None:
    engine = RuleEngine([EVACUATION, ArticleRule(id="each", kind="article", signals=("evacuation_notice",))])
    alerts = [
        alert
        for i in range(20)
        for alert in engine.observe_article(huge(f"a{i}", f"Outlet {i}"), T0 + timedelta(minutes=i))
    ]
    assert {a.rule_kind for a in alerts} == {"article", "window"}
    assert max(len(encode(a)) for a in alerts) < 40_000
    for alert in alerts:
        for item in alert.evidence:
            assert len(item.quote) <= MAX_QUOTE
            assert len(item.title) <= MAX_TITLE
            assert item.url is None
