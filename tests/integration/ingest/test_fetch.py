"""The fetcher against a real local HTTP server: every limit is enforced by our code, not assumed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from services.ingest.config import IngestOptions
from services.ingest.fetch import Fetcher, FetchResult, Validators
from streambase.clock import ManualClock
from tests.servers.http_feeds import FeedServer

FEED = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'


def fetch(url: str, validators: Validators | None = None, **options: object) -> FetchResult:
    """One fetch with these options; the feed server is on 127.0.0.1, so loopback is allowed unless a test
    says otherwise."""

    async def go() -> FetchResult:
        settings = {"allow_private_networks": True} | options
        async with Fetcher(IngestOptions.model_validate(settings)) as fetcher:
            return await fetcher.fetch(url, validators)

    return asyncio.run(go())


def test_a_feed_is_fetched_with_an_honest_user_agent(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/feed.xml", FEED))
    assert (result.outcome, result.status, result.body) == ("ok", 200, FEED)
    assert feed_server.requests[-1].headers["User-Agent"].startswith("newsmon/")


def test_a_matching_etag_gets_a_304_and_no_body(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed.xml", FEED, etag='"v1"', last_modified="Tue, 17 Jun 2025 10:00:00 GMT")
    first = fetch(url)
    assert first.validators == Validators('"v1"', "Tue, 17 Jun 2025 10:00:00 GMT")
    second = fetch(url, first.validators)
    assert (second.outcome, second.body) == ("not_modified", b"")
    assert feed_server.requests[-1].headers["If-None-Match"] == '"v1"'


def test_last_modified_alone_is_enough_for_a_304(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed.xml", FEED, last_modified="Tue, 17 Jun 2025 10:00:00 GMT")
    assert fetch(url, fetch(url).validators).outcome == "not_modified"


def test_a_gzip_response_is_decompressed(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/feed.xml", FEED, gzip=True))
    assert (result.outcome, result.body) == ("ok", FEED)
    assert "gzip" in feed_server.requests[-1].headers["Accept-Encoding"]


def test_a_body_over_the_cap_is_cut_off(feed_server: FeedServer) -> None:
    result = fetch(feed_server.huge("/big", 3_000_000), max_body_bytes=1_000_000)
    assert result.outcome == "too_large"
    assert "cap" in (result.error or "")


def test_a_declared_length_over_the_cap_is_refused_before_reading(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/big", b"x" * 200_000), max_body_bytes=100_000)
    assert result.outcome == "too_large"


def test_a_gzip_bomb_is_cut_off_at_the_decompressed_cap(feed_server: FeedServer) -> None:
    result = fetch(feed_server.huge("/bomb", 50_000_000, gzip=True), max_body_bytes=1_000_000)
    assert result.outcome == "too_large"


def test_a_server_dripping_one_byte_a_second_hits_the_total_timeout(feed_server: FeedServer) -> None:
    url = feed_server.drip("/slow", FEED, interval=0.5)
    result = fetch(url, total_timeout="2s", read_timeout="5s")
    assert result.outcome == "timeout"
    assert "2s" in (result.error or "")


def test_a_redirect_loop_stops_after_five_hops(feed_server: FeedServer) -> None:
    result = fetch(feed_server.redirect_loop("/loop"))
    assert result.outcome == "http_error"
    assert "more than 5 redirects" in (result.error or "")
    assert feed_server.hits("/loop") == 6


def test_up_to_five_redirects_are_followed(feed_server: FeedServer) -> None:
    feed_server.add("/final", FEED)
    for hop in range(5):
        feed_server.redirect(f"/r{hop}", f"/r{hop + 1}" if hop < 4 else "/final", code=301)
    result = fetch(feed_server.url("/r0"))
    assert (result.outcome, result.redirects, result.url) == ("ok", 5, feed_server.url("/final"))


def test_a_redirect_to_another_scheme_is_refused(feed_server: FeedServer) -> None:
    result = fetch(feed_server.redirect("/odd", "file:///etc/passwd"))
    assert result.outcome == "http_error"


def test_429_carries_its_retry_after_in_seconds(feed_server: FeedServer) -> None:
    result = fetch(feed_server.status("/busy", 429, retry_after="120"))
    assert (result.outcome, result.status, result.retry_after) == ("http_error", 429, timedelta(seconds=120))


def test_503_carries_its_retry_after_as_a_date() -> None:
    from services.ingest.fetch import parse_retry_after

    clock = ManualClock(datetime(2025, 6, 17, 12, tzinfo=UTC))
    later = format_datetime(datetime(2025, 6, 17, 12, 10, tzinfo=UTC), usegmt=True)
    assert parse_retry_after(later, clock) == timedelta(minutes=10)
    assert parse_retry_after("soon", clock) is None


def test_a_404_is_an_http_error_without_retry_after(feed_server: FeedServer) -> None:
    result = fetch(feed_server.url("/missing"))
    assert (result.outcome, result.status, result.retry_after) == ("http_error", 404, None)


def test_a_refused_connection_is_a_connection_error() -> None:
    result = fetch("http://127.0.0.1:9/feed.xml", connect_timeout="2s")
    assert result.outcome == "connection_error"


def test_the_per_host_limit_holds_under_load(feed_server: FeedServer) -> None:
    for i in range(12):
        feed_server.drip(f"/slow{i}", b"<rss/>", interval=0.05)

    async def go() -> list[FetchResult]:
        options = IngestOptions(per_host_concurrency=2, concurrency=10, allow_private_networks=True)
        async with Fetcher(options) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(feed_server.url(f"/slow{i}")) for i in range(12)))

    results = asyncio.run(go())
    assert all(r.outcome == "ok" for r in results)
    assert feed_server.max_active <= 2


def test_a_permanent_move_is_reported_with_the_new_address(feed_server: FeedServer) -> None:
    feed_server.add("/new.xml", FEED)
    moved = fetch(feed_server.redirect("/old.xml", "/new.xml", code=301))
    assert (moved.outcome, moved.moved, moved.url) == ("ok", True, feed_server.url("/new.xml"))
    temporary = fetch(feed_server.redirect("/tmp.xml", "/new.xml", code=302))
    assert not temporary.moved


# --- the private-network guard -----------------------------------------------------------------------
HINT = "set ingest.allow_private_networks to allow it"


def port(server: FeedServer) -> int:
    return int(server.base.rsplit(":", 1)[1])


def test_a_feed_on_a_loopback_address_is_refused_by_default(feed_server: FeedServer) -> None:
    result = fetch(feed_server.add("/feed.xml", FEED), allow_private_networks=False)
    assert (result.outcome, result.status) == ("blocked", None)
    assert result.error == f"refused: 127.0.0.1 is a loopback address; {HINT}"
    assert feed_server.hits("/feed.xml") == 0


def test_a_name_that_resolves_to_loopback_is_refused_after_resolution(feed_server: FeedServer) -> None:
    feed_server.add("/feed.xml", FEED)
    result = fetch(f"http://localhost:{port(feed_server)}/feed.xml", allow_private_networks=False)
    assert result.outcome == "blocked"
    assert result.error == f"refused: localhost resolves to 127.0.0.1, a loopback address; {HINT}"
    assert feed_server.hits("/feed.xml") == 0


@pytest.mark.parametrize(
    ("host", "setting", "outcome"),
    [
        ("127.0.0.1", True, "ok"),
        ("127.0.0.1", ["127.0.0.0/8"], "ok"),
        ("127.0.0.1", ["127.0.0.1"], "ok"),
        ("127.0.0.1", ["10.0.0.0/8", "intranet.example.org"], "blocked"),
        ("localhost", ["localhost"], "ok"),
        ("localhost", ["127.0.0.1/32"], "ok"),
        ("localhost", ["intranet.example.org"], "blocked"),
    ],
)
def test_the_setting_or_an_allow_list_entry_lets_a_loopback_feed_through(
    feed_server: FeedServer, host: str, setting: bool | list[str], outcome: str
) -> None:
    feed_server.add("/feed.xml", FEED)
    result = fetch(f"http://{host}:{port(feed_server)}/feed.xml", allow_private_networks=setting)
    assert result.outcome == outcome, result.error


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("http://127.0.0.1:{port}/feed.xml", "127.0.0.1 is a loopback address"),
        (
            "http://[::ffff:127.0.0.1]:{port}/feed.xml",
            "::ffff:127.0.0.1 is a loopback address (IPv4-mapped 127.0.0.1)",
        ),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
    ],
)
def test_a_redirect_to_a_private_address_is_refused_at_the_redirect_hop(target: str, refused: str) -> None:
    """The first server is reached by name and allowed by name only; where it redirects to is not, and the
    second server, which would serve a feed, never sees a request."""
    with FeedServer() as first, FeedServer() as second:
        second.add("/feed.xml", FEED)
        first.redirect("/feed.xml", target.format(port=port(second)))
        result = fetch(f"http://localhost:{port(first)}/feed.xml", allow_private_networks=["localhost"])
        assert (result.outcome, result.error) == ("blocked", f"refused at redirect 1: {refused}; {HINT}")
        assert first.hits("/feed.xml") == 1
        assert second.hits("/feed.xml") == 0


# --- validators ----------------------------------------------------------------------------------------
def test_an_over_long_etag_is_ignored_and_the_body_still_used(feed_server: FeedServer) -> None:
    url = feed_server.add("/feed.xml", FEED, etag='"' + "x" * 4000 + '"', last_modified="Tue, 17 Jun 2025")
    first = fetch(url)
    assert (first.outcome, first.body) == ("ok", FEED)
    assert first.validators == Validators(None, "Tue, 17 Jun 2025")
    fetch(url, first.validators)
    assert "If-None-Match" not in feed_server.requests[-1].headers


def test_a_100_kb_etag_fails_the_poll_in_the_http_client_and_is_never_kept(feed_server: FeedServer) -> None:
    """aiohttp refuses any header line over 8190 bytes before our cap is asked; the poll fails, nothing is
    stored or sent back."""
    result = fetch(feed_server.add("/feed.xml", FEED, etag='"' + "x" * 100_000 + '"'))
    assert result.outcome == "connection_error"
    assert result.validators == Validators()
