"""Article ids already produced, shared by every replica through the compacted seen topic.

The set only grows from acknowledged marks: an id enters it after Kafka acknowledged the article itself
(locally) or after another replica's mark arrived on the seen topic (through the tailer).

It is bounded by the seen retention: ids are kept per UTC day of their mark as 64-bit digests, and a day's
ids are dropped once the whole day lies beyond the retention. A day's digests sit in a sorted array of
8 bytes each once it has enough of them; a Python set of strings costs about 110 bytes an id, which at
300,000 articles a day would pass 1 GB within a month. Two ids share a digest with a chance of about 1 in
10^13 among 10 million ids: the cost of that is one article taken for seen.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from datetime import datetime
from hashlib import blake2b

DAY_SECONDS = 86_400
COMPACT_AT = 20_000
"""Digests a day collects in a set before they are merged into its sorted array."""


def digest(article_id: str) -> int:
    return int.from_bytes(blake2b(article_id.encode(), digest_size=8).digest(), "big")


class _Day:
    """One UTC day's digests: a sorted array, plus a small set of recent additions."""

    __slots__ = ("fresh", "sorted")

    def __init__(self) -> None:
        self.sorted = array("Q")
        self.fresh: set[int] = set()

    def __contains__(self, value: int) -> bool:
        if value in self.fresh:
            return True
        index = bisect_left(self.sorted, value)
        return index < len(self.sorted) and self.sorted[index] == value

    def __len__(self) -> int:
        return len(self.sorted) + len(self.fresh)

    def add(self, value: int) -> None:
        if value not in self:
            self.fresh.add(value)
            if len(self.fresh) >= COMPACT_AT:
                self.compact()

    def compact(self) -> None:
        self.sorted = array("Q", sorted([*self.sorted, *self.fresh]))
        self.fresh = set()

    def discard(self, value: int) -> None:
        self.fresh.discard(value)
        index = bisect_left(self.sorted, value)
        if index < len(self.sorted) and self.sorted[index] == value:
            del self.sorted[index]


class SeenIds:
    """A thread-safe set of article ids by the day they were marked; the fetch loop asks, the producer and
    the tailer add, the service expires what the retention no longer covers."""

    def __init__(self) -> None:
        self._days: dict[int, _Day] = {}
        self._lock = threading.Lock()
        self.loaded = threading.Event()

    def __contains__(self, article_id: object) -> bool:
        if not isinstance(article_id, str):
            return False
        value = digest(article_id)
        with self._lock:
            return any(value in day for day in self._days.values())

    def __len__(self) -> int:
        with self._lock:
            return sum(len(day) for day in self._days.values())

    def add(self, article_id: str, marked_at: datetime) -> None:
        self.update([article_id], marked_at)

    def update(self, ids: Iterable[str], marked_at: datetime) -> None:
        values = [digest(i) for i in ids]
        number = _day(marked_at)
        with self._lock:
            day = self._days.get(number)
            if day is None:
                day = self._days[number] = _Day()
            for value in values:
                day.add(value)

    def discard(self, article_id: str) -> None:
        value = digest(article_id)
        with self._lock:
            for day in self._days.values():
                day.discard(value)

    def expire(self, before: datetime) -> int:
        """Forget every day that ended before `before`; return how many ids went with them."""
        last = _day(before)
        with self._lock:
            old = [number for number in self._days if number < last]
            return sum(len(self._days.pop(number)) for number in old)

    def compact(self) -> None:
        """Merge recent additions into the sorted arrays (done by itself as days fill; for measuring)."""
        with self._lock:
            for day in self._days.values():
                day.compact()


def _day(moment: datetime) -> int:
    return int(moment.timestamp()) // DAY_SECONDS
