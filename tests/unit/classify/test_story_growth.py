"""The fastest-growing stories: what counts in a window, its edges, growth against the window before, and
the bounds on what a story keeps and what a call reads."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from services.alert.rules import StoryRule
from services.alert.story_growth import StoryActivity
from services.classify.stories import ArticleFeatures, Story, StoryBook
from services.classify.stories.growth import KEPT, MAX_ARRIVALS, fastest_growing
from services.classify.stories.sketch import BINS, Sketch
from services.classify.stories.stage import story_ref

HOUR = 3600.0
NOW = datetime(2026, 3, 3, 12, 0, tzinfo=UTC).timestamp()


def text_of(name: str) -> Sketch:
    """A sketch of its own (no copy of any other) for each `name`; the same one for the same name."""
    digest = b"".join(hashlib.sha256(f"{name}:{i}".encode()).digest() for i in range(3))
    return Sketch(digest[: 2 * BINS], 200)


def report(
    article_id: str, event: str, source: str, at: float, text: str | None = None, title: str = ""
) -> ArticleFeatures:
    """An article about `event` (its place and names); `text` names the wording it shares with others
    (a copy carries its original's), by default its own."""
    return ArticleFeatures(
        id=article_id,
        source=source,
        published=at,
        title=title or f"Strike on {event}",
        sketch=text_of(text or article_id),
        agency=None,
        places=(f"town-{event}",),
        entities=(f"mayor-{event}", f"governor-{event}"),
        numbers=("12",),
        topics=("russia_ukraine",),
        signals=("military_strike",),
        actors=("RU", "UA"),
    )


def fill(book: StoryBook, *articles: ArticleFeatures) -> dict[str, str]:
    """Add articles at their publication time; article id -> story id."""
    return {a.id: book.add(a, a.published).story_id for a in articles}


def ranking(
    book: StoryBook, now: float = NOW, window: float = HOUR, limit: int = 10
) -> list[tuple[str, int, int, int]]:
    return [
        (g.headline, g.new_outlets, g.new_reports, g.reports_before)
        for g in book.fastest_growing(now, window, limit)
    ]


def test_stories_are_ranked_by_new_outlets_then_new_reports() -> None:
    book = StoryBook(bucket_bits=12)
    at = NOW - 30 * 60
    fill(
        book,
        report("a1", "kharkiv", "Reuters", at),
        report("a2", "kharkiv", "Kyiv Post", at + 1, text="a1"),  # a copy: a new outlet, not a new report
        report("a3", "kharkiv", "BBC", at + 2),
        report("b1", "odesa", "AP", at + 3),
        report("b2", "odesa", "AFP", at + 4),
        report("b3", "odesa", "AP", at + 5),  # an outlet it had already: a report, not an outlet
        report("c1", "sumy", "dpa", at + 6),
    )
    assert ranking(book) == [
        ("Strike on kharkiv", 3, 2, 0),
        ("Strike on odesa", 2, 3, 0),
        ("Strike on sumy", 1, 1, 0),
    ]


def test_equal_stories_rank_the_older_story_first() -> None:
    book = StoryBook(bucket_bits=12)
    fill(book, report("late", "sumy", "AP", NOW - 60), report("early", "odesa", "AP", NOW - 30))
    assert [g.headline for g in book.fastest_growing(NOW, HOUR, 10)] == ["Strike on sumy", "Strike on odesa"]


def test_the_window_leaves_out_its_start_and_keeps_its_end() -> None:
    book = StoryBook(bucket_bits=12)
    fill(
        book,
        report("on-start", "odesa", "AP", NOW - HOUR),
        report("after-start", "odesa", "AFP", NOW - HOUR + 1),
        report("at-now", "odesa", "BBC", NOW),
    )
    assert ranking(book) == [("Strike on odesa", 2, 2, 1)]


def test_what_arrives_after_now_is_not_counted_yet() -> None:
    book = StoryBook(bucket_bits=12)
    fill(book, report("soon", "odesa", "AP", NOW - 10), report("later", "odesa", "AFP", NOW + 5))
    assert ranking(book) == [("Strike on odesa", 1, 1, 0)]
    assert ranking(book, now=NOW + 5) == [("Strike on odesa", 2, 2, 0)]


def test_growth_is_reports_of_the_window_against_the_window_before() -> None:
    book = StoryBook(bucket_bits=12)
    before = [report(f"b{i}", "odesa", f"outlet-{i}", NOW - HOUR - 60 * (i + 1)) for i in range(2)]
    recent = [report(f"r{i}", "odesa", f"outlet-{i + 2}", NOW - 60 * (i + 1)) for i in range(6)]
    fill(book, *reversed(before), *reversed(recent))
    [grown] = book.fastest_growing(NOW, HOUR, 10)
    assert (grown.new_reports, grown.reports_before, grown.growth) == (6, 2, 3.0)
    assert (grown.outlets, grown.reports) == (8, 8)


def test_a_new_story_grows_by_its_reports_counted_against_one() -> None:
    book = StoryBook(bucket_bits=12)
    fill(book, report("x1", "odesa", "AP", NOW - 60), report("x2", "odesa", "AFP", NOW - 30))
    [grown] = book.fastest_growing(NOW, HOUR, 10)
    assert (grown.reports_before, grown.growth) == (0, 2.0)


def test_a_story_that_gained_nothing_in_the_window_is_not_listed() -> None:
    book = StoryBook(bucket_bits=12)
    fill(
        book,
        report("old", "odesa", "AP", NOW - 2 * HOUR),
        report("copy", "odesa", "AP", NOW - 60, text="old"),  # touched now, but by a copy of a known outlet
    )
    assert ranking(book) == []


def test_growth_reports_the_story_s_headline_clipped_first_seen_and_topic() -> None:
    book = StoryBook(bucket_bits=12)
    title = "Drones strike the port of Odesa " * 6
    fill(book, report("x1", "odesa", "Reuters", NOW - 60, title=title))
    [grown] = book.fastest_growing(NOW, HOUR, 10)
    assert len(grown.headline) <= 80
    assert grown.headline.endswith("…")
    assert (grown.first_seen, grown.first_source, grown.topic) == (NOW - 60, "Reuters", "russia_ukraine")


def test_at_most_limit_stories_are_listed() -> None:
    book = StoryBook(bucket_bits=12)
    fill(book, *(report(f"s{i}", f"town{i}", "AP", NOW - i) for i in range(25)))
    assert len(book.fastest_growing(NOW, HOUR, 10)) == 10
    assert book.fastest_growing(NOW, HOUR, 0) == []


@pytest.mark.parametrize("window", [0.0, -1.0, KEPT / 2 + 1])
def test_a_window_the_arrivals_cannot_answer_is_refused(window: float) -> None:
    with pytest.raises(ValueError, match="growth window"):
        StoryBook(bucket_bits=12).fastest_growing(NOW, window, 10)


def test_stories_untouched_since_the_window_began_are_not_read() -> None:
    book = StoryBook(bucket_bits=12)
    fill(book, *(report(f"s{i}", f"town{i}", "AP", NOW - 3 * HOUR + i) for i in range(50)))
    fill(book, report("fresh", "odesa", "AP", NOW - 60))
    read = []

    def newest_first() -> Iterator[Story]:
        for story in reversed(book.stories.values()):
            read.append(story.id)
            yield story

    assert len(fastest_growing(newest_first(), NOW, HOUR, 10)) == 1
    assert len(read) == 2  # the fresh story, and the first one older than the window


def test_a_story_keeps_arrivals_for_two_windows_and_at_most_max_arrivals() -> None:
    book = StoryBook(bucket_bits=12)
    fill(book, report("first", "odesa", "outlet-first", NOW - KEPT - 10))
    fill(book, *(report(f"r{i}", "odesa", f"outlet-{i}", NOW - 1000 + i * 0.5) for i in range(1200)))
    [story] = book.stories.values()
    assert len(story.arrivals.outlets) == len(story.arrivals.reports) == MAX_ARRIVALS
    assert min(story.arrivals.reports) > NOW - KEPT


def test_a_restored_book_ranks_as_the_one_written_out() -> None:
    book = StoryBook(bucket_bits=12)
    fill(
        book,
        report("a1", "kharkiv", "Reuters", NOW - HOUR - 600),
        report("a2", "kharkiv", "BBC", NOW - 600),
        report("b1", "odesa", "AP", NOW - 300),
        report("b2", "odesa", "AFP", NOW - 200, text="b1"),
    )
    restored = StoryBook.restore(book.records(), bucket_bits=12)
    assert restored.fastest_growing(NOW, HOUR, 10) == book.fastest_growing(NOW, HOUR, 10)
    assert ranking(restored) == [("Strike on odesa", 2, 1, 0), ("Strike on kharkiv", 1, 1, 1)]


def test_a_story_written_out_without_arrivals_restores_with_none() -> None:
    book = StoryBook(bucket_bits=12)
    fill(book, report("a1", "kharkiv", "Reuters", NOW - 60))
    records = [{k: v for k, v in r.items() if k != "arrivals"} for r in book.records()]
    assert ranking(StoryBook.restore(records, bucket_bits=12)) == []


def test_reports_are_counted_as_the_story_rule_counts_them() -> None:
    """The panel and a `kind: story` rule agree on a story's reports in a window and the window before,
    and on growth: the rule's `growth: 3` fires when the panel shows a growth of 3."""
    book = StoryBook(bucket_bits=12)
    copied = {1: "a0", 2: "a0", 4: "a3", 5: "a3"}  # two reports with two copies each, then six reports
    articles = [
        report(f"a{i}", "odesa", f"outlet-{i % 5}", NOW - 2 * HOUR + 600 * i, text=copied.get(i))
        for i in range(12)
    ]
    activity = None
    for features in articles:
        assigned = book.add(features, features.published)
        ref = story_ref(assigned, book.stories[assigned.story_id], features)
        at = datetime.fromtimestamp(features.published, UTC)
        activity = activity or StoryActivity(ref, at)
        activity.add(ref, at, features.source, None, set())
    assert activity is not None
    rule = StoryRule(id="r", kind="story", within=timedelta(hours=1), growth=3)
    counts = activity.growth(rule.within)
    [grown] = book.fastest_growing(articles[-1].published, HOUR, 10)
    assert (grown.new_reports, grown.reports_before) == (counts.reports, counts.reports_before) == (6, 2)
    assert grown.growth == 3.0
    assert counts.verdict(rule, "1h") is not None
