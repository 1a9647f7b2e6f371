"""The story book: copies, stories, replays, expiry and snapshots, each rule on articles written for it."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from schemas.article import RawArticle
from services.classify.stories import ArticleFeatures, StoryBook, article_features, story_id_for
from services.classify.stories.book import HORIZON, MAX_LISTED
from services.classify.stories.copies import MAX_CANDIDATES, CopyIndex
from services.classify.stories.events import MAX_KEYS, _keep_top, story_keys
from services.classify.stories.sketch import sketch

NIGHT = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)

WIRE = (
    "KHARKIV, Ukraine, March 3 (Reuters) - Russian drones struck an apartment block in Kharkiv overnight, "
    "killing at least 12 people and wounding 40, Governor Oleh Syniehubov said on Tuesday.\n\n"
    "Rescuers were still searching the rubble of the nine-storey building in the city's Saltivskyi "
    "district, he said on Telegram. Ukraine's air force said Russia launched 85 drones and three missiles "
    "overnight, of which 60 drones were shot down over the Kharkiv, Sumy and Poltava regions.\n\n"
    "President Volodymyr Zelenskiy called again for more air defence systems from Western allies, saying "
    "the strikes on Kharkiv showed that Moscow was targeting civilians in their homes.\n\n"
    "(Reporting by Tom Balmforth; Editing by Alex Richardson)"
)
ODESA = (
    "ODESA, Ukraine, March 3 (Reuters) - Russian drones hit port infrastructure in Odesa overnight, "
    "injuring three workers and setting a grain warehouse on fire, regional governor Oleh Kiper said on "
    "Tuesday. Firefighters put out the blaze by morning, the emergency service said, and the port of "
    "Chornomorsk nearby kept working. Ukraine's air force said Russia launched 85 drones overnight."
)


def article(
    article_id: str, text: str, at: datetime, source: str = "Reuters", title: str = "Headline"
) -> ArticleFeatures:
    raw = RawArticle(
        id=article_id,
        feed_id="test",
        source=source,
        title=title,
        content=text,
        published_at=at,
        fetched_at=at,
    )
    return article_features(raw, ("russia_ukraine",), ("military_strike", "casualties"), ("RU", "UA"))


def add(book: StoryBook, features: ArticleFeatures) -> tuple[str, str | None]:
    assigned = book.add(features, features.published)
    return assigned.story_id, assigned.copy_of


def test_a_dropped_dateline_and_a_new_headline_are_still_a_copy() -> None:
    book = StoryBook(bucket_bits=12)
    story, _ = add(book, article("wire", WIRE, NIGHT))
    copy = WIRE.split(" - ", 1)[1]
    assert add(book, article("copy", copy, NIGHT + timedelta(minutes=30), "Kyiv Daily", "12 dead")) == (
        story,
        "wire",
    )


def test_a_trimmed_respelled_copy_without_the_credit_line_is_a_copy_of_the_earliest_article() -> None:
    book = StoryBook(bucket_bits=12)
    add(book, article("wire", WIRE, NIGHT))
    first = WIRE.replace("storey", "story").rsplit("\n\n", 2)[0]
    add(book, article("copy-1", first, NIGHT + timedelta(minutes=10), "Regional Post"))
    second = "\n\n".join(first.split("\n\n")[:2]) + "\n\nRead more: our live coverage of the war."
    assert add(book, article("copy-2", second, NIGHT + timedelta(minutes=20), "Aggregator"))[1] == "wire"


def test_an_independent_report_of_the_same_event_joins_its_story_but_is_no_copy() -> None:
    book = StoryBook(bucket_bits=12)
    story, _ = add(book, article("wire", WIRE, NIGHT))
    own = (
        "At least twelve people died when Russian drones hit a residential building in Kharkiv's "
        "Saltivskyi district, regional governor Oleh Syniehubov said. Forty were injured, 12 of them "
        "children, as emergency crews worked through the night. Mr Zelenskiy renewed his appeal for air "
        "defence."
    )
    assert add(book, article("bbc", own, NIGHT + timedelta(hours=2), "BBC")) == (story, None)
    assert book.stories[story].independent_reports == 2


def test_two_cities_struck_the_same_night_are_two_stories() -> None:
    book = StoryBook(bucket_bits=12)
    kharkiv, _ = add(book, article("kharkiv", WIRE, NIGHT))
    odesa, _ = add(book, article("odesa", ODESA, NIGHT + timedelta(minutes=20)))
    assert kharkiv != odesa


def test_the_same_city_struck_three_days_later_is_another_story() -> None:
    book = StoryBook(bucket_bits=12)
    first, _ = add(book, article("monday", WIRE, NIGHT))
    later = WIRE.replace("March 3", "March 6").replace("12 people", "five people").split(" - ", 1)[1]
    later = "Another attack. " + later.split("\n\n")[0][:140] + " Governor Oleh Syniehubov said."
    assert add(book, article("thursday", later, NIGHT + timedelta(days=3), "BBC"))[0] != first


def test_a_follow_up_the_next_morning_joins_the_story() -> None:
    book = StoryBook(bucket_bits=12)
    story, _ = add(book, article("wire", WIRE, NIGHT))
    update = (
        "KHARKIV, Ukraine, March 4 (AP) - The death toll from a Russian drone strike on an apartment block "
        "in Kharkiv's Saltivskyi district rose to 15 on Wednesday, Governor Oleh Syniehubov said, as "
        "rescuers pulled three more bodies from the rubble."
    )
    assert add(book, article("update", update, NIGHT + timedelta(hours=20), "AP")) == (story, None)


def test_a_replay_keeps_its_story_even_when_its_text_changed() -> None:
    book = StoryBook(bucket_bits=12)
    first = book.add(article("wire", WIRE, NIGHT), NIGHT.timestamp())
    add(book, article("odesa", ODESA, NIGHT))
    again = book.add(article("wire", ODESA, NIGHT), NIGHT.timestamp() + 60)
    assert (again.story_id, again.copy_of) == (first.story_id, first.copy_of)
    assert len(book) == 2


def test_story_ids_come_from_the_first_article_so_two_books_agree() -> None:
    books = [StoryBook(bucket_bits=12), StoryBook(bucket_bits=10)]
    answers = [
        [add(book, article(i, text, NIGHT)) for i, text in (("x1", WIRE), ("x2", ODESA))] for book in books
    ]
    assert answers[0] == answers[1]
    assert answers[0][0][0] == story_id_for("x1")


def test_state_expires_after_the_horizon() -> None:
    book = StoryBook(horizon=HORIZON, bucket_bits=12)
    add(book, article("wire", WIRE, NIGHT))
    book.expire((NIGHT + timedelta(hours=71)).timestamp())
    assert len(book) == 1
    assert len(book.stories) == 1
    later = NIGHT + timedelta(hours=73)
    story, copy_of = add(book, article("copy", WIRE, later))
    assert copy_of is None
    assert story == story_id_for("copy")
    assert list(book.stories) == [story]


def test_expired_entries_are_compacted_and_copies_still_found() -> None:
    book = StoryBook(horizon=600.0, bucket_bits=10)
    for n in range(3000):
        at = NIGHT + timedelta(seconds=10 * n)
        add(book, article(f"filler-{n}", f"Item {n} {n * 7919} {n * 104729} of a list", at, title=""))
    at = NIGHT + timedelta(seconds=30000)
    add(book, article("wire", WIRE, at))
    assert add(book, article("copy", WIRE, at + timedelta(minutes=1)))[1] == "wire"
    assert len(book) < 100


def test_a_snapshot_restores_a_book_that_decides_as_the_original() -> None:
    book = StoryBook(bucket_bits=12)
    add(book, article("wire", WIRE, NIGHT))
    add(book, article("odesa", ODESA, NIGHT + timedelta(minutes=5)))
    records = [json.loads(json.dumps(r)) for r in book.records()]
    restored = StoryBook.restore(records, bucket_bits=12)
    assert list(restored.records()) == records
    copy = WIRE.split(" - ", 1)[1]
    later = [article("copy", copy, NIGHT + timedelta(hours=1)), article("wire", ODESA, NIGHT)]
    assert [add(restored, a) for a in later] == [add(book, a) for a in later]


def test_a_snapshot_without_its_book_record_is_refused() -> None:
    book = StoryBook(bucket_bits=12)
    add(book, article("wire", WIRE, NIGHT))
    with pytest.raises(ValueError, match="book record"):
        StoryBook.restore(list(book.records())[1:])


def compacted(table: dict[str, dict[str, Any]], book: StoryBook) -> None:
    """Apply the book's changes as a compacted topic keeps them: the latest value per key."""
    for key, record in book.changes():
        if record is None:
            table.pop(key, None)
        else:
            table[key] = json.loads(json.dumps(record))


