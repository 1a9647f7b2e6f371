"""A receiver's `digest:` block: one message per period with the period's situations, besides the
immediate messages or (`immediate: false`) instead of them.

Periods are anchored at a local time of day in an IANA time zone, so "every 1d at 07:00 Europe/Berlin" is
07:00 on the Berlin clock in summer and in winter (the schedule maths: digest_schedule.py). Only periods
that tile a day or a week are accepted: a period of 5h or 36h would drift across the day and could not be
anchored at `at`.
"""

from __future__ import annotations

import re
from datetime import time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.common import Duration, Severity

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DAY_DIVISORS = (1, 2, 3, 4, 6, 8, 12)
"""Hours that tile a day: every period of such a length starts at the same local times each day."""
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")


class DigestOptions(BaseModel):
    """When a receiver's digest goes out, and what it takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    every: Duration = Field(default=DAY, description="1h, 2h, 3h, 4h, 6h, 8h, 12h, 1d or 1w")
    at: str = Field(
        default="07:00",
        description='Local time a period ends and its digest is sent ("07:00", 24-hour; "07:00:30" too)',
    )
    timezone: str = Field(default="UTC", description="IANA time zone of `at`, e.g. Europe/Berlin")
    day: Weekday | None = Field(default=None, description="Weekday of a weekly digest (default monday)")
    min_severity: Severity = Field(default=Severity.LOW, description="Leave out alerts below this")
    immediate: bool = Field(
        default=True, description="Also send immediate messages; false: this receiver gets only the digest"
    )
    max_per_topic: int = Field(
        default=10, ge=1, le=50, description="Situations listed per topic; the rest are counted"
    )

    @field_validator("at", mode="before")
    @classmethod
    def _time_of_day(cls, value: object) -> object:
        if not isinstance(value, str) or not _TIME.match(value.strip()):
            raise ValueError('must be a time of day as "HH:MM" (24-hour, in quotes), e.g. "07:00"')
        return value.strip()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown time zone {value[:60]!r}: use an IANA name such as Europe/Berlin, "
                "America/New_York or UTC"
            ) from None
        return value

    @field_validator("every")
    @classmethod
    def _period(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0) or value % HOUR:
            raise ValueError("must be a whole number of hours: 1h, 2h, 3h, 4h, 6h, 8h, 12h, 1d or 1w")
        if value not in (DAY, WEEK) and value // HOUR not in DAY_DIVISORS:
            raise ValueError("must tile a day or a week: 1h, 2h, 3h, 4h, 6h, 8h, 12h, 1d or 1w")
        return value

    @model_validator(mode="after")
    def _day_only_weekly(self) -> DigestOptions:
        if self.day is not None and self.every != WEEK:
            raise ValueError("`day` is for weekly digests (every: 1w)")
        return self

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def time_of_day(self) -> time:
        hour, minute, *second = (int(p) for p in self.at.split(":"))
        return time(hour, minute, second[0] if second else 0)

    @property
    def weekday(self) -> int | None:
        """0 for Monday; None unless weekly."""
        return WEEKDAYS.index(self.day or "monday") if self.every == WEEK else None
