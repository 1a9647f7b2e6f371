from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from schemas import FeedSpec
from services.ingest.normalise import (
    MAX_CONTENT,
    FeedContext,
    article_id,
    canonical_url,
    clamp_date,
    entry_date,
    language_tag,
    normalise_entry,
)

FETCHED = datetime(2025, 6, 17, 12, 0, tzinfo=UTC)
CTX = FeedContext(
    FeedSpec(id="f", url="https://example.org/feed", outlet="Ex"), "https://example.org/feed", FETCHED
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("https://example.org/a?utm_source=x&utm_campaign=y", "https://example.org/a"),
        ("https://example.org/a?fbclid=1&gclid=2&id=7", "https://example.org/a?id=7"),
        ("HTTPS://Example.ORG/Path#section", "https://example.org/Path"),
        ("http://example.org:80/a", "http://example.org/a"),
        ("https://example.org:8443/a", "https://example.org:8443/a"),
        ("https://example.org", "https://example.org/"),
        ("https://example.org/a?b=2&a=1", "https://example.org/a?a=1&b=2"),
        ("https://example.org/a?q=", "https://example.org/a?q="),
    ],
)
def test_canonical_url_drops_tracking_and_noise(raw: str, canonical: str) -> None:
    assert canonical_url(raw) == canonical


def test_canonical_url_resolves_relative_links_against_the_feed() -> None:
    assert (
        canonical_url("../b/c?utm_medium=rss", "https://example.org/x/feed.xml") == "https://example.org/b/c"
    )


@pytest.mark.parametrize(
    "bad", ["", "   ", "mailto:desk@example.org", "javascript:alert(1)", "http://[bad", "ftp://x/y"]
)
def test_canonical_url_refuses_what_is_not_an_http_link(bad: str) -> None:
    assert canonical_url(bad) is None


def test_article_id_prefers_the_url_then_the_guid_then_the_title() -> None:
    by_url = article_id("f", "https://example.org/a", "g1", "T", "")
    assert by_url.startswith("u-")
    assert by_url == article_id("other-feed", "https://example.org/a", "g2", "Other", "x")
    assert article_id("f", None, "g1", "T", "").startswith("g-")
    assert article_id("f", None, "g1", "T", "") != article_id("f2", None, "g1", "T", "")
    assert article_id("f", None, None, "T", "2025").startswith("t-")
    assert article_id("f", None, None, "T", "2025") != article_id("f", None, None, "T", "2026")


def test_the_same_article_with_tracking_parameters_gets_the_same_id() -> None:
    a = normalise_entry({"title": "x", "link": "https://example.org/a?utm_source=rss"}, CTX)
    b = normalise_entry({"title": "x", "link": "https://EXAMPLE.org/a#comments"}, CTX)
    assert a is not None
    assert b is not None
    assert a.id == b.id


def test_dates_become_aware_utc_and_the_future_is_clamped() -> None:
    parsed = time.strptime("2025-06-16 10:00:00", "%Y-%m-%d %H:%M:%S")
    assert entry_date({"published_parsed": parsed}) == datetime(2025, 6, 16, 10, tzinfo=UTC)
    assert entry_date({"updated_parsed": parsed}) == datetime(2025, 6, 16, 10, tzinfo=UTC)
    assert entry_date({"published_parsed": "not a date"}) is None
    assert clamp_date(None, FETCHED) == FETCHED
    assert clamp_date(FETCHED + timedelta(days=1), FETCHED) == FETCHED
    assert clamp_date(FETCHED + timedelta(minutes=1), FETCHED) == FETCHED + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("raw", "tag"),
    [
        ("en", "en"),
        ("en-us", "en-US"),
        ("EN_gb", "en-GB"),
        ("pt-BR", "pt-BR"),
        ("zh-Hant", "zh-hant"),
        ("", None),
        ("english!", None),
        (None, None),
    ],
)
def test_language_tags_are_normalised(raw: object, tag: str | None) -> None:
    assert language_tag(raw) == tag


def test_the_configured_language_wins_over_the_feed() -> None:
    feed = FeedSpec(id="f", url="https://example.org/feed", outlet="Ex", language="de")
    ctx = FeedContext(feed, feed.url, FETCHED, feed_language="en")
    article = normalise_entry({"title": "x", "link": "https://example.org/a"}, ctx)
    assert article is not None
    assert article.language == "de"


def test_an_enormous_entry_is_cut_to_fit_in_one_message() -> None:
    huge = "<p>" + "word " * 400_000 + "</p>"
    article = normalise_entry(
        {"title": "big", "link": "https://example.org/big", "content": [{"value": huge}]}, CTX
    )
    assert article is not None
    assert len(article.content) <= MAX_CONTENT
    assert article.content.endswith("…")
    assert len(article.model_dump_json().encode()) < 1_000_000


def test_an_entry_without_a_title_borrows_its_summary() -> None:
    article = normalise_entry({"summary": "<p>Shelling reported near the border overnight.</p>"}, CTX)
    assert article is not None
    assert article.title == "Shelling reported near the border overnight."


def test_the_feeds_tags_and_outlet_travel_with_the_article() -> None:
    feed = FeedSpec(id="f", url="https://example.org/feed", outlet="Example News", tags=("world",))
    article = normalise_entry({"title": "x"}, FeedContext(feed, feed.url, FETCHED))
    assert article is not None
    assert (article.source, article.tags, article.feed_id) == ("Example News", ("world",), "f")
