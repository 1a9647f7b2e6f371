"""Every file in tests/fixtures/feeds is a test: its header says what it is about and what to expect.

Expect lines: `outcome=ok`, `articles=2`, `duplicates=1`, `skipped=1`, `bozo=true`, `N.field=value` (equal),
`N.field~=value` (contains), `N.field^=value` (starts with), `text!~value` (no article text contains it).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import FeedSpec
from services.ingest.parse import ParsedFeed, parse_feed

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
FETCHED_AT = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)
FEED = FeedSpec(id="golden", url="https://example.org/feed.xml", outlet="Example")
_EXPECT = re.compile(rb"^Expect: (.+)$", re.MULTILINE)


def _expectations(data: bytes) -> list[str]:
    text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else data
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return [m.group(1).decode("utf-8").strip() for m in _EXPECT.finditer(raw)]


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
    expectations = _expectations(data)
    assert expectations, f"{path.name} has no Expect: lines"
    parsed = parse_feed(data, FEED, FETCHED_AT)
    for expectation in expectations:
        _check(parsed, expectation)
