"""How fast stories grow: outlets that took a story up and independent reports it gained, per window.

Each story keeps when each outlet first carried it and when each independent report arrived (the book's
arrival clock, which never goes back, so both lists stay sorted), for `KEPT` seconds. A window of the
last hour then counts by bisection, and only stories touched within the window are looked at: the cost
follows the hour's traffic, not the horizon's.

Growth is the story rule's measure (`growth` in a `kind: story` rule): the independent reports of the
window against those of the window before, `reports / max(1, reports_before)`.
"""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemas.bounds import clip

if TYPE_CHECKING:
    from services.classify.stories.book import Story

KEPT = 2 * 3600.0
"""Seconds of arrivals a story keeps: a window of an hour and the hour before it."""
MAX_ARRIVALS = 1000
"""Arrivals of each kind a story keeps at most (the newest): a story record must fit a Kafka record, and
no story gains a thousand outlets or reports in two hours."""
HEADLINE = 80
"""Characters of a growing story's headline."""


@dataclass(slots=True)
class Arrivals:
    """When a story gained each outlet and each independent report (arrival times, oldest first)."""

    outlets: list[float] = field(default_factory=list)
    reports: list[float] = field(default_factory=list)

    def add(self, at: float, new_outlet: bool, new_report: bool, kept: float = KEPT) -> None:
        """Note an article arriving at `at` (never before the last one), and forget what is `kept` old."""
        for times, new in ((self.outlets, new_outlet), (self.reports, new_report)):
            if new:
                times.append(at)
            del times[: max(bisect_right(times, at - kept), len(times) - MAX_ARRIVALS)]

    def count(self, start: float, end: float) -> tuple[int, int]:
        """Outlets and reports gained after `start`, up to and including `end`."""
        return _between(self.outlets, start, end), _between(self.reports, start, end)

    def to_json(self) -> dict[str, Any]:
        return {"outlets": self.outlets, "reports": self.reports}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Arrivals:
        """Arrivals written out, or none for a story written by a release without them."""
        if not data:
            return cls()
        return cls([float(t) for t in data["outlets"]], [float(t) for t in data["reports"]])


def _between(times: list[float], start: float, end: float) -> int:
    return max(0, bisect_right(times, end) - bisect_right(times, start))


@dataclass(frozen=True, slots=True)
class Growing:
    """A story's growth in one window: what it gained, against the window before."""

    story_id: str
    headline: str
    topic: str | None
    """The topic its reports named most (the first named of equals), if any."""
    first_seen: float
    first_source: str
    new_outlets: int
    new_reports: int
    reports_before: int
    outlets: int
    reports: int

    @property
    def growth(self) -> float:
        return growth(self.new_reports, self.reports_before)


def growth(reports: int, reports_before: int) -> float:
    """Reports of a window against those of the window before (at least one): what a story rule's
    `growth` is compared with."""
    return reports / max(1, reports_before)


def fastest_growing(
    newest_first: Iterable[Story], now: float, window: float, limit: int, kept: float = KEPT
) -> list[Growing]:
    """The `limit` stories that gained the most outlets, then reports, then growth, in the `window`
    before `now` (the older story first of equals). `newest_first` gives the stories most recently
    touched first; reading stops at the first one untouched since the window began."""
    if window <= 0 or 2 * window > kept:
        raise ValueError(f"a growth window must be positive and at most {kept / 2:.0f} s, not {window}")
    start = now - window
    found: list[tuple[int, int, float, int, Story]] = []
    for story in newest_first:
        if story.touched <= start:
            break
        outlets, reports = story.arrivals.count(start, now)
        if outlets or reports:
            before = story.arrivals.count(start - window, start)[1]
            found.append((outlets, reports, growth(reports, before), -story.seq, story))
    top = heapq.nlargest(limit, found, key=lambda item: item[:4])
    return [_growing(story, start, now, window) for *_, story in top]


def _growing(story: Story, start: float, now: float, window: float) -> Growing:
    outlets, reports = story.arrivals.count(start, now)
    _, before = story.arrivals.count(start - window, start)
    topics = story.facts.topics
    return Growing(
        story_id=story.id,
        headline=clip(story.headline, HEADLINE),
        topic=max(topics, key=topics.__getitem__) if topics else None,
        first_seen=story.first_published,
        first_source=story.first_source,
        new_outlets=outlets,
        new_reports=reports,
        reports_before=before,
        outlets=len(story.outlets),
        reports=story.independent_reports,
    )
