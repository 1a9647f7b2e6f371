"""Hopping trend windows: bucket arithmetic, aggregates, the escalation index and when windows are emitted."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest

from schemas import ClassifiedArticle, Evidence, Polarity, RawArticle, Severity, SignalHit
from services.classify.trends import (
    Added,
    TopicTrend,
    TrendBatch,
    TrendContribution,
    TrendTracker,
    WindowSpec,
    batched,
    contributions,
)

T0 = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)
HOUR = WindowSpec(size=timedelta(hours=1), step=timedelta(minutes=5))
_fresh = itertools.count(1_000_000)


def item(
    at: datetime,
    source: str = "Wire",
    score: float = 0.5,
    signals: tuple[str, ...] = (),
    n: int | None = None,
) -> TrendContribution:
    """A contribution of article `a-{n}`; of an article of its own when `n` is not given."""
    return TrendContribution(
        article_id=f"a-{next(_fresh) if n is None else n}",
        topic="iran_israel",
        at=at,
        source=source,
        signals=signals,
        escalation_score=score,
    )


def test_a_window_size_that_is_not_a_whole_number_of_steps_is_refused() -> None:
    with pytest.raises(ValueError, match="whole number of steps"):
        WindowSpec(size=timedelta(minutes=7), step=timedelta(minutes=5))
    with pytest.raises(ValueError, match="positive"):
        WindowSpec(size=timedelta(minutes=5), step=timedelta(0))


def test_buckets_align_on_step_boundaries_and_a_window_spans_size_over_step_buckets() -> None:
    assert HOUR.bucket_start(T0 + timedelta(minutes=7, seconds=59)) == T0 + timedelta(minutes=5)
    assert HOUR.current_end(T0 + timedelta(minutes=7)) == T0 + timedelta(minutes=10)
    buckets = HOUR.window_buckets(T0 + timedelta(hours=1))
    assert len(buckets) == 12
    assert buckets[0] == T0
    assert buckets[-1] == T0 + timedelta(minutes=55)


def test_a_window_aggregates_counts_signals_sources_and_scores() -> None:
    trend = TopicTrend("iran_israel")
    now = T0 + timedelta(minutes=30)
    trend.add(HOUR, item(T0 + timedelta(minutes=1), "Wire", 0.2, ("military_strike",)), now)
    trend.add(HOUR, item(T0 + timedelta(minutes=12), "Wire", 0.8, ("military_strike", "casualties")), now)
    trend.add(HOUR, item(T0 + timedelta(minutes=29), "Daily", 0.5, ("ceasefire_call",)), now)
    window = trend.window(HOUR, T0 + timedelta(hours=1), now)
    assert window is not None
    assert (window.window_start, window.window_end) == (T0, T0 + timedelta(hours=1))
    assert window.article_count == 3
    assert window.signal_counts == {"casualties": 1, "ceasefire_call": 1, "military_strike": 2}
    assert window.distinct_sources == 2
    assert window.escalation_mean == pytest.approx(0.5)
    assert window.escalation_max == pytest.approx(0.8)


def test_the_escalation_index_counts_each_source_once_at_its_highest_score() -> None:
    repeated = TopicTrend("iran_israel")
    corroborated = TopicTrend("iran_israel")
    now = T0 + timedelta(minutes=30)
    for n in range(5):
        repeated.add(HOUR, item(T0, "Wire", 0.9, n=n), now)
        corroborated.add(HOUR, item(T0, f"Outlet {n}", 0.9, n=n), now)
    end = T0 + timedelta(hours=1)
    assert repeated.window(HOUR, end, now).escalation_index == pytest.approx(0.9)  # type: ignore[union-attr]
    assert corroborated.window(HOUR, end, now).escalation_index == pytest.approx(4.5)  # type: ignore[union-attr]


def test_an_article_counts_in_every_hopping_window_that_contains_it_and_no_other() -> None:
    trend = TopicTrend("iran_israel")
    at = T0 + timedelta(minutes=2)
    trend.add(HOUR, item(at), at)
    holding = [T0 + timedelta(minutes=5 * k) for k in range(1, 13)]
    assert all(trend.window(HOUR, end, at) is not None for end in holding)
    assert trend.window(HOUR, T0, at) is None
    assert trend.window(HOUR, T0 + timedelta(minutes=65), at) is None


def test_an_article_too_late_for_every_open_window_is_refused_and_changes_nothing() -> None:
    spec = WindowSpec(size=timedelta(hours=1), step=timedelta(minutes=5), grace=timedelta(minutes=2))
    trend = TopicTrend("iran_israel")
    now = T0 + timedelta(hours=1, minutes=3)
    assert trend.add(spec, item(T0 + timedelta(minutes=1)), now) is Added.LATE
    assert trend.buckets == {}
    assert trend.add(spec, item(T0 + timedelta(minutes=1)), now - timedelta(minutes=2)) is Added.COUNTED


def test_a_future_dated_article_counts_now_rather_than_in_a_future_window() -> None:
    trend = TopicTrend("iran_israel")
    now = T0 + timedelta(minutes=1)
    trend.add(HOUR, item(T0 + timedelta(days=2)), now)
    assert list(trend.buckets) == [T0]


def test_old_buckets_expire_once_no_window_reads_them() -> None:
    trend = TopicTrend("iran_israel")
    trend.add(HOUR, item(T0), T0)
    trend.expire(HOUR, T0 + timedelta(hours=1, minutes=4))
    assert T0 in trend.buckets
    trend.expire(HOUR, T0 + timedelta(hours=1, minutes=5))
    assert trend.buckets == {}


def test_state_survives_a_round_trip_through_a_plain_dict() -> None:
    trend = TopicTrend("iran_israel")
    trend.add(HOUR, item(T0, "Wire", 0.7, ("nuclear",)), T0)
    trend.add(HOUR, item(T0 + timedelta(minutes=6), "Daily", 0.1), T0 + timedelta(minutes=6))
    again = TopicTrend.from_state("iran_israel", trend.to_state())
    end = T0 + timedelta(hours=1)
    assert again.window(HOUR, end, T0) == trend.window(HOUR, end, T0)
    assert TopicTrend.from_state("x", None).buckets == {}


def test_the_tracker_emits_the_current_window_of_updated_topics_and_each_closed_window_once() -> None:
    spec = WindowSpec(size=timedelta(minutes=10), step=timedelta(minutes=5), grace=timedelta(seconds=30))
    start = T0 + timedelta(minutes=1)
    tracker = TrendTracker(spec, start)
    trend = TopicTrend("iran_israel")
    trend.add(spec, item(start), start)
    tracker.touched(["iran_israel"])

    first = list(tracker.emit([trend], start))
    assert [(w.window_end, final) for w, final in first] == [(T0 + timedelta(minutes=5), False)]
    assert list(tracker.emit([trend], start + timedelta(seconds=10))) == [], "nothing new, nothing sent"

    later = T0 + timedelta(minutes=5, seconds=30)
    closed = list(tracker.emit([trend], later))
    assert [(w.window_end, final) for w, final in closed] == [(T0 + timedelta(minutes=5), True)]

    quiet = T0 + timedelta(minutes=20)
    ends = [(w.window_end, final) for w, final in tracker.emit([trend], quiet)]
    assert ends == [(T0 + timedelta(minutes=10), True)], "windows without articles are not emitted"


def test_a_restarted_tracker_emits_the_window_that_closed_just_before_it_started() -> None:
    tracker = TrendTracker(HOUR, T0 + timedelta(minutes=1))
    trend = TopicTrend("iran_israel")
    trend.add(HOUR, item(T0 - timedelta(minutes=3)), T0)
    windows = list(tracker.emit([trend], T0 + timedelta(minutes=1)))
    assert [(w.window_end, final) for w, final in windows] == [(T0, True)]


def _classified(topics: tuple[str, ...], published: datetime, fetched: datetime) -> ClassifiedArticle:
    raw = RawArticle(
        id="a-1", feed_id="wire", source="Wire", title="t", published_at=published, fetched_at=fetched
    )
    hit = SignalHit(
        id="nuclear",
        polarity=Polarity.ESCALATORY,
        severity=Severity.HIGH,
        weight=1.0,
        evidence=(Evidence(text="x", sentence="x", start=0, end=1),),
    )
    return ClassifiedArticle(
        article=raw,
        topics=topics,
        signals=(hit, hit),
        escalation_score=0.4,
        classifier_version="test",
        classified_at=fetched,
    )


def test_a_classified_article_contributes_once_per_topic_at_its_earliest_time() -> None:
    article = _classified(("iran_israel", "israel_gaza"), T0 + timedelta(hours=3), T0)
    made = contributions(article)
    assert [c.topic for c in made] == ["iran_israel", "israel_gaza"]
    assert all(c.at == T0 and c.signals == ("nuclear",) for c in made)
    assert contributions(_classified((), T0, T0)) == []


def test_a_contribution_read_again_after_a_crash_is_not_counted_twice() -> None:
    trend = TopicTrend("iran_israel")
    trend.add(HOUR, item(T0, "Wire", 0.7), T0, offset=41)
    restored = TopicTrend.from_state("iran_israel", trend.to_state())
    assert restored.counted(41)
    assert restored.counted(40)
    assert not restored.counted(42)
    restored.add(HOUR, item(T0, "Daily", 0.2, n=1), T0, offset=42)
    assert restored.counted(42)
    window = restored.window(HOUR, T0 + timedelta(minutes=5), T0)
    assert window is not None
    assert window.article_count == 2


def test_a_state_saved_before_offsets_were_kept_counts_every_record() -> None:
    trend = TopicTrend("iran_israel")
    trend.add(HOUR, item(T0), T0)
    legacy = {"buckets": trend.to_state()["buckets"]}
    assert not TopicTrend.from_state("iran_israel", legacy).counted(0)


def test_the_same_article_sent_twice_at_different_offsets_counts_once_in_its_windows() -> None:
    trend = TopicTrend("iran_israel")
    now = T0 + timedelta(minutes=3)
    assert trend.add(HOUR, item(T0, "Wire", 0.9, ("nuclear",), n=7), now, offset=10) is Added.COUNTED
    assert trend.add(HOUR, item(T0, "Wire", 0.9, ("nuclear",), n=7), now, offset=25) is Added.REPEAT
    assert trend.counted(25), "the repeat's offset is passed all the same"
    for end in (T0 + timedelta(minutes=5), T0 + timedelta(hours=1)):
        window = trend.window(HOUR, end, now)
        assert window is not None
        assert (window.article_count, window.signal_counts) == (1, {"nuclear": 1})
        assert window.escalation_mean == pytest.approx(0.9)


def test_two_different_articles_count_twice() -> None:
    trend = TopicTrend("iran_israel")
    now = T0 + timedelta(minutes=3)
    assert trend.add(HOUR, item(T0, "Wire", n=1), now, offset=10) is Added.COUNTED
    assert trend.add(HOUR, item(T0, "Wire", n=2), now, offset=11) is Added.COUNTED
    window = trend.window(HOUR, T0 + timedelta(minutes=5), now)
    assert window is not None
    assert window.article_count == 2


def test_an_article_classified_again_after_a_restart_counts_once() -> None:
    trend = TopicTrend("iran_israel")
    trend.add(HOUR, item(T0, n=7), T0, offset=41)
    restored = TopicTrend.from_state("iran_israel", trend.to_state())
    later = T0 + timedelta(minutes=2)
    assert restored.add(HOUR, item(T0, n=7), later, offset=90) is Added.REPEAT
    assert restored.add(HOUR, item(T0, n=8), later, offset=91) is Added.COUNTED
    assert restored.window(HOUR, T0 + timedelta(minutes=5), later).article_count == 2  # type: ignore[union-attr]


def test_a_future_dated_article_read_again_later_counts_once_though_it_lands_in_another_bucket() -> None:
    trend = TopicTrend("iran_israel")
    future = T0 + timedelta(days=1)
    assert trend.add(HOUR, item(future, n=3), T0) is Added.COUNTED
    assert trend.add(HOUR, item(future, n=3), T0 + timedelta(minutes=12)) is Added.REPEAT
    assert sum(bucket.articles for bucket in trend.buckets.values()) == 1


def test_expiry_drops_the_ids_with_their_buckets() -> None:
    trend = TopicTrend("iran_israel")
    trend.add(HOUR, item(T0, n=1), T0)
    assert trend.holds("a-1")
    trend.expire(HOUR, T0 + timedelta(hours=1, minutes=5))
    assert trend.buckets == {}
    assert not trend.holds("a-1")
    assert trend.to_state()["buckets"] == {}


def test_ids_are_kept_only_for_the_buckets_still_open_however_long_the_stream_runs() -> None:
    trend = TopicTrend("iran_israel")
    kept: list[int] = []
    for minute in range(6 * 60):  # six hours, one article a minute
        now = T0 + timedelta(minutes=minute)
        trend.add(HOUR, item(now), now)
        trend.expire(HOUR, now)
        kept.append(sum(len(bucket.ids) for bucket in trend.buckets.values()))
    # a bucket is kept until a step after its last window closed: 1 h + 5 min of buckets, and the current one
    assert max(kept) <= 70
    assert kept[-1] == kept[-61], "steady: as many ids an hour later"


def test_a_state_saved_before_ids_were_kept_is_read_and_its_buckets_count_on() -> None:
    legacy = {
        "buckets": {
            str(int(T0.timestamp())): {
                "articles": 2,
                "signal_counts": {"nuclear": 1},
                "source_max": {"Wire": 0.4},
                "score_sum": 0.6,
                "score_max": 0.4,
            }
        },
        "counted_through": 12,
    }
    trend = TopicTrend.from_state("iran_israel", legacy)
    assert trend.counted(12)
    assert trend.add(HOUR, item(T0, "Daily", 0.2, n=5), T0, offset=13) is Added.COUNTED
    assert trend.add(HOUR, item(T0, "Daily", 0.2, n=5), T0, offset=14) is Added.REPEAT
    window = trend.window(HOUR, T0 + timedelta(minutes=5), T0)
    assert window is not None
    assert (window.article_count, window.distinct_sources) == (3, 2)


def test_the_changelog_state_grows_by_about_eleven_bytes_per_article() -> None:
    def state_bytes(articles: int) -> int:
        trend = TopicTrend("iran_israel")
        for n in range(articles):
            trend.add(HOUR, item(T0, f"Outlet {n % 20}", 0.5, ("military_strike",), n=n), T0)
        return len(json.dumps(trend.to_state(), separators=(",", ":")))

    per_article = (state_bytes(3_000) - state_bytes(1_000)) / 2_000
    assert 10 <= per_article <= 11, per_article


def test_past_the_id_limit_articles_still_count_without_their_ids() -> None:
    trend = TopicTrend("iran_israel", max_ids=2)
    for n in range(4):
        assert trend.add(HOUR, item(T0, n=n), T0) is Added.COUNTED
    assert sum(len(bucket.ids) for bucket in trend.buckets.values()) == 2
    assert trend.add(HOUR, item(T0, n=0), T0) is Added.REPEAT, "the ids kept still catch their repeats"
    assert trend.window(HOUR, T0 + timedelta(minutes=5), T0).article_count == 4  # type: ignore[union-attr]


def test_a_batch_of_articles_sends_one_record_per_topic_in_arrival_order() -> None:
    first, second, third = item(T0, n=1), item(T0, n=2), item(T0, n=3)
    other = first.model_copy(update={"topic": "russia_ukraine"})
    batches = batched([first, other, second, third])
    assert [(b.topic, [c.article_id for c in b.contributions]) for b in batches] == [
        ("iran_israel", ["a-1", "a-2", "a-3"]),
        ("russia_ukraine", ["a-1"]),
    ]


def test_a_topic_with_more_contributions_than_a_record_holds_is_split() -> None:
    batches = batched([item(T0, n=n) for n in range(5)], limit=2)
    assert [len(b.contributions) for b in batches] == [2, 2, 1]


def test_a_trend_batch_round_trips_and_refuses_a_contribution_to_another_topic() -> None:
    [batch] = batched([item(T0, n=1), item(T0, n=2)])
    assert TrendBatch.model_validate_json(batch.model_dump_json()) == batch
    stray = item(T0, n=3).model_copy(update={"topic": "russia_ukraine"})
    with pytest.raises(ValueError, match="must be to that topic"):
        TrendBatch(topic="iran_israel", contributions=(item(T0, n=1), stray))
