"""Per-article features: agencies from their credit forms, places and figures, and a compact message."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.article import RawArticle
from services.classify.stories import ArticleFeatures, agency_of, article_features
from services.classify.stories.features import headline_words, numbers_in
from services.classify.stories.places import places_and_entities
from services.classify.stories.sketch import containment, similarity, sketch


@pytest.mark.parametrize(
    ("text", "agency"),
    [
        ("KYIV, March 3 (Reuters) - Russia fired drones.", "reuters"),
        ("Drones hit Kyiv.\n\n(Reporting by Tom Balmforth; Editing by Alex Richardson)", "reuters"),
        ("GAZA CITY (AP) — Israeli strikes hit the north.", "ap"),
        ("A strike. Associated Press writers Jane Doe in Kyiv contributed to this report.", "ap"),
        ("Missiles hit Kyiv overnight.\n\n— AFP", "afp"),
        ("BERLIN (dpa) - Germany pledged air defence.", "dpa"),
        ("The pledge was made on Monday.\ndpa ab", "dpa"),
        ("ANKARA (Anadolu) - Turkey offered to mediate.", "anadolu"),
        ("BEIJING, March 3 (Xinhua) -- China urged restraint.", "xinhua"),
        ("New Delhi [India], March 3 (ANI): The army said.", "ani"),
        ("Srinagar: Firing resumed.\n\n(With inputs from PTI)", "pti"),
        ("SEOUL, March 3 (Yonhap) -- North Korea fired a missile.", "yonhap"),
        ("TOKYO (Kyodo) -- Japan protested.", "kyodo"),
        ("MOSCOW, March 3. /TASS/. The ministry said.", "tass"),
        ("MOSCOW, March 3 (Interfax) - The ministry said.", "interfax"),
        ("Officials told Reuters that the strike hit a depot.", None),
        ("According to AFP, the talks stalled. Nothing else.", None),
        ("The school raised money for new books.", None),
    ],
)
def test_the_agency_is_read_from_its_credit_forms_not_mentions(text: str, agency: str | None) -> None:
    assert agency_of(text) == agency


def test_places_follow_locative_words_and_countries_are_not_places() -> None:
    places, entities = places_and_entities(
        "KHARKIV, Ukraine (Reuters) - Drones hit Kharkiv and a village near Tsyrkuny in Ukraine, "
        "Governor Oleh Syniehubov said. Russian-occupied Donetsk was quiet."
    )
    assert places[:2] == ("kharkiv", "tsyrkuny")
    assert "ukraine" not in places
    assert "oleh syniehubov" in " ".join(entities)
    assert "russian-occupied donetsk" not in places


def test_figures_leave_out_years_dates_and_times() -> None:
    assert numbers_in("On March 3, 2026 at 10:30, 12 people died and 1,200 fled; 40 drones flew.") == (
        "12",
        "1200",
        "40",
    )


def test_a_copy_contained_in_a_longer_text_is_recognised_by_containment() -> None:
    long = " ".join(f"Sentence {n} of the wire story says something about event {n * 31}." for n in range(40))
    short = long[: len(long) // 3]
    jaccard = similarity(sketch(long).signature, sketch(short).signature)
    assert jaccard < 0.6
    assert containment(jaccard, sketch(long).shingles, sketch(short).shingles) > 0.8


def _raw(title: str, content: str = "") -> RawArticle:
    at = datetime(2026, 3, 3, tzinfo=UTC)
    return RawArticle(
        id="a1", feed_id="f", source="Reuters", title=title, content=content, published_at=at, fetched_at=at
    )


def test_features_fit_a_kilobyte_and_survive_json() -> None:
    raw = _raw(
        "Russian drones kill 12 in Kharkiv apartment strike " * 5,
        "KHARKIV (Reuters) - Drones struck Kharkiv, killing 12, Governor Oleh Syniehubov said. " * 40,
    )
    features = article_features(raw, ("russia_ukraine",), ("military_strike", "casualties"), ("RU", "UA"))
    assert len(features.encode()) <= 1024
    assert ArticleFeatures.from_json(features.to_json()) == features


def test_headline_words_keep_names_and_drop_function_words_event_words_and_the_publisher() -> None:
    words = headline_words("Afghanistan Says Pakistan's Jets Struck Bagram Air Base - The New York Times")
    assert words == ("afghanistan", "pakistan", "jets", "bagram", "air", "base")
    assert headline_words("Shelling kills 8 in besieged town, officials say") == ("besieged",)


@pytest.mark.parametrize(("language", "worded"), [("en", True), ("und", True), ("fr", False)])
def test_headline_words_come_from_english_and_undetermined_headlines_only(
    language: str, worded: bool
) -> None:
    features = article_features(_raw("Bagram Air Base Targeted"), (), (), (), language=language)
    assert bool(features.words) is worded
