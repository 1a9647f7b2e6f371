from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

from schemas import FeedSpec
from services.ingest.parse import parse_feed

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
FEED = FeedSpec(id="f", url="https://example.org/feed.xml", outlet="Ex")
NOW = datetime(2025, 6, 17, 12, tzinfo=UTC)


def test_an_entity_bomb_is_parsed_in_bounded_memory() -> None:
    data = (FEEDS / "entity-bomb.xml").read_bytes()
    tracemalloc.start()
    try:
        parsed = parse_feed(data, FEED, NOW)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.outcome == "ok"
    assert peak < 20_000_000  # an expanded bomb would need gigabytes


def test_a_bomb_with_a_quadratic_blowup_is_cut_as_well() -> None:
    entity = "x" * 100_000
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "{entity}">]>'
        f'<rss version="2.0"><channel><title>q</title><item><title>t</title>'
        f"<description>{'&a;' * 5000}</description></item></channel></rss>"
    ).encode()
    parsed = parse_feed(data, FEED, NOW)
    assert parsed.outcome == "ok"
    assert "xxxxxxxxxx" not in parsed.articles[0].summary


def test_an_empty_body_is_a_parse_error_not_a_crash() -> None:
    assert parse_feed(b"", FEED, NOW).outcome == "parse_error"
    assert parse_feed(b"\x00\xff garbage", FEED, NOW).outcome == "parse_error"


def test_json_is_not_a_feed_and_says_so() -> None:
    parsed = parse_feed(b'{"items": []}', FEED, NOW, content_type="application/json")
    assert parsed.outcome == "parse_error"
    assert parsed.problem


def test_an_empty_but_valid_feed_is_ok_with_no_articles() -> None:
    data = b'<rss version="2.0"><channel><title>Empty</title></channel></rss>'
    parsed = parse_feed(data, FEED, NOW)
    assert (parsed.outcome, parsed.articles, parsed.title) == ("ok", (), "Empty")


def test_dates_the_feed_gave_are_kept_for_the_schedule() -> None:
    parsed = parse_feed((FEEDS / "dates.xml").read_bytes(), FEED, NOW)
    assert len(parsed.published_dates) == 1


def test_an_html_page_that_advertises_its_feed_names_it() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>News</title>"
        b'<link rel="alternate" type="application/rss+xml" title="RSS" href="/rss/world.xml?a=1&amp;b=2">'
        b"</head><body>Latest</body></html>"
    )
    parsed = parse_feed(page, FEED, NOW, base_url="https://example.org/world/")
    assert parsed.outcome == "not_a_feed"
    assert (
        parsed.problem
        == "an HTML page, not a feed; it links to a feed at https://example.org/rss/world.xml?a=1&b=2"
    )


def test_a_billion_laughs_after_a_comment_costs_no_expansion_time() -> None:
    """Expat stops this bomb only after expanding 8 MiB of it: over a second of CPU for a 1 KB feed."""
    laughs = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    data = (
        f'<?xml version="1.0"?><!-- quotes <!DOCTYPE rss> --><!DOCTYPE rss [{laughs}]>'
        '<rss version="2.0"><channel><title>b</title><item><title>t</title><link>https://example.org/b</link>'
        "<description>&l9;</description></item></channel></rss>"
    ).encode()
    started = time.process_time()
    parsed = parse_feed(data, FEED, NOW)
    assert time.process_time() - started < 0.5  # about 1.4 s of CPU when expat sees the DOCTYPE
    assert parsed.outcome == "ok"
    assert [a.title for a in parsed.articles] == ["t"]
