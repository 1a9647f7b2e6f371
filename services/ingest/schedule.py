"""When to poll each feed next: adaptive intervals from the publishing rate, backoff with jitter on failure.

Pure and clock-free: callers pass the current monotonic time and a random source, so every rule here tests
instantly and deterministically.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

RATE_WINDOW = timedelta(days=7)
"""Only entries published this recently tell us how often a feed publishes now."""
POLLS_PER_ENTRY = 2.0
"""Poll about twice per expected new entry, so a new story waits on average a quarter of the gap."""
BACKOFF_BASE = timedelta(minutes=1)


@dataclass(frozen=True)
class Limits:
    """The operator's bounds, from the `ingest:` section of the config."""

    default: timedelta
    minimum: timedelta
    maximum: timedelta
    max_backoff: timedelta

    def clamp(self, interval: timedelta) -> timedelta:
        return max(self.minimum, min(self.maximum, interval))


@dataclass(frozen=True)
class FeedSchedule:
    """One feed's timing state. `due` is a monotonic timestamp in seconds."""

    interval: timedelta
    due: float = 0.0
    failures: int = 0
    fixed: bool = False


def initial(limits: Limits, fixed: timedelta | None, now: float) -> FeedSchedule:
    """A new feed is polled at once; a fixed interval from the config is never adapted."""
    if fixed is not None:
        return FeedSchedule(fixed, now, fixed=True)
    return FeedSchedule(limits.default, now)


def adaptive_interval(dates: Sequence[datetime], now: datetime, limits: Limits) -> timedelta | None:
    """Interval from the publishing rate over the last week; None when the dates say nothing."""
    recent = sorted(d for d in dates if now - RATE_WINDOW <= d <= now)
    if len(recent) < 2:
        return limits.maximum if dates else None
    span = max(now - recent[0], timedelta(minutes=1))
    gap = span / len(recent)
    return limits.clamp(gap / POLLS_PER_ENTRY)


def after_success(
    state: FeedSchedule, limits: Limits, now: float, interval: timedelta | None = None
) -> FeedSchedule:
    """Reset the failure count and schedule the next poll one (possibly newly adapted) interval ahead."""
    if not state.fixed and interval is not None:
        state = replace(state, interval=interval)
    return replace(state, failures=0, due=now + state.interval.total_seconds())


def backoff(failures: int, limits: Limits, rng: random.Random) -> timedelta:
    """Exponential backoff with equal jitter: half the delay fixed, half random, so feeds spread out."""
    ceiling = min(limits.max_backoff, BACKOFF_BASE * 2 ** min(failures - 1, 30))
    half: timedelta = ceiling / 2
    return half + half * rng.random()


def after_failure(
    state: FeedSchedule,
    limits: Limits,
    now: float,
    rng: random.Random,
    retry_after: timedelta | None = None,
) -> FeedSchedule:
    """Wait longer after each failure in a row, never less than the normal interval; a server's Retry-After
    is honoured up to max_backoff."""
    failures = state.failures + 1
    delay = max(backoff(failures, limits, rng), state.interval)
    if retry_after is not None:
        delay = max(delay, min(retry_after, limits.max_backoff))
    return replace(state, failures=failures, due=now + delay.total_seconds())
