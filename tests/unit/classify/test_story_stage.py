"""The story stage's framed records and its stamping step, on articles written for them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import ClassifiedArticle, InvalidMessage, RawArticle, decode, encode
from services.classify.handling import classified_json
from services.classify.stories import StoryBook, features_of, story_id_for
from services.classify.stories.stage import HANDOFF_MAGIC, pack, stamp, unpack

NIGHT = datetime(2026, 3, 3, 2, 0, tzinfo=UTC)
WIRE = (
    "KHARKIV, Ukraine, March 3 (Reuters) - Russian drones struck an apartment block in Kharkiv overnight, "
    "killing at least 12 people and wounding 40, Governor Oleh Syniehubov said on Tuesday. Rescuers were "
    "still searching the rubble of the nine-storey building in the city's Saltivskyi district, he said."
)


def classified(article_id: str, text: str, source: str, minutes: int) -> ClassifiedArticle:
    at = NIGHT + timedelta(minutes=minutes)
    raw = RawArticle(
        id=article_id,
        feed_id="test",
        source=source,
        title=f"Headline {article_id}",
        content=text,
        published_at=at,
        fetched_at=at,
    )
    return ClassifiedArticle(
        article=raw,
        topics=("russia_ukraine",),
        escalation_score=0.5,
        classifier_version="test",
        classified_at=at,
    )


def handoff_pair(article: ClassifiedArticle) -> tuple[bytes, bytes]:
    return features_of(article).encode(), classified_json(article, encode(article.article))


def test_framed_records_stay_under_the_limit_and_read_back_in_order() -> None:
    articles = [classified(f"a{n}", WIRE, "Reuters", n) for n in range(10)]
    pairs = [handoff_pair(a) for a in articles]
    one = sum(len(f) + len(c) + 8 for f, c in pairs[:1]) + len(HANDOFF_MAGIC)
    records = pack(pairs, max_bytes=3 * one)
    assert len(records) == 4
    assert all(len(r) <= 3 * one for r in records)
    read = [h for r in records for h in unpack(r)]
    assert [h.features.id for h in read] == [f"a{n}" for n in range(10)]
    assert [h.classified_json for h in read] == [c for _, c in pairs]


@pytest.mark.parametrize(
    "value",
    [None, b"", b"{}", HANDOFF_MAGIC + b"\x00\x00\x00\x09{}", HANDOFF_MAGIC + b"\x00\x00\x00\x02{}"],
    ids=["tombstone", "empty", "json", "cut-off part", "missing article"],
)
def test_a_record_that_is_not_a_handoff_is_refused_with_a_reason(value: bytes | None) -> None:
    with pytest.raises(InvalidMessage) as refused:
        unpack(value)
    assert refused.value.reason == "invalid_handoff"


def test_an_article_without_an_empty_story_is_refused() -> None:
    features, article = handoff_pair(classified("a", WIRE, "Reuters", 0))
    tampered = article.replace(b'"story":null', b'"story":{}')
    with pytest.raises(InvalidMessage, match="empty story"):
        unpack(pack([(features, tampered)], 1 << 20)[0])


def test_stamped_articles_carry_their_story_and_a_copy_counts_as_its_original_report() -> None:
    book = StoryBook(bucket_bits=12)
    wire = classified("wire", WIRE, "Reuters", 0)
    copy = classified("copy", WIRE.split(" - ", 1)[1], "Kyiv Daily", 30)
    [first, second] = unpack(pack([handoff_pair(wire), handoff_pair(copy)], 1 << 20)[0])
    stamped = [stamp(book, first, NIGHT.timestamp()), stamp(book, second, NIGHT.timestamp() + 1800)]
    out = [decode(ClassifiedArticle, s.value) for s in stamped]
    assert [a.article.id for a in out] == ["wire", "copy"]
    assert out[0].article == wire.article
    assert out[0].story is not None
    assert out[1].story is not None
    assert (out[0].story.story_id, out[0].story.report_id, out[0].story.new_story) == (
        story_id_for("wire"),
        "wire",
        True,
    )
    assert (out[1].story.story_id, out[1].story.report_id, out[1].story.copy_of) == (
        story_id_for("wire"),
        "wire",
        "wire",
    )
    assert (out[1].story.independent_reports, out[1].story.outlets, out[1].story.articles) == (1, 2, 2)
    assert (out[0].story.agency, out[1].story.agency) == ("reuters", None)  # the copy lost its credit
    assert out[1].story.first_source == "Reuters"
