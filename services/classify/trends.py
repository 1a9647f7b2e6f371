"""Hopping trend windows per conflict topic: pure arithmetic, the caller passes the time.

Time is cut into `step`-long buckets aligned on the Unix epoch; a window of `size` is the union of
`size / step` consecutive buckets. An article therefore updates exactly one bucket, and every window that
contains it is recomputed from at most `size / step` small buckets when it is emitted.

Event time of an article is `min(published_at, fetched_at)`: a feed that dates its items in the future cannot
push a topic's windows ahead. Windows are opened and closed by the service's clock, not by event time, so a
topic that goes quiet still has its windows closed on time.

When windows are emitted (see `TrendTracker`):
- provisionally, at most every `emit_interval`, the *current* window of each topic that received articles:
  the window that ends at the next step boundary, so it holds everything up to now;
- finally, once `grace` after a window's end, with the late articles that arrived during the grace period.
Both carry the same key (topic, window_start); the last message for a key is the window's value.

Each bucket keeps a short hash of every article id it counted, and an article already in one of the topic's
buckets is not counted again: a crash between producing an article's contributions and recording the
article as classified makes the stream classify it again and send its contributions a second time, at new
offsets. The hashes live and expire with their buckets, so memory stays bounded by the open windows.

Escalation index of a window: the sum, over the distinct sources that reported on the topic in the window, of
each source's highest escalation score there. 3.0 reads "as much as three outlets reporting full
escalation": one outlet repeating itself cannot raise it, broad corroboration of escalatory reporting does.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, Literal

from pydantic import Field, model_validator

from schemas import ClassifiedArticle, TrendWindow
from schemas.common import AwareDatetime, Identifier, Message

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ID_HASH_BYTES = 8
"""Bytes kept per article id: a collision (one article left uncounted) is unlikely below ~10^8 ids a topic."""
MAX_IDS = 20_000
"""Ids kept per topic at most (about 210 KB of changelog record): beyond it, articles still count, but a
repeat of theirs would count again. A topic's whole state is one record, which must fit a Kafka message."""


class TrendContribution(Message):
    """What one classified article adds to one topic's windows; sent keyed by topic between the agents."""

    schema_version: Literal[1] = 1
    article_id: Identifier
    topic: Identifier
    at: AwareDatetime = Field(description="Event time: min(published_at, fetched_at)")
    source: str
    signals: tuple[Identifier, ...] = ()
    escalation_score: float = Field(ge=0, le=1)


MAX_BATCHED = 1_000
"""Contributions per `TrendBatch` record at most: about 250 KB of JSON, well within a Kafka record."""


class TrendBatch(Message):
    """The contributions to one topic from one batch of articles: one record where there were as many as
    the batch had articles about the topic, so the trends agent reads, decodes and counts them at once."""

    schema_version: Literal[1] = 1
    topic: Identifier
    contributions: tuple[TrendContribution, ...] = Field(min_length=1, max_length=MAX_BATCHED)

    @model_validator(mode="after")
    def _one_topic(self) -> TrendBatch:
        if any(item.topic != self.topic for item in self.contributions):
            raise ValueError(f"every contribution of a batch for {self.topic!r} must be to that topic")
        return self


def batched(items: Iterable[TrendContribution], limit: int = MAX_BATCHED) -> list[TrendBatch]:
    """`items` grouped by topic, in their order, `limit` at most to a batch."""
    by_topic: dict[str, list[TrendContribution]] = {}
    for item in items:
        by_topic.setdefault(item.topic, []).append(item)
    return [
        TrendBatch.model_construct(topic=topic, contributions=tuple(group[start : start + limit]))
        for topic, group in by_topic.items()
        for start in range(0, len(group), limit)
    ]


def contributions(article: ClassifiedArticle) -> list[TrendContribution]:
    """One contribution per topic of the article; none for an article without a topic."""
    raw = article.article
    at = min(raw.published_at, raw.fetched_at)
    signals = tuple(sorted({s.id for s in article.signals}))
    return [
        TrendContribution(
            article_id=raw.id,
            topic=topic,
            at=at,
            source=raw.source,
            signals=signals,
            escalation_score=article.escalation_score,
        )
        for topic in article.topics
    ]


