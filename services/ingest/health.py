"""Feed health: what the last polls of each feed did, kept in a compacted topic keyed by feed id.

The record is pure data, updated by a pure function; the service publishes it after every poll, any replica
that takes the feed over (or the same one, restarted) continues from it, schedule and ETag/Last-Modified
included, and `newsmon feeds status` reads it back as a table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas.feed import FeedHealth

__all__ = ["SUCCESS_OUTCOMES", "FeedHealth", "PollReport", "record_poll"]


SUCCESS_OUTCOMES = frozenset({"ok", "not_modified"})


@dataclass(frozen=True)
class PollReport:
    """What one poll found out, as the service hands it to `record_poll`."""

    feed_id: str
    url: str
    instance: str
    at: datetime
    outcome: str
    status: int | None = None
    error: str | None = None
    items: int | None = None
    new_articles: int = 0
    interval_seconds: float = 0.0
    next_poll_at: datetime | None = None
    etag: str | None = None  # the validators the next poll will send
    last_modified: str | None = None


def record_poll(previous: FeedHealth | None, report: PollReport) -> FeedHealth:
    """The feed's health after `report`; failures accumulate until the next success."""
    ok = report.outcome in SUCCESS_OUTCOMES
    base = previous or FeedHealth(
        feed_id=report.feed_id,
        url=report.url,
        instance=report.instance,
        last_poll_at=report.at,
        last_outcome="",
    )
    return base.model_copy(
        update={
            "url": report.url,
            "instance": report.instance,
            "last_poll_at": report.at,
            "last_outcome": report.outcome,
            "last_status": report.status,
            "last_success_at": report.at if ok else base.last_success_at,
            "last_error": base.last_error if ok else (report.error or report.outcome),
            "last_error_at": base.last_error_at if ok else report.at,
            "consecutive_failures": 0 if ok else base.consecutive_failures + 1,
            "items_seen": report.items if report.items is not None else base.items_seen,
            "new_articles": base.new_articles + report.new_articles,
            "interval_seconds": report.interval_seconds,
            "next_poll_at": report.next_poll_at,
            "etag": report.etag,
            "last_modified": report.last_modified,
        }
    )