def test_changes_kept_as_a_compacted_topic_restore_the_same_book() -> None:
    book = StoryBook(horizon=3 * 3600.0, bucket_bits=12)
    table: dict[str, dict[str, Any]] = {}
    copy = WIRE.split(" - ", 1)[1]
    for n, (text, source) in enumerate([(WIRE, "Reuters"), (ODESA, "Reuters"), (copy, "Kyiv Daily")]):
        add(book, article(f"a{n}", text, NIGHT + timedelta(minutes=20 * n), source))
        compacted(table, book)
    restored = StoryBook.restore(reversed(list(table.values())), bucket_bits=12)
    assert list(restored.records()) == [json.loads(json.dumps(r)) for r in book.records()]
    later = article("a3", copy, NIGHT + timedelta(hours=2), "Lviv Post")
    assert add(restored, later) == add(book, later) == (story_id_for("a0"), "a0")


def test_expired_stories_and_articles_leave_the_compacted_state() -> None:
    book = StoryBook(horizon=3600.0, bucket_bits=12)
    table: dict[str, dict[str, Any]] = {}
    add(book, article("wire", WIRE, NIGHT))
    compacted(table, book)
    assert set(table) == {"book", f"story:{story_id_for('wire')}", "article:wire"}
    add(book, article("odesa", ODESA, NIGHT + timedelta(hours=2)))
    compacted(table, book)
    assert set(table) == {"book", f"story:{story_id_for('odesa')}", "article:odesa"}


