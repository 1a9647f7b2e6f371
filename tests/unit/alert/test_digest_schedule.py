"""Digest periods on the local clock of their time zone, daylight-saving changes both ways, and which
digest is due after downtime (only the last missed one, saying how many were missed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import DeliveryRecord
from services.alert.digest_config import DigestOptions
from services.alert.digest_planner import DigestPlanner, DueDigest
from services.alert.digest_schedule import (
    DUE_AFTER,
    Period,
    last_complete,
    local_span,
    period_containing,
    periods_from,
)
from services.alert.digests import digest_start_record

BERLIN_DAILY = DigestOptions(every=timedelta(days=1), at="07:00", timezone="Europe/Berlin")


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def berlin_hour(moment: datetime) -> tuple[int, int]:
    local = moment.astimezone(BERLIN_DAILY.zone)
    return local.hour, local.minute


def test_a_daily_digest_covers_the_day_up_to_at_on_the_local_clock() -> None:
    period = period_containing(BERLIN_DAILY, utc("2025-06-17T12:00"))
    assert period == Period(utc("2025-06-17T05:00"), utc("2025-06-18T05:00"))  # 07:00 CEST is 05:00 UTC
    assert local_span(BERLIN_DAILY, period) == "17 Jun 07:00 – 18 Jun 07:00 CEST"


def test_on_the_spring_change_the_digest_stays_at_07_00_local_and_the_day_is_23_hours() -> None:
    period = period_containing(BERLIN_DAILY, utc("2025-03-29T12:00"))  # clocks go forward on 30 March
    assert berlin_hour(period.start) == berlin_hour(period.end) == (7, 0)
    assert period.end - period.start == timedelta(hours=23)
    assert (period.start, period.end) == (utc("2025-03-29T06:00"), utc("2025-03-30T05:00"))


def test_on_the_autumn_change_the_digest_stays_at_07_00_local_and_the_day_is_25_hours() -> None:
    period = period_containing(BERLIN_DAILY, utc("2025-10-25T12:00"))  # clocks go back on 26 October
    assert berlin_hour(period.start) == berlin_hour(period.end) == (7, 0)
    assert period.end - period.start == timedelta(hours=25)
    following = period_containing(BERLIN_DAILY, period.end)
    assert following.end - following.start == timedelta(hours=24)


def test_a_time_the_clocks_skip_comes_an_hour_later_and_no_period_is_empty() -> None:
    hourly = DigestOptions(every=timedelta(hours=1), at="02:30", timezone="Europe/Berlin")
    starts = []
    moment = utc("2025-03-29T23:00")
    while moment < utc("2025-03-30T03:00"):
        period = period_containing(hourly, moment)
        assert period.end > period.start
        starts.append(period.start)
        moment = period.end
    assert [berlin_hour(s) for s in starts] == [(23, 30), (0, 30), (1, 30), (3, 30), (4, 30)]


def test_twelve_hourly_periods_start_at_at_and_twelve_hours_on() -> None:
    options = DigestOptions(every=timedelta(hours=12), at="07:00", timezone="UTC")
    assert period_containing(options, utc("2025-06-17T20:00")) == Period(
        utc("2025-06-17T19:00"), utc("2025-06-18T07:00")
    )
    assert period_containing(options, utc("2025-06-18T06:59")).start == utc("2025-06-17T19:00")


def test_a_weekly_digest_ends_on_its_day_at_its_time() -> None:
    weekly = DigestOptions(every=timedelta(weeks=1), at="07:00", timezone="Europe/Berlin", day="friday")
    period = period_containing(weekly, utc("2025-06-17T12:00"))  # a Tuesday
    assert period.start.astimezone(weekly.zone).strftime("%A %H:%M") == "Friday 07:00"
    assert period.end - period.start == timedelta(weeks=1)


def test_a_digest_is_due_only_once_its_period_has_ended() -> None:
    end = utc("2025-06-18T05:00")
    assert last_complete(BERLIN_DAILY, end + DUE_AFTER - timedelta(seconds=1)).end == end - timedelta(days=1)
    assert last_complete(BERLIN_DAILY, end + DUE_AFTER).end == end


def test_periods_are_counted_between_two_moments() -> None:
    latest = period_containing(BERLIN_DAILY, utc("2025-06-20T12:00"))
    assert periods_from(BERLIN_DAILY, utc("2025-06-17T05:00"), latest) == 3
    assert periods_from(BERLIN_DAILY, utc("2025-06-17T05:00:01"), latest) == 2


# -- which digest is due -----------------------------------------------------------------------------------

DESK = {"standards": BERLIN_DAILY}


def record(status: str, start: datetime, at: datetime) -> DeliveryRecord:
    return DeliveryRecord.model_validate(
        {
            "notification_id": f"standards:digest-{start:%Y%m%dT%H%M%SZ}",
            "alert_id": "digest",
            "receiver": "standards",
            "status": status,
            "attempts": 1,
            "updated_at": at,
            "kind": "digest",
            "period_start": start,
            "period_end": start + timedelta(days=1),
        }
    )


def owns_all(_key: str) -> bool:
    return True


def started(now: datetime) -> DigestPlanner:
    """A planner whose receiver's digests began with the period before the one due at `now`."""
    planner = DigestPlanner(DESK)
    first = period_containing(BERLIN_DAILY, utc("2025-06-01T12:00"))
    planner.record(digest_start_record("standards", first.start, now))
    return planner


