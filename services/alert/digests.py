"""The digests' parts in one place for the notify stage: what they contain (the book, fed by the feed),
when they are due (the planner), and how one is made ready to send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from schemas import Acknowledgement, DeliveryRecord
from schemas.alert import DeliveryStatus
from schemas.bounds import MAX_TITLE
from services.alert.digest import Digest, digest_id
from services.alert.digest_book import DigestBook
from services.alert.digest_feed import DigestFeed
from services.alert.digest_planner import DigestPlanner, DueDigest
from services.alert.names import DisplayNames


@dataclass
class DigestDesk:
    book: DigestBook
    planner: DigestPlanner
    feed: DigestFeed | None
    names: DisplayNames
    acks: Callable[[str], Acknowledgement | None]

    def catch_up(self) -> None:
        """Everything produced so far is tallied: what fired before a period ended is in its digest."""
        if self.feed is not None:
            self.feed.catch_up()

    def compose(self, due: DueDigest) -> Digest:
        return self.book.compose(
            due.receiver, due.period, self.names, self.acks, due.missed, due.possible_repeat
        )


def digest_start_record(receiver: str, start: datetime, now: datetime) -> DeliveryRecord:
    """Written once per receiver: its digests begin with the period starting at `start`."""
    return DeliveryRecord(
        notification_id=f"{receiver}:digest-start",
        alert_id="digest-start",
        receiver=receiver,
        status="delivered",
        attempts=0,
        updated_at=now,
        kind="digest_start",
        period_start=start,
    )


def digest_record(
    digest: Digest, status: DeliveryStatus, attempts: int, error: str | None, at: datetime
) -> DeliveryRecord:
    """A digest's attempt or outcome, keyed by its id (receiver and period start)."""
    return DeliveryRecord(
        notification_id=digest_id(digest.receiver, digest.period.start),
        alert_id="digest",
        receiver=digest.receiver,
        status=status,
        attempts=attempts,
        last_error=error,
        updated_at=at,
        kind="digest",
        title=digest.title[:MAX_TITLE],
        period_start=digest.period.start,
        period_end=digest.period.end,
    )