def test_a_story_counts_every_report_beyond_the_outlets_it_lists() -> None:
    book = StoryBook(bucket_bits=12)
    first = book.add(article("wire", WIRE, NIGHT), NIGHT.timestamp())
    story = book.stories[first.story_id]
    for n in range(MAX_LISTED + 5):
        story.count(f"outlet-{n}", f"report-{n}")
    assert (story.articles, len(story.outlets), len(story.copy_groups)) == (
        MAX_LISTED + 6,
        MAX_LISTED,
        MAX_LISTED,
    )


def test_a_flood_of_one_text_is_one_copy_group_and_each_lookup_is_bounded() -> None:
    book = StoryBook(bucket_bits=12)
    for n in range(300):
        assigned = book.add(article(f"flood-{n}", WIRE, NIGHT + timedelta(seconds=n)), NIGHT.timestamp() + n)
        assert assigned.copy_of == (None if n == 0 else "flood-0")
    index = CopyIndex[str](bucket_bits=12)
    for n in range(300):
        index.add(sketch(WIRE), f"flood-{n}", float(n))
    assert len(index.matches(sketch(WIRE))) <= MAX_CANDIDATES


def headline(article_id: str, title: str, at: datetime, source: str) -> ArticleFeatures:
    raw = RawArticle(
        id=article_id, feed_id="test", source=source, title=title, published_at=at, fetched_at=at
    )
    return article_features(raw, (), (), ())


def test_headlines_alone_of_one_event_join_by_their_rare_words_but_like_events_stay_apart() -> None:
    book = StoryBook()
    first = add(book, headline("a", "WWE Elimination Chamber predictions", NIGHT, "Wrestling Inc"))
    results = headline(
        "b", "Results of Punk vs. Balor at WWE Elimination Chamber", NIGHT + timedelta(hours=2), "Fightful"
    )
    other = headline("c", "Chamber of commerce elects a new chair", NIGHT + timedelta(hours=3), "Local paper")
    assert add(book, results)[0] == first[0]
    assert add(book, other)[0] != first[0]  # one shared word is no event


def test_a_story_record_from_before_headline_words_restores() -> None:
    book = StoryBook()
    add(book, article("a", WIRE, NIGHT))
    records = [dict(r) for r in book.records()]
    for record in records:
        if record["kind"] == "story":
            del record["facts"]["words"]
    restored = StoryBook.restore(records)
    assert (
        add(restored, article("b", WIRE.replace("12 people", "13 people"), NIGHT))[0]
        == add(book, article("b", WIRE.replace("12 people", "13 people"), NIGHT))[0]
    )


def test_facts_keep_the_most_reported_values_earliest_first_as_a_sort_would() -> None:
    """`_keep_top` cuts by a count threshold; what it keeps must be what sorting by (count descending,
    arrival) and keeping the first `MAX_KEYS` keeps, and what it reports dropped must be the rest."""
    rng = random.Random(3)
    for _ in range(500):
        counts = {f"k{n}": rng.randint(1, 4) for n in range(rng.randint(MAX_KEYS + 1, MAX_KEYS + 30))}
        order = list(counts)
        expected = sorted(order, key=lambda key: (-counts[key], order.index(key)))[:MAX_KEYS]
        kept = dict(counts)
        dropped = _keep_top(kept)
        assert list(kept) == [key for key in order if key in expected]
        assert sorted(dropped) == sorted(set(order) - set(expected))


def test_a_story_is_found_by_exactly_the_places_names_and_words_its_facts_still_hold() -> None:
    book = StoryBook()
    for n in range(60):  # copies of one wire story, each naming a town of its own: more than a story keeps;
        # from the 40th on, each names its town twice and pushes out a town named once
        places = (f"Town{n}",) * (1 if n < 40 else 2)
        features = replace(article(f"a{n}", WIRE, NIGHT), places=places, entities=(f"Name{n}",))
        book.add(features, NIGHT.timestamp())
    assert len(book.stories) == 1
    assert "p:Town39" not in book._by_key  # the latest of the towns named once went first
    assert "p:Town59" in book._by_key
    indexed = {key for key, stories in book._by_key.items() if stories}
    assert indexed == {key for story in book.stories.values() for key in story_keys(story.facts)}
