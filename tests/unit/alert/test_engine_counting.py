"""What a window rule counts as a source: independent reports (by default), outlets or articles."""

from __future__ import annotations

from datetime import timedelta

import pytest

from schemas import ClassifiedArticle, StoryRef
from services.alert.engine import RuleEngine
from services.alert.rules import WindowRule
from tests.unit.alert.factories import T0, classified

CORROBORATED = WindowRule(
    id="evac", kind="window", signals=("evacuation_notice",), within=timedelta(hours=1), min_sources=2
)


def reported(article_id: str, report: str, outlet: str, minutes: int) -> ClassifiedArticle:
    """An evacuation notice from `outlet`, part of the independent report `report` of one story."""
    article = classified(article_id, "evacuation_notice", source=outlet, at=T0 + timedelta(minutes=minutes))
    story = StoryRef(
        story_id="story-1",
        report_id=report,
        copy_of=None if report == article_id else report,
        new_story=article_id == "wire",
        independent_reports=1,
        outlets=1,
        articles=1,
        first_source="Wire One",
        first_published=T0,
    )
    return article.model_copy(update={"story": story})


WIRE_AND_COPIES = [reported("wire", "wire", "Wire One", 0)] + [
    reported(f"copy-{n}", "wire", f"Paper {n}", 1 + n) for n in range(5)
]


def fired(rule: WindowRule, articles: list[ClassifiedArticle]) -> list[str]:
    engine = RuleEngine([rule])
    return [alert.summary for article in articles for alert in engine.observe_article(article, T0)]


def test_a_wire_story_and_five_copies_are_one_source() -> None:
    assert fired(CORROBORATED, WIRE_AND_COPIES) == []


def test_a_second_independent_report_corroborates_with_one_quote_per_report() -> None:
    engine = RuleEngine([CORROBORATED])
    for article in WIRE_AND_COPIES:
        engine.observe_article(article, T0)
    [alert] = engine.observe_article(reported("own", "own", "Local Daily", 20), T0)
    assert alert.distinct_sources == 2
    assert sorted(e.source for e in alert.evidence) == ["Local Daily", "Paper 4"]
    assert "2 independent reports carried by 7 outlets" in alert.summary


@pytest.mark.parametrize(
    ("count", "summary"), [("outlets", "2 outlets"), ("articles", "2 articles from 2 outlets")]
)
def test_outlets_or_articles_count_every_copy(count: str, summary: str) -> None:
    rule = CORROBORATED.model_copy(update={"count": count})
    assert [summary in s for s in fired(rule, WIRE_AND_COPIES[:2])] == [True]


def test_articles_without_a_story_count_once_per_outlet() -> None:
    same_outlet = [
        classified("a", "evacuation_notice", source="Wire One", title="First"),
        classified("b", "evacuation_notice", source="Wire One", title="Second"),
    ]
    assert fired(CORROBORATED, same_outlet) == []
    other = classified("c", "evacuation_notice", source="Wire Two")
    assert len(fired(CORROBORATED, [*same_outlet, other])) == 1
