"""Real local servers that tests and benchmarks share. Use the fixture with
`from tests.servers import feed_server` in a conftest (pytest then finds it by name)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.servers.http_feeds import FeedServer

__all__ = ["FeedServer", "feed_server"]


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    """A running FeedServer on a free 127.0.0.1 port, stopped after the test."""
    with FeedServer() as server:
        yield server