@dataclass(frozen=True)
class WindowSpec:
    """Window length, hop and allowed lateness; `size` must be a whole number of steps."""

    size: timedelta
    step: timedelta
    grace: timedelta = timedelta(0)

    def __post_init__(self) -> None:
        if self.step <= timedelta(0):
            raise ValueError("the window step must be positive")
        if self.size < self.step or self.size % self.step:
            raise ValueError("the window size must be a whole number of steps")
        if self.grace < timedelta(0):
            raise ValueError("the grace period cannot be negative")

    @property
    def buckets_per_window(self) -> int:
        return self.size // self.step

    def bucket_start(self, at: datetime) -> datetime:
        return EPOCH + ((at - EPOCH) // self.step) * self.step

    def current_end(self, now: datetime) -> datetime:
        """End of the newest window that holds `now`: the next step boundary."""
        return self.bucket_start(now) + self.step

    def window_buckets(self, end: datetime) -> list[datetime]:
        """Starts of the buckets that make up the window ending at `end`."""
        return [end - self.step * n for n in range(self.buckets_per_window, 0, -1)]

    def accepts(self, at: datetime, now: datetime) -> bool:
        """False when every window holding `at` has been closed already (the article is too late)."""
        return self.bucket_start(at) + self.size + self.grace > now

    def expired(self, bucket: datetime, now: datetime) -> bool:
        """A bucket no window will read any more: its last window closed at least a step ago."""
        return bucket + self.size + self.grace + self.step <= now


def _key(moment: datetime) -> str:
    return str(int((moment - EPOCH).total_seconds()))


def id_hash(article_id: str) -> bytes:
    """A short, stable stand-in for an article id (the same in every process, unlike `hash`)."""
    return hashlib.blake2b(article_id.encode(), digest_size=ID_HASH_BYTES).digest()


def _pack(ids: set[bytes]) -> str:
    """The hashes as one base64 string: about 11 bytes of JSON per article."""
    return base64.b64encode(b"".join(sorted(ids))).decode("ascii")


def _unpack(packed: str) -> set[bytes]:
    raw = base64.b64decode(packed)
    return {raw[i : i + ID_HASH_BYTES] for i in range(0, len(raw), ID_HASH_BYTES)}


class Added(Enum):
    """What `TopicTrend.add` did with a contribution."""

    COUNTED = "counted"
    LATE = "late"  # too late for every open window
    REPEAT = "repeat"  # the article is already counted in one of the topic's buckets


@dataclass
class Bucket:
    """Aggregates of one topic over one step, and the hashed ids of the articles counted in them."""

    articles: int = 0
    signal_counts: dict[str, int] = field(default_factory=dict)
    source_max: dict[str, float] = field(default_factory=dict)
    score_sum: float = 0.0
    score_max: float = 0.0
    ids: set[bytes] = field(default_factory=set)

    def add(self, item: TrendContribution, remember: bool = True) -> None:
        if remember:
            self.ids.add(id_hash(item.article_id))
        self.articles += 1
        for signal in item.signals:
            self.signal_counts[signal] = self.signal_counts.get(signal, 0) + 1
        score = item.escalation_score
        self.source_max[item.source] = max(score, self.source_max.get(item.source, 0.0))
        self.score_sum += score
        self.score_max = max(self.score_max, score)

    def merge(self, other: Bucket) -> None:
        """Add `other`'s aggregates (not its ids: a window sums buckets that never share an article)."""
        self.articles += other.articles
        for signal, count in other.signal_counts.items():
            self.signal_counts[signal] = self.signal_counts.get(signal, 0) + count
        for source, score in other.source_max.items():
            self.source_max[source] = max(score, self.source_max.get(source, 0.0))
        self.score_sum += other.score_sum
        self.score_max = max(self.score_max, other.score_max)

    def to_state(self) -> dict[str, Any]:
        return {
            "articles": self.articles,
            "signal_counts": dict(self.signal_counts),
            "source_max": dict(self.source_max),
            "score_sum": self.score_sum,
            "score_max": self.score_max,
            "ids": _pack(self.ids),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> Bucket:
        """A bucket saved before ids were kept has none: its articles are counted, their repeats too."""
        return cls(
            articles=int(state["articles"]),
            signal_counts={str(k): int(v) for k, v in state["signal_counts"].items()},
            source_max={str(k): float(v) for k, v in state["source_max"].items()},
            score_sum=float(state["score_sum"]),
            score_max=float(state["score_max"]),
            ids=_unpack(str(state.get("ids", ""))),
        )


def escalation_index(source_max: dict[str, float]) -> float:
    """Sum over distinct sources of each one's highest escalation score (see the module docstring)."""
    return round(sum(source_max.values()), 6)


@dataclass
class TopicTrend:
    """The buckets of one topic; serialisable to a plain dict for a changelog-backed table.

    `counted_through` is the offset of the last trend-input record counted. A topic's contributions all
    arrive on one partition in offset order, and the offset is saved with the buckets in one changelog
    record, so a record read again after a crash or a seek is recognised and not counted twice. An article
    classified twice sends its contributions again at new offsets; the ids in the buckets catch those.
    """

    topic: str
    buckets: dict[datetime, Bucket] = field(default_factory=dict)
    counted_through: int = -1
    max_ids: int = MAX_IDS

    def counted(self, offset: int) -> bool:
        """Whether the trend-input record at `offset` is already in the buckets."""
        return offset <= self.counted_through

    def add(self, spec: WindowSpec, item: TrendContribution, now: datetime, offset: int = -1) -> Added:
        """Count the contribution, unless it is too late for any open window or its article is already
        counted in one of the topic's buckets (then nothing but `counted_through` changes)."""
        self.counted_through = max(self.counted_through, offset)
        at = min(item.at, now)
        if not spec.accepts(at, now):
            return Added.LATE
        if self.holds(item.article_id):
            return Added.REPEAT
        remember = sum(len(bucket.ids) for bucket in self.buckets.values()) < self.max_ids
        self.buckets.setdefault(spec.bucket_start(at), Bucket()).add(item, remember)
        return Added.COUNTED

    def holds(self, article_id: str) -> bool:
        """Whether the article is counted in any bucket still kept (a future-dated article counts at the
        time it arrives, so a repeat may fall in another bucket than the first reading)."""
        digest = id_hash(article_id)
        return any(digest in bucket.ids for bucket in self.buckets.values())

    def expire(self, spec: WindowSpec, now: datetime) -> None:
        for start in [b for b in self.buckets if spec.expired(b, now)]:
            del self.buckets[start]

    def window(self, spec: WindowSpec, end: datetime, emitted_at: datetime) -> TrendWindow | None:
        """The window ending at `end`, or None when no article of the topic falls in it."""
        total = Bucket()
        for start in spec.window_buckets(end):
            bucket = self.buckets.get(start)
            if bucket is not None:
                total.merge(bucket)
        if total.articles == 0:
            return None
        return TrendWindow(
            topic=self.topic,
            window_start=end - spec.size,
            window_end=end,
            article_count=total.articles,
            signal_counts=dict(sorted(total.signal_counts.items())),
            distinct_sources=len(total.source_max),
            escalation_mean=min(1.0, round(total.score_sum / total.articles, 6)),
            escalation_max=total.score_max,
            escalation_index=escalation_index(total.source_max),
            emitted_at=emitted_at,
        )

    def to_state(self) -> dict[str, Any]:
        buckets = {_key(start): b.to_state() for start, b in sorted(self.buckets.items())}
        return {"buckets": buckets, "counted_through": self.counted_through}

    @classmethod
    def from_state(cls, topic: str, state: dict[str, Any] | None) -> TopicTrend:
        if not state:
            return cls(topic)
        buckets = {
            EPOCH + timedelta(seconds=int(k)): Bucket.from_state(v) for k, v in state["buckets"].items()
        }
        return cls(topic, buckets, int(state.get("counted_through", -1)))


class TrendTracker:
    """Decides which windows to emit and when, for the topics a replica owns; holds no bucket state itself.

    `closed_until` starts one step before the newest boundary already closed at start-up, so the window that
    closed just before a restart is emitted again (same key, same content) rather than possibly lost.
    """

    def __init__(self, spec: WindowSpec, now: datetime) -> None:
        self.spec = spec
        self.closed_until = spec.bucket_start(now - spec.grace) - spec.step
        self._dirty: set[str] = set()

    def touched(self, topics: Iterable[str]) -> None:
        self._dirty.update(topics)

    def due_ends(self, now: datetime) -> list[datetime]:
        """Window ends whose grace period has passed since the last call, oldest first; marks them closed."""
        ends: list[datetime] = []
        end = self.closed_until + self.spec.step
        while end + self.spec.grace <= now:
            ends.append(end)
            end += self.spec.step
        if ends:
            self.closed_until = ends[-1]
        return ends

    def emit(self, trends: Iterable[TopicTrend], now: datetime) -> Iterator[tuple[TrendWindow, bool]]:
        """(window, final) pairs: closed windows of every topic, then the current window of updated topics."""
        ends = self.due_ends(now)
        dirty, self._dirty = self._dirty, set()
        current = self.spec.current_end(now)
        for trend in trends:
            for end in ends:
                window = trend.window(self.spec, end, now)
                if window is not None:
                    yield window, True
            if trend.topic in dirty:
                window = trend.window(self.spec, current, now)
                if window is not None:
                    yield window, False
