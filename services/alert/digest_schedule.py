"""Digest periods: which period an instant falls in, on the local clock of the digest's time zone.

Boundaries are local times (`at`, and `at` plus multiples of `every` within the day), turned into UTC one
local day at a time, so a digest "at 07:00 Europe/Berlin" is at 07:00 Berlin time on both sides of a
daylight-saving change: the period across a change is an hour shorter or longer, never shifted. A local
time the clocks skip (02:30 on the spring change) falls an hour later; one they pass twice counts once,
the first time. Pure: instants are passed in.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from services.alert.digest_config import DAY, WEEK, DigestOptions

DUE_AFTER = timedelta(seconds=5)
"""A digest is built this long after its period ends: an alert fired just before the end by another
replica has been written to the alerts topic by then."""
_SEARCH_DAYS = 2
_SEARCH_DAYS_WEEKLY = 9
"""Local days searched either side of an instant: enough to find the boundaries on both sides of it."""


@dataclass(frozen=True, order=True)
class Period:
    """[start, end), both UTC."""

    start: datetime
    end: datetime

    def __contains__(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _times_of_day(options: DigestOptions) -> list[timedelta]:
    """Offsets from local midnight at which periods start."""
    at = options.time_of_day
    first = timedelta(hours=at.hour, minutes=at.minute, seconds=at.second)
    if options.every in (DAY, WEEK):
        return [first]
    count = DAY // options.every
    return sorted((first + k * options.every) % DAY for k in range(count))


def boundaries(options: DigestOptions, around: datetime) -> list[datetime]:
    """Period starts (UTC, sorted, each once) within a few local days of `around`."""
    zone = options.zone
    day = around.astimezone(zone).date()
    found: set[datetime] = set()
    days = _SEARCH_DAYS if options.weekday is None else _SEARCH_DAYS_WEEKLY
    for shift in range(-days, days + 1):
        date = day + timedelta(days=shift)
        if options.weekday is not None and date.weekday() != options.weekday:
            continue
        for offset in _times_of_day(options):
            seconds = int(offset.total_seconds())
            clock = time(seconds // 3600, seconds % 3600 // 60, seconds % 60)
            local = datetime.combine(date, clock, tzinfo=zone)  # fold 0: the first of two, or an hour on
            found.add(local.astimezone(UTC))
    return sorted(found)


def period_containing(options: DigestOptions, moment: datetime) -> Period:
    starts = boundaries(options, moment)
    index = bisect_right(starts, moment) - 1
    return Period(starts[index], starts[index + 1])


def previous(options: DigestOptions, period: Period) -> Period:
    return period_containing(options, period.start - timedelta(microseconds=1))


def following(options: DigestOptions, period: Period) -> Period:
    return period_containing(options, period.end)


def last_complete(options: DigestOptions, now: datetime) -> Period:
    """The latest period whose digest is due at `now` (it ended at least `DUE_AFTER` ago)."""
    return previous(options, period_containing(options, now - DUE_AFTER))


def periods_from(options: DigestOptions, start: datetime, before: Period, most: int = 10_000) -> int:
    """How many periods start at or after `start` and before `before` starts."""
    count = 0
    period = period_containing(options, start)
    if period.start < start:
        period = following(options, period)
    while period.start < before.start and count < most:
        count += 1
        period = following(options, period)
    return count


def local_span(options: DigestOptions, period: Period) -> str:
    """ "17 Jun 07:00 – 18 Jun 07:00 CEST" on the digest's local clock."""
    zone = options.zone
    start, end = period.start.astimezone(zone), period.end.astimezone(zone)
    if start.tzname() == end.tzname():
        return f"{start:%d %b %H:%M} – {end:%d %b %H:%M} {end.tzname()}"
    return f"{start:%d %b %H:%M} {start.tzname()} – {end:%d %b %H:%M} {end.tzname()}"
