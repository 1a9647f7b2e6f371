"""The growth gauges: the ten fastest-growing stories and no others, with label values safe to export."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from services.classify.metrics import GROWING_STORIES, ClassifyMetrics, label_text
from services.classify.stories import Growing

GAUGES = (
    "newsmon_classify_story_growth",
    "newsmon_classify_story_growth_reports",
    "newsmon_classify_story_growth_ratio",
)


def growing(number: int, outlets: int, headline: str = "", topic: str | None = "sudan") -> Growing:
    return Growing(
        story_id=f"story-{number}",
        headline=headline or f"Story {number}",
        topic=topic,
        first_seen=0.0,
        first_source="Reuters",
        new_outlets=outlets,
        new_reports=outlets // 2,
        reports_before=1,
        outlets=outlets,
        reports=outlets,
    )


def series(registry: CollectorRegistry, name: str) -> dict[tuple[str, str], float]:
    """(rank, story) -> value of each series of a gauge."""
    return {
        (s.labels["rank"], s.labels["story"]): s.value
        for family in registry.collect()
        for s in family.samples
        if s.name == name
    }


def test_the_gauges_hold_the_first_ten_stories_by_rank() -> None:
    registry = CollectorRegistry()
    metrics = ClassifyMetrics(registry)
    metrics.publish_growing([growing(n, 40 - n) for n in range(12)])
    outlets = series(registry, "newsmon_classify_story_growth")
    assert outlets == {(str(n + 1), f"story-{n}"): 40 - n for n in range(GROWING_STORIES)}
    assert series(registry, "newsmon_classify_story_growth_reports")[("1", "story-0")] == 20
    assert series(registry, "newsmon_classify_story_growth_ratio")[("1", "story-0")] == 20.0


def test_stories_that_leave_the_ten_or_change_rank_lose_their_series() -> None:
    registry = CollectorRegistry()
    metrics = ClassifyMetrics(registry)
    metrics.publish_growing([growing(n, 40 - n) for n in range(10)])
    risen = [growing(9, 50), *(growing(n, 40 - n) for n in range(20, 29))]
    metrics.publish_growing(risen)
    for name in GAUGES:
        shown = series(registry, name)
        assert len(shown) == GROWING_STORIES, name
        assert ("1", "story-9") in shown
        assert ("10", "story-9") not in shown
        assert not any(story == f"story-{n}" for _, story in shown for n in range(9))


def test_no_growing_story_leaves_no_series() -> None:
    registry = CollectorRegistry()
    metrics = ClassifyMetrics(registry)
    metrics.publish_growing([growing(n, 5) for n in range(3)])
    metrics.publish_growing([])
    assert all(series(registry, name) == {} for name in GAUGES)


def test_a_story_without_topic_is_labelled_none() -> None:
    registry = CollectorRegistry()
    ClassifyMetrics(registry).publish_growing([growing(1, 3, topic=None)])
    [sample] = [s for f in registry.collect() for s in f.samples if s.name == "newsmon_classify_story_growth"]
    assert sample.labels["topic"] == "none"


def test_a_headline_becomes_one_clipped_line_of_printable_text() -> None:
    hostile = "Drones\nstrike\tthe\r\nport\u2028of \u202eOdesa\u200b \x00" + " and more words" * 20
    text = label_text(hostile)
    assert text.startswith("Drones strike the port of Odesa and more words")
    assert len(text) <= 80
    assert text.endswith("…")
    assert text.isprintable()


def test_a_headline_of_nothing_printable_is_a_dash() -> None:
    assert label_text(" \n\u200b\ud800 ") == "-"


def test_a_hostile_headline_is_exported_as_one_line() -> None:
    registry = CollectorRegistry()
    ClassifyMetrics(registry).publish_growing([growing(1, 3, headline='Kharkiv\n\ud800 "hit" \\ \u202e')])
    lines = [
        line
        for line in generate_latest(registry).decode("utf-8").splitlines()
        if line.startswith("newsmon_classify_story_growth{")
    ]
    assert lines == [
        'newsmon_classify_story_growth{headline="Kharkiv \\"hit\\" \\\\",rank="1",'
        'story="story-1",topic="sudan"} 3.0'
    ]
