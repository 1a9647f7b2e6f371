"""The labelled story set (tests/fixtures/stories) holds together: a grouping engine judged on it is judged on
labels that are consistent, not on typos in the data (see the README there for the labelling rules)."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

STORIES_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "stories"
FILES = ("dev", "unseen")
FIELDS = {"id", "source", "url", "published_at", "title", "text", "story", "copy_of", "agency"}

# How each agency's name appears in a text that names it as its source.
AGENCY_NAMES = {
    "reuters": r"\bReuters\b",
    "ap": r"\(AP\)|\bAssociated Press\b",
    "afp": r"\bAFP\b",
    "dpa": r"\bdpa\b",
    "anadolu": r"\bAnadolu\b",
    "xinhua": r"\bXinhua\b",
    "ani": r"\bANI\b",
    "pti": r"\bPTI\b",
    "yonhap": r"\bYonhap\b",
    "kyodo": r"\bKyodo\b",
    "efe": r"\bEFE\b",
    "ansa": r"\bANSA\b",
    "interfax": r"\bInterfax\b",
    "tass": r"\bTASS\b",
}

Article = dict[str, Any]


def _load(name: str) -> list[Article]:
    lines = (STORIES_DIR / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def sets() -> dict[str, list[Article]]:
    return {name: _load(name) for name in FILES}


@pytest.fixture(scope="module")
def articles(sets: dict[str, list[Article]]) -> list[Article]:
    return [a for name in FILES for a in sets[name]]


@pytest.fixture(scope="module")
def by_id(articles: list[Article]) -> dict[str, Article]:
    return {a["id"]: a for a in articles}


def _when(article: Article) -> datetime:
    return datetime.strptime(article["published_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _copies_of(articles: list[Article]) -> Counter[str]:
    return Counter(a["copy_of"] for a in articles if a["copy_of"] is not None)


def test_every_line_is_an_article_with_exactly_the_labelled_fields(articles: list[Article]) -> None:
    for a in articles:
        assert set(a) == FIELDS, a.get("id")
        for key in ("id", "source", "url", "title", "text", "story"):
            assert isinstance(a[key], str), (a["id"], key)
            assert a[key].strip(), (a["id"], key)
        assert a["url"].startswith("https://"), a["id"]
        _when(a)


def test_texts_are_full_wire_style_articles_of_80_to_400_words(articles: list[Article]) -> None:
    for a in articles:
        assert 80 <= len(a["text"].split()) <= 400, a["id"]
        assert "\n\n" in a["text"], f"{a['id']} is not in paragraphs"


def test_ids_are_unique_across_both_files(articles: list[Article]) -> None:
    ids = [a["id"] for a in articles]
    assert len(ids) == len(set(ids))


def test_ids_and_line_order_do_not_reveal_the_story(sets: dict[str, list[Article]]) -> None:
    for rows in sets.values():
        assert all(r["story"] not in r["id"] for r in rows)
        neighbours = sum(a["story"] == b["story"] for a, b in pairwise(rows))
        assert neighbours < len(rows) / 4, "lines look grouped by story"


def test_every_story_lies_in_exactly_one_file(sets: dict[str, list[Article]]) -> None:
    dev, unseen = ({a["story"] for a in sets[name]} for name in FILES)
    assert not dev & unseen


def test_copy_of_names_an_earlier_article_of_the_same_story(
    articles: list[Article], by_id: dict[str, Article]
) -> None:
    for a in articles:
        if a["copy_of"] is None:
            continue
        original = by_id[a["copy_of"]]
        assert original["story"] == a["story"], a["id"]
        assert _when(original) <= _when(a), a["id"]


def test_copy_of_names_the_original_itself_not_another_copy(
    articles: list[Article], by_id: dict[str, Article]
) -> None:
    for a in articles:
        if a["copy_of"] is not None:
            assert by_id[a["copy_of"]]["copy_of"] is None, a["id"]


def test_agency_is_a_known_id_and_is_named_in_the_text_exactly_when_set(articles: list[Article]) -> None:
    for a in articles:
        named = {agency for agency, pattern in AGENCY_NAMES.items() if re.search(pattern, a["text"])}
        assert a["agency"] is None or a["agency"] in AGENCY_NAMES, a["id"]
        assert named == ({a["agency"]} if a["agency"] else set()), a["id"]


def test_each_story_has_a_wire_original_a_few_copies_and_at_most_six_own_reports(
    articles: list[Article],
) -> None:
    copies = _copies_of(articles)
    stories: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        stories[a["story"]].append(a)
    for story, rows in stories.items():
        own = [a for a in rows if a["copy_of"] is None]
        # one wire original, up to four independent reports and a later update
        assert 1 <= len(own) <= 6, story
        assert any(a["agency"] for a in own), f"{story} has no wire original"
        assert all(copies[a["id"]] <= 8 for a in own), story


def test_the_set_is_as_large_as_promised(sets: dict[str, list[Article]], articles: list[Article]) -> None:
    per_file = {name: len({a["story"] for a in rows}) for name, rows in sets.items()}
    assert sum(per_file.values()) >= 48
    assert min(per_file.values()) >= 24
    assert len(articles) >= 260
    assert sum(a["copy_of"] is not None for a in articles) >= 100


def test_look_alike_pairs_are_distinct_stories_of_one_file(sets: dict[str, list[Article]]) -> None:
    lines = (STORIES_DIR / "lookalikes.jsonl").read_text(encoding="utf-8").splitlines()
    pairs = [json.loads(line) for line in lines if line.strip()]
    assert len(pairs) >= 12
    story_file = {a["story"]: name for name, rows in sets.items() for a in rows}
    for pair in pairs:
        first, second = pair["stories"]
        assert first != second
        assert story_file[first] == story_file[second], pair
        assert pair["differs"].strip()
