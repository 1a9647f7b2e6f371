"""Article ids already produced, shared by every replica through the compacted seen topic.

The set only grows from acknowledged marks: an id enters it after Kafka acknowledged the article itself
(locally) or after another replica's mark arrived on the seen topic (through the tailer).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable


class SeenIds:
    """A thread-safe set of article ids; the fetch loop asks, the producer and the tailer add."""

    def __init__(self) -> None:
        self._ids: set[str] = set()
        self._lock = threading.Lock()
        self.loaded = threading.Event()

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._ids  # set membership is atomic under the GIL

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, article_id: str) -> None:
        with self._lock:
            self._ids.add(article_id)

    def update(self, ids: Iterable[str]) -> None:
        with self._lock:
            self._ids.update(ids)

    def discard(self, article_id: str) -> None:
        with self._lock:
            self._ids.discard(article_id)
