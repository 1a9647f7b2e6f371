"""The dead-letter base: a flood of unusable messages stops the consumer, and its log lines are limited."""

from __future__ import annotations

import pytest

from schemas import InvalidMessage, RawArticle
from streambase.deadletters import DeadLetterFlood, DeadLetterLimit, FloodGuard, LogLimiter
from streambase.records import RecordTooLarge, encode_within, record_size
from tests.unit.alert.factories import T0


def guard(consecutive: int = 5, ratio: float = 0.5, sample: int = 20) -> FloodGuard:
    limit = DeadLetterLimit(max_consecutive=consecutive, max_ratio=ratio, sample=sample)
    return FloodGuard(limit, "t.articles")


def test_unusable_messages_in_a_row_stop_the_consumer_with_what_to_check() -> None:
    flood = guard(consecutive=5)
    for _ in range(4):
        flood.invalid("schema")
    with pytest.raises(DeadLetterFlood, match=r"5 messages in a row from t.articles.*last reason: schema"):
        flood.invalid("schema")


def test_a_usable_message_between_them_resets_the_run() -> None:
    flood = guard(consecutive=3, ratio=1.0)
    for _ in range(50):
        flood.invalid("schema")
        flood.invalid("schema")
        flood.valid()


def test_a_large_share_of_unusable_messages_stops_the_consumer_even_when_interleaved() -> None:
    flood = guard(consecutive=100, ratio=0.5, sample=20)
    for _ in range(9):
        flood.valid()
        flood.invalid("invalid_json")
    flood.valid()
    with pytest.raises(DeadLetterFlood, match="10 of the last 20 messages"):
        flood.invalid("invalid_json")


def test_old_dead_letters_leave_the_share_as_the_sample_moves_on() -> None:
    flood = guard(consecutive=100, ratio=0.5, sample=20)
    for _ in range(9):
        flood.invalid("schema")
    for _ in range(200):
        flood.valid()
    for _ in range(9):
        flood.invalid("schema")


def test_log_lines_are_limited_per_reason_and_say_how_many_were_held_back() -> None:
    now = [0.0]
    limiter = LogLimiter(lambda: now[0], every=10)
    assert limiter.held_back("schema") == 0
    assert limiter.held_back("schema") is None
    assert limiter.held_back("schema") is None
    assert limiter.held_back("invalid_json") == 0, "another reason has its own line"
    now[0] = 10.5
    assert limiter.held_back("schema") == 2


def test_a_record_over_the_limit_is_refused_before_it_is_sent() -> None:
    article = RawArticle(
        id="a1", feed_id="f", source="S", title="t", content="x" * 5000, published_at=T0, fetched_at=T0
    )
    value = encode_within(article, b"a1", 10_000, "article a1")
    assert record_size(b"a1", value) <= 10_000
    with pytest.raises(RecordTooLarge) as refused:
        encode_within(article, b"a1", 4_000, "article a1")
    assert isinstance(refused.value, InvalidMessage)
    assert refused.value.reason == "too_large"
    assert "article a1 is 5,2" in refused.value.detail
