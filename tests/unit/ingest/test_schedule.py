from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from services.ingest.schedule import (
    FeedSchedule,
    Limits,
    adaptive_interval,
    after_failure,
    after_success,
    backoff,
    initial,
)

LIMITS = Limits(
    default=timedelta(minutes=5),
    minimum=timedelta(minutes=1),
    maximum=timedelta(minutes=30),
    max_backoff=timedelta(hours=6),
)
NOW = datetime(2025, 6, 17, 12, tzinfo=UTC)


def test_a_new_feed_is_polled_at_once_with_the_default_interval() -> None:
    state = initial(LIMITS, None, now=100.0)
    assert state.due == 100.0
    assert state.interval == LIMITS.default


def test_a_busy_feed_is_polled_often_but_never_below_the_minimum() -> None:
    dates = [NOW - timedelta(minutes=i) for i in range(60)]  # one entry a minute
    assert adaptive_interval(dates, NOW, LIMITS) == LIMITS.minimum


def test_a_feed_publishing_hourly_is_polled_about_every_half_hour_at_most() -> None:
    dates = [NOW - timedelta(hours=i) for i in range(1, 25)]
    interval = adaptive_interval(dates, NOW, LIMITS)
    assert interval == LIMITS.maximum  # 30 min gap/2 = 30 min, at the cap


def test_a_feed_publishing_every_ten_minutes_gets_a_five_minute_interval() -> None:
    dates = [NOW - timedelta(minutes=10 * i) for i in range(1, 31)]
    interval = adaptive_interval(dates, NOW, LIMITS)
    assert interval == timedelta(minutes=5)


def test_a_quiet_feed_is_polled_at_the_maximum() -> None:
    dates = [NOW - timedelta(days=30)]
    assert adaptive_interval(dates, NOW, LIMITS) == LIMITS.maximum


def test_undated_entries_leave_the_interval_alone() -> None:
    assert adaptive_interval([], NOW, LIMITS) is None


def test_success_resets_failures_and_applies_the_new_interval() -> None:
    state = FeedSchedule(timedelta(minutes=5), due=0, failures=3)
    after = after_success(state, LIMITS, now=1000.0, interval=timedelta(minutes=2))
    assert (after.failures, after.interval, after.due) == (0, timedelta(minutes=2), 1120.0)


def test_a_fixed_interval_is_never_adapted() -> None:
    state = initial(LIMITS, timedelta(minutes=15), now=0)
    after = after_success(state, LIMITS, now=0, interval=timedelta(minutes=1))
    assert after.interval == timedelta(minutes=15)


def test_backoff_grows_exponentially_with_jitter_up_to_the_cap() -> None:
    rng = random.Random(7)
    delays = [backoff(n, LIMITS, rng) for n in range(1, 16)]
    for n, delay in enumerate(delays, start=1):
        ceiling = min(LIMITS.max_backoff, timedelta(minutes=1) * 2 ** (n - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert delays[-1] >= LIMITS.max_backoff / 2


def test_jitter_spreads_feeds_that_failed_together() -> None:
    rng = random.Random(1)
    assert len({backoff(5, LIMITS, rng) for _ in range(20)}) > 10


def test_a_failing_feed_is_never_polled_more_often_than_a_healthy_one() -> None:
    state = FeedSchedule(timedelta(minutes=30), due=0)
    after = after_failure(state, LIMITS, now=0, rng=random.Random(0))
    assert after.due >= 30 * 60
    assert after.failures == 1


def test_retry_after_is_honoured_up_to_the_maximum_backoff() -> None:
    state = FeedSchedule(timedelta(minutes=5), due=0)
    honoured = after_failure(state, LIMITS, 0, random.Random(0), retry_after=timedelta(hours=2))
    assert honoured.due == 2 * 3600
    capped = after_failure(state, LIMITS, 0, random.Random(0), retry_after=timedelta(days=3))
    assert capped.due == LIMITS.max_backoff.total_seconds()
