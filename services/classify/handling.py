"""What happens to one message of the articles topic, decided without Faust or Kafka.

The stream adapter (`agents.py`) feeds each message here and then carries out the decision: produce the
classified article, skip a duplicate, or dead-letter what cannot be used.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import pydantic_core

from schemas import ClassifiedArticle, InvalidMessage, RawArticle, decode
from services.classify.trends import TrendContribution, contributions

log = logging.getLogger(__name__)


class ArticleClassifier(Protocol):
    """The pure engine as the stream sees it."""

    @property
    def version(self) -> str: ...

    @property
    def build(self) -> str:
        """Which engine applies the rules (`rust` or `python`), for the start-up log."""
        ...

    @property
    def languages(self) -> frozenset[str]:
        """Languages with rules: an article in another is counted as unsupported."""
        ...

    def classify(self, article: RawArticle, now: datetime) -> ClassifiedArticle: ...


@dataclass(frozen=True)
class Classified:
    article: ClassifiedArticle
    contributions: list[TrendContribution]
    raw_json: bytes
    """The message the article was decoded from: a valid `RawArticle` in JSON (see `classified_json`)."""


@dataclass(frozen=True)
class Duplicate:
    article_id: str


@dataclass(frozen=True)
class Rejected:
    error: InvalidMessage
    cause: BaseException | None = None
    """The engine's exception, for the (rate-limited) log line with its traceback."""


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
        failure = InvalidMessage("classify_error", f"article {raw.id}: {type(exc).__name__}: {exc}")
        return Rejected(failure, exc)
    assert value is not None  # decode rejects a tombstone
    return Classified(classified, contributions(classified), value)


_NOT_THE_ARTICLE = {"schema_version", "article"}


def classified_json(classified: ClassifiedArticle, raw_json: bytes) -> bytes:
    """`encode(classified)`, with the JSON the raw article was decoded from standing in for the article.

    The article is most of the message; serialising it again cost as much as everything else the
    classified message holds. `raw_json` validated as `classified.article`, so the result is valid
    JSON that decodes to the same `ClassifiedArticle`; the fields keep their order, and the article keeps
    the spacing and escapes its producer gave it (newsmon's own producers write exactly what
    `encode` writes).
    """
    rest = classified.model_dump_json(exclude=_NOT_THE_ARTICLE).encode()  # {"topics":...}
    return b'{"schema_version":%d,"article":%s,%s' % (classified.schema_version, raw_json.strip(), rest[1:])


def seen_entry(classified_at: datetime, partition: int) -> list[int]:
    """What the `seen` table keeps per article id: when it was classified and the partition it came from."""
    return [int(classified_at.timestamp()), partition]


def table_json(value: Any) -> bytes:
    """The bytes Faust's json codec writes for a plain JSON value (a table key or entry), at a tenth of
    the cost of going through its codec registry."""
    return _TABLE_JSON.encode(value).encode()


_TABLE_JSON = json.JSONEncoder(separators=(",", ":"))
"""`json.dumps` with these separators builds an encoder per call, which cost more than the encoding."""


def stage_json(value: Any) -> bytes:
    """A table entry only this stage writes and Faust only reads back (the story book's records): the
    JSON `table_json` writes, in UTF-8 rather than ASCII escapes, five times faster (pydantic-core's
    serializer). Keys stay with `table_json`: compaction compares their exact bytes."""
    return pydantic_core.to_json(value, inf_nan_mode="constants")


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
