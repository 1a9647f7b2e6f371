"""Every file in tests/fixtures/feeds is a test: its header says what it is about and what to expect
(see tests/feed_fixtures.py for the Expect lines)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import FeedSpec
from services.ingest.parse import ParsedFeed, parse_feed
from tests.feed_fixtures import FEEDS, expectations

FETCHED_AT = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)
FEED = FeedSpec(id="golden", url="https://example.org/feed.xml", outlet="Example")


def _check(parsed: ParsedFeed, expectation: str) -> None:
    if expectation.startswith("text!~"):
        needle = expectation[len("text!~") :]
        for article in parsed.articles:
            assert needle not in article.title + article.summary + article.content, article
        return
    match = re.match(r"^(\w+|\d+\.\w+)(=|~=|\^=)(.*)$", expectation)
    assert match, f"unreadable expectation {expectation!r}"
    key, op, want = match.groups()
    if "." in key:
        index, name = key.split(".")
        got = str(getattr(parsed.articles[int(index)], name))
    elif key == "articles":
        got = str(len(parsed.articles))
    elif key == "bozo":
        got = str(parsed.problem is not None).lower()
    else:
        got = str(getattr(parsed, key))
    if op == "=":
        assert got == want, f"{key}: {got!r} != {want!r}"
    elif op == "~=":
        assert want in got, f"{key}: {want!r} not in {got!r}"
    else:
        assert got.startswith(want), f"{key}: {got!r} does not start with {want!r}"


@pytest.mark.parametrize("path", sorted(FEEDS.iterdir()), ids=lambda p: p.name)
def test_golden_feed_parses_as_its_header_expects(path: Path) -> None:
    data = path.read_bytes()
    expected = expectations(data)
    assert expected, f"{path.name} has no Expect: lines"
    parsed = parse_feed(data, FEED, FETCHED_AT)
    for expectation in expected:
        _check(parsed, expectation)