def test_the_first_time_a_receiver_is_seen_its_digests_begin_with_the_next_period() -> None:
    planner = DigestPlanner(DESK)
    now = utc("2025-06-17T09:00")
    plan = planner.plan(now, owns_all)
    assert plan.due == []
    assert plan.starts == [("standards", utc("2025-06-17T05:00"))]
    planner.record(digest_start_record("standards", utc("2025-06-17T05:00"), now))
    assert planner.plan(now, owns_all).due == [], "the day before the digest was set up is not sent"
    due = planner.plan(utc("2025-06-18T05:00:05"), owns_all).due
    assert due == [DueDigest("standards", Period(utc("2025-06-17T05:00"), utc("2025-06-18T05:00")))]


def test_a_digest_with_a_final_record_is_not_sent_again() -> None:
    now = utc("2025-06-18T05:01")
    planner = started(now)
    planner.record(record("delivered", utc("2025-06-17T05:00"), now))
    assert planner.plan(now, owns_all).due == []


def test_a_digest_whose_last_record_is_an_attempt_is_sent_again_marked_as_a_possible_repeat() -> None:
    now = utc("2025-06-18T05:01")
    planner = started(now)
    planner.record(record("delivered", utc("2025-06-16T05:00"), now))
    planner.record(record("pending", utc("2025-06-17T05:00"), now))
    (due,) = planner.plan(now, owns_all).due
    assert (due.period.start, due.possible_repeat, due.missed) == (utc("2025-06-17T05:00"), True, 0)


def test_a_late_attempt_record_never_undoes_an_outcome() -> None:
    now = utc("2025-06-18T05:01")
    planner = started(now)
    planner.record(record("delivered", utc("2025-06-17T05:00"), now))
    planner.record(record("pending", utc("2025-06-17T05:00"), now))
    assert planner.plan(now, owns_all).due == []


def test_after_downtime_only_the_last_missed_digest_is_sent_saying_how_many_were_missed() -> None:
    now = utc("2025-06-20T09:00")  # down since before the 17th's digest was due
    planner = started(now)
    planner.record(record("delivered", utc("2025-06-16T05:00"), utc("2025-06-17T05:00")))
    (due,) = planner.plan(now, owns_all).due
    assert due.period == Period(utc("2025-06-19T05:00"), utc("2025-06-20T05:00"))
    assert due.missed == 2, "the digests of the 17th and 18th were missed; only the 19th's is sent"
    assert not due.possible_repeat


def test_a_digest_is_planned_once_and_only_by_the_replica_that_owns_its_receiver() -> None:
    now = utc("2025-06-18T05:01")
    planner = started(now)
    assert planner.plan(now, lambda key: key != "digest:standards").due == []
    (due,) = planner.plan(now, owns_all).due
    planner.taken(due)
    assert planner.plan(now, owns_all).due == []
    planner.let_go(lambda key: key == "digest:standards")
    assert planner.plan(now, owns_all).due == [due], "handed over and back: planned again"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("every", "90m", "whole number of hours"),
        ("every", "5h", "must tile a day or a week"),
        ("at", "7:00", 'time of day as "HH:MM"'),
        ("at", "24:00", 'time of day as "HH:MM"'),
        ("timezone", "Europe/Berln", "unknown time zone 'Europe/Berln'"),
    ],
)
def test_a_schedule_that_cannot_work_is_refused_saying_why(field: str, value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DigestOptions.model_validate({field: value})


def test_a_weekday_is_only_for_weekly_digests() -> None:
    with pytest.raises(ValueError, match="`day` is for weekly digests"):
        DigestOptions.model_validate({"every": "1d", "day": "monday"})
