"""Outlets publishing while a test runs: RSS feeds on a real HTTP server that grow by one item at a time.

Each feed keeps every item it ever published (newest first), so a poller that was down finds what it missed
and "every item published was produced" is a fair demand. One item of each outlet, at a random place in its
run, is a warning to Washington: it raises an alert with a source of its own, to be notified exactly once.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime

from tests.e2e.scenario import Item, rss
from tests.e2e.stream import EVERYDAY, WARNING
from tests.servers.http_feeds import FeedServer


@dataclass
class Outlet:
    feed_id: str
    name: str
    path: str
    warning_at: int
    """The index of the item that is the outlet's warning (it may never be reached)."""
    items: list[Item] = field(default_factory=list)


class GrowingFeeds:
    """`outlets` feeds on `server`, each starting with `initial` items; `grow` adds items from a thread."""

    def __init__(
        self, server: FeedServer, rng: random.Random, outlets: int = 6, initial: int = 2, expected: int = 30
    ) -> None:
        """`expected`: about how many items each outlet will publish, the range its warning is placed in."""
        self.server = server
        self.run = uuid.uuid4().hex[:8]
        self._rng = rng
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.outlets = [
            Outlet(f"wire-{n}", f"Wire {self.run} {n}", f"/{self.run}/wire-{n}.xml", rng.randrange(expected))
            for n in range(outlets)
        ]
        for outlet in self.outlets:
            for _ in range(initial):
                self.publish(outlet)

    @property
    def feeds(self) -> list[tuple[str, str, str]]:
        """(id, outlet, url) of every feed, as `write_config` takes them."""
        return [(o.feed_id, o.name, self.server.url(o.path)) for o in self.outlets]

    @property
    def links(self) -> set[str]:
        with self._lock:
            return {item.link for outlet in self.outlets for item in outlet.items}

    @property
    def alert_links(self) -> set[str]:
        """Links of the warnings published so far."""
        with self._lock:
            return {o.items[o.warning_at].link for o in self.outlets if len(o.items) > o.warning_at}

    def publish(self, outlet: Outlet | None = None) -> Outlet:
        """One new item, now, on `outlet` (a random one when None); the feed serves it from this moment."""
        with self._lock:
            chosen = outlet or self._rng.choice(self.outlets)
            index = len(chosen.items)
            title, body = WARNING if index == chosen.warning_at else EVERYDAY[index % len(EVERYDAY)]
            guid = f"{self.run}.feeds.example/{chosen.feed_id}/{index}"
            chosen.items.append(Item(guid, f"{title} ({chosen.feed_id} {index})", body, datetime.now(UTC)))
            self.server.add(chosen.path, rss(chosen.name, reversed(chosen.items)))
        return chosen

    def grow(self, count: int, every: float) -> GrowingFeeds:
        """Publish `count` items, one every `every` seconds, each on a random outlet."""
        self._thread = threading.Thread(target=self._grow, args=(count, every), name="feeds", daemon=True)
        self._thread.start()
        return self

    def join(self, timeout: float) -> None:
        assert self._thread is not None
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the feeds did not finish growing within {timeout:.0f}s"

    def _grow(self, count: int, every: float) -> None:
        started = time.monotonic()
        for n in range(count):
            time.sleep(max(0.0, started + (n + 1) * every - time.monotonic()))
            self.publish()
