"""What happens to one message of the articles topic, decided without Faust or Kafka.

The stream adapter (`agents.py`) feeds each message here and then carries out the decision: produce the
classified article, skip a duplicate, or dead-letter what cannot be used.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from schemas import ClassifiedArticle, DeadLetter, InvalidMessage, RawArticle, decode, payload_preview
from services.classify.trends import TrendContribution, contributions

log = logging.getLogger(__name__)

SERVICE = "classify"


class ArticleClassifier(Protocol):
    """The pure engine as the stream sees it."""

    @property
    def version(self) -> str: ...

    @property
    def build(self) -> str:
        """Which engine applies the rules (`rust` or `python`), for the start-up log."""
        ...

    def classify(self, article: RawArticle, now: datetime) -> ClassifiedArticle: ...


@dataclass(frozen=True)
class Classified:
    article: ClassifiedArticle
    contributions: list[TrendContribution]


@dataclass(frozen=True)
class Duplicate:
    article_id: str


@dataclass(frozen=True)
class Rejected:
    error: InvalidMessage


Outcome = Classified | Duplicate | Rejected


def handle(
    value: bytes | None,
    already_classified: Callable[[str], bool],
    classifier: ArticleClassifier,
    now: datetime,
) -> Outcome:
    """Decode, skip what was classified before, classify; any failure becomes a reason to dead-letter."""
    try:
        raw = decode(RawArticle, value)
    except InvalidMessage as exc:
        return Rejected(exc)
    if already_classified(raw.id):
        return Duplicate(raw.id)
    try:
        classified = classifier.classify(raw, now)
    except Exception as exc:  # one article that trips the engine must not stop the stream
        log.exception("the classifier failed on article %s", raw.id)
        return Rejected(InvalidMessage("classify_error", f"{type(exc).__name__}: {exc}"))
    return Classified(classified, contributions(classified))


def dead_letter(
    error: InvalidMessage,
    topic: str,
    partition: int,
    offset: int,
    key: bytes | None,
    value: bytes | None,
    now: datetime,
) -> DeadLetter:
    """The dead letter for a message, in the same shape every service writes."""
    return DeadLetter(
        service=SERVICE,
        topic=topic,
        partition=partition,
        offset=offset,
        key=key.decode("utf-8", errors="replace") if key is not None else None,
        reason=error.reason,
        error=error.detail,
        payload=payload_preview(value),
        failed_at=now,
    )


def seen_entry(classified_at: datetime, partition: int) -> list[int]:
    """What the `seen` table keeps per article id: when it was classified and the partition it came from."""
    return [int(classified_at.timestamp()), partition]


def expired_seen(entries: Iterable[tuple[str, Any]], cutoff: datetime) -> list[tuple[str, int]]:
    """(article id, partition) of entries recorded before `cutoff`: old enough that no repeat can still come.

    The articles topic keeps a week of data and ingest remembers what it produced, so an id older than the
    retention will not be seen again; dropping it keeps the table from growing without bound.
    """
    limit = cutoff.timestamp()
    expired: list[tuple[str, int]] = []
    for article_id, entry in entries:
        if isinstance(entry, list) and len(entry) == 2 and entry[0] < limit:
            expired.append((article_id, int(entry[1])))
    return expired
