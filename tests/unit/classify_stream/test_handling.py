"""What the stream does with one message: classify, skip a repeat, or dead-letter with a reason."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta, timezone

from faust.serializers import codecs
from kafka.partitioner.default import murmur2

from schemas import ClassifiedArticle, Evidence, Polarity, RawArticle, Severity, SignalHit, decode, encode
from services.classify.handling import (
    Classified,
    Duplicate,
    Rejected,
    classified_json,
    expired_seen,
    handle,
    seen_entry,
    stage_json,
    table_json,
)
from services.classify.produce import partition_for
from streambase.deadletters import dead_letter

NOW = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)


class TaggingClassifier:
    """Tags every article with one topic; raises on a title that asks for it."""

    version = "test-1"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def classify(self, article: RawArticle, now: datetime) -> ClassifiedArticle:
        self.seen.append(article.id)
        if article.title == "explode":
            raise RuntimeError("engine bug")
        return ClassifiedArticle(
            article=article,
            topics=("iran_israel",),
            escalation_score=0.25,
            classifier_version=self.version,
            classified_at=now,
        )


def raw(title: str = "Headline", article_id: str = "a-1") -> RawArticle:
    return RawArticle(
        id=article_id, feed_id="wire", source="Wire", title=title, published_at=NOW, fetched_at=NOW
    )


def test_a_valid_article_is_classified_with_its_trend_contributions() -> None:
    classifier = TaggingClassifier()
    outcome = handle(encode(raw()), lambda _id: False, classifier, NOW)
    assert isinstance(outcome, Classified)
    assert outcome.article.classified_at == NOW
    assert [c.topic for c in outcome.contributions] == ["iran_israel"]


def test_an_article_already_classified_is_skipped_without_running_the_engine() -> None:
    classifier = TaggingClassifier()
    outcome = handle(encode(raw()), lambda article_id: article_id == "a-1", classifier, NOW)
    assert outcome == Duplicate("a-1")
    assert classifier.seen == []


def test_undecodable_messages_are_rejected_with_the_codec_reason() -> None:
    classifier = TaggingClassifier()
    reasons = [
        handle(value, lambda _id: False, classifier, NOW)
        for value in (None, b"{oops", b'{"id": "x"}', b'{"schema_version": 9, "id": "x"}')
    ]
    assert all(isinstance(r, Rejected) for r in reasons)
    assert [r.error.reason for r in reasons if isinstance(r, Rejected)] == [
        "empty",
        "invalid_json",
        "schema",
        "unsupported_schema_version",
    ]


def test_an_engine_failure_on_one_article_becomes_a_dead_letter_not_a_crash() -> None:
    outcome = handle(encode(raw("explode")), lambda _id: False, TaggingClassifier(), NOW)
    assert isinstance(outcome, Rejected)
    assert outcome.error.reason == "classify_error"
    assert "engine bug" in outcome.error.detail
    assert isinstance(outcome.cause, RuntimeError), "kept for the log line with its traceback"


def test_a_dead_letter_names_where_the_message_came_from_and_keeps_a_readable_payload() -> None:
    rejected = handle(b"\xff{bad", lambda _id: False, TaggingClassifier(), NOW)
    assert isinstance(rejected, Rejected)
    letter = dead_letter(
        "classify", rejected.error, "newsmon.articles.raw", 2, 41, b"k\xff", b"\xff{bad", NOW
    )
    assert (letter.service, letter.topic, letter.partition, letter.offset) == (
        "classify",
        "newsmon.articles.raw",
        2,
        41,
    )
    assert letter.key == "k\ufffd"
    assert letter.payload == "\ufffd{bad"
    assert letter.reason == "invalid_json"


def test_keys_land_on_the_partition_every_other_newsmon_producer_picks() -> None:
    rng = random.Random(5)
    keys = [f"article-{n:05d}".encode() for n in range(200)]
    keys += [rng.randbytes(16).hex().encode() for _ in range(200)]  # ingest's article ids
    keys += [rng.randbytes(rng.randrange(0, 40)) for _ in range(400)]  # every length and byte
    for key in keys:
        for count in (1, 6, 7):
            assert partition_for(key, list(range(count))) == (murmur2(key) & 0x7FFFFFFF) % count, key


def classified(article: RawArticle) -> ClassifiedArticle:
    evidence = Evidence(text="shelled", sentence='They "shelled" the town.\n', start=5, end=12)
    hit = SignalHit(
        id="military_strike",
        label="Strike",
        polarity=Polarity.ESCALATORY,
        severity=Severity.HIGH,
        weight=1.5,
        evidence=(evidence,),
    )
    return ClassifiedArticle(
        article=article,
        topics=("iran_israel",),
        signals=(hit,),
        actors=("IL",),
        escalation_score=0.6,
        classifier_version="rules-1",
        classified_at=NOW,
    )


def test_the_classified_message_built_around_the_raw_json_is_the_one_encode_writes() -> None:
    article = raw('Ünïcode "quotes" and\nlines').model_copy(update={"tags": ("world",), "url": "https://x/1"})
    message = classified(article)
    assert classified_json(message, encode(article)) == encode(message)
    assert classified_json(message.model_copy(update={"signals": ()}), encode(article)) == encode(
        message.model_copy(update={"signals": ()})
    )


def test_a_raw_article_written_another_way_keeps_its_bytes_and_decodes_to_the_same_message() -> None:
    article = raw().model_copy(
        update={"published_at": datetime(2025, 6, 17, 14, 0, tzinfo=timezone(timedelta(hours=2)))}
    )
    written = b' { "title" : "Headline", "id":"a-1", "feed_id":"wire", "source":"Wire",\n'
    written += b' "published_at":"2025-06-17T14:00:00+02:00", "fetched_at":"2025-06-17T12:00:00Z" }\n'
    assert decode(RawArticle, written) == article
    message = classified(article)
    spliced = classified_json(message, written)
    assert written.strip() in spliced
    assert decode(ClassifiedArticle, spliced) == message


def test_table_entries_are_written_as_fausts_json_codec_writes_them() -> None:
    for value in ("a-1", "5f2b7c0d9a8e4b1c", seen_entry(NOW, 3), [0, 0], {"k": [1, 2.5]}):
        assert table_json(value) == codecs.dumps("json", value)


def test_story_records_are_json_fausts_codec_reads_back_unchanged_in_any_script() -> None:
    value = {"headline": "القصف على حلب", "clock": float("-inf"), "seq": 3, "touched": 1700000029.99}
    assert codecs.loads("json", stage_json(value)) == value
    assert "حلب".encode() in stage_json(value)


def test_only_ids_recorded_before_the_retention_cutoff_are_forgotten_with_their_partition() -> None:
    entries = [
        ("old", seen_entry(NOW - timedelta(days=9), 4)),
        ("recent", seen_entry(NOW - timedelta(days=1), 2)),
        ("unreadable", 12345),
    ]
    assert expired_seen(entries, NOW - timedelta(days=8)) == [("old", 4)]
