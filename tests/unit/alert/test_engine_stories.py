"""Story rules: a story that many outlets or independent reports carry within a window, or that grows
much faster than in the window before."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from schemas import ClassifiedArticle, StoryRef
from services.alert.engine import RuleEngine
from services.alert.rules import StoryRule
from tests.unit.alert.factories import T0, classified


def in_story(
    article_id: str, report: str, outlet: str, minutes: int, story: str = "story-a", *signals: str
) -> ClassifiedArticle:
    article = classified(article_id, *signals, source=outlet, at=T0 + timedelta(minutes=minutes))
    ref = StoryRef(
        story_id=story,
        report_id=report,
        copy_of=None if report == article_id else report,
        new_story=False,
        independent_reports=3,
        outlets=27,
        articles=30,
        headline="Drones strike the port",
        first_source="Wire One",
        first_published=T0,
    )
    return article.model_copy(update={"story": ref})


def alerts(rule: StoryRule, articles: list[ClassifiedArticle]) -> list[list[str]]:
    engine = RuleEngine([rule])
    return [[a.summary for a in engine.observe_article(article, T0)] for article in articles]


def test_a_story_carried_by_enough_outlets_fires_once_the_last_one_arrives() -> None:
    rule = StoryRule(id="wide", kind="story", min_outlets=3)
    copies = [in_story(f"c{n}", "wire", f"Paper {n}", n) for n in range(3)]
    fired = alerts(rule, copies)
    assert fired[:2] == [[], []]
    assert fired[2] == [
        "Drones strike the port: 3 independent reports, carried by 27 outlets; first: Wire One 12:00 UTC "
        "(3 outlets within 1h)"
    ]


def test_independent_reports_fire_with_one_quote_each_and_copies_add_none() -> None:
    rule = StoryRule(id="confirmed", kind="story", min_reports=3, signals=("evacuation_notice",))
    engine = RuleEngine([rule])
    articles = [
        in_story("a", "a", "Wire One", 0, "story-a", "evacuation_notice"),
        in_story("a-copy", "a", "Paper 1", 1, "story-a", "evacuation_notice"),
        in_story("b", "b", "Wire Two", 2, "story-a", "evacuation_notice"),
        in_story("c", "c", "Local Daily", 3, "story-a"),
    ]
    fired = [engine.observe_article(a, T0) for a in articles]
    assert [len(f) for f in fired] == [0, 0, 0, 1]
    alert = fired[3][0]
    assert sorted(e.article_id for e in alert.evidence) == ["a", "b", "c"]
    assert alert.distinct_sources == 3
    assert alert.labels["story"] == "story-a"


def test_a_story_without_the_rule_signals_does_not_fire() -> None:
    rule = StoryRule(id="evac", kind="story", min_reports=2, signals=("evacuation_notice",))
    articles = [in_story(r, r, f"Outlet {r}", 1, "story-a", "military_strike") for r in "abc"]
    assert alerts(rule, articles) == [[], [], []]


def test_growth_against_the_window_before_fires_and_a_steady_story_does_not() -> None:
    rule = StoryRule(id="breaking", kind="story", growth=3, within=timedelta(hours=1))
    steady = [in_story(f"s{n}", f"s{n}", f"Outlet {n}", 30 * n, "story-s") for n in range(6)]
    assert all(f == [] for f in alerts(rule, steady))
    slow_then_fast = [in_story("f0", "f0", "Outlet 0", 0, "story-f")] + [
        in_story(f"f{n}", f"f{n}", f"Outlet {n}", 60 + n, "story-f") for n in range(1, 4)
    ]
    fired = alerts(rule, slow_then_fast)
    assert fired[:3] == [[], [], []]
    assert "3 reports against 1 in the 1h before" in fired[3][0]


def test_stories_are_counted_apart() -> None:
    rule = StoryRule(id="wide", kind="story", min_outlets=2)
    articles = [in_story("a", "a", "Wire One", 0, "story-a"), in_story("b", "b", "Wire Two", 1, "story-b")]
    assert alerts(rule, articles) == [[], []]


def test_articles_older_than_the_window_are_not_counted() -> None:
    rule = StoryRule(id="wide", kind="story", min_outlets=2, within=timedelta(minutes=30))
    articles = [in_story("a", "a", "Wire One", 0), in_story("b", "b", "Wire Two", 45)]
    assert alerts(rule, articles) == [[], []]


def test_a_story_rule_needs_a_threshold() -> None:
    with pytest.raises(ValidationError, match="min_outlets, min_reports or growth"):
        StoryRule(id="nothing", kind="story")
