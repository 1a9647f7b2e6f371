"""Feed bytes to normalised articles: the one code path shared by the service and `newsmon parse-feed`.

feedparser never touches the network here: it gets bytes we fetched. Its relative-URI resolution and HTML
sanitising are off (they dominate its parse time); links are resolved and text cleaned by normalise/textify.
No DOCTYPE, entity declaration or external reference reaches feedparser (see xmlsafe), so entity-expansion
bombs and external entities have nothing to expand.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urljoin

import feedparser

from schemas import FeedSpec, RawArticle
from services.ingest.normalise import FeedContext, language_tag, normalise_entry
from services.ingest.xmlsafe import UTF8_CONTENT_TYPE, prepare

ParseOutcome = Literal["ok", "parse_error", "not_a_feed"]

PROLOG_SCAN = 64 * 1024
"""How far into an HTML page its feed links are looked for."""

_FEED_ROOT = re.compile(rb"<(?:[A-Za-z0-9_]+:)?(?:rss|feed|RDF|channel)\b")
_HTML_ROOT = re.compile(rb"<(?:!doctype\s+html|html)\b", re.IGNORECASE)
_ALTERNATE = re.compile(rb"<link\b[^>]*\btype\s*=\s*[\"']?application/(?:rss|atom)\+xml[^>]*>", re.IGNORECASE)
_HREF = re.compile(rb"\bhref\s*=\s*([\"'])(.*?)\1", re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class ParsedFeed:
    """What one body yielded: articles in feed order (duplicates removed), and how the parse went."""

    outcome: ParseOutcome
    articles: tuple[RawArticle, ...] = ()
    entries: int = 0
    duplicates: int = 0
    skipped: int = 0
    problem: str | None = None
    title: str | None = None
    published_dates: tuple[datetime, ...] = field(default=(), repr=False)


def parse_feed(
    data: bytes,
    feed: FeedSpec,
    fetched_at: datetime,
    base_url: str | None = None,
    content_type: str | None = None,
) -> ParsedFeed:
    """Parse and normalise one feed body. Never raises for bad input: the outcome says what went wrong."""
    base = feed.url if base_url is None else base_url
    content_type = content_type or "application/xml"
    try:
        prepared = prepare(data, content_type)
        # No content-location: feedparser would join every element against it; links are resolved by
        # normalise. The prepared bytes are UTF-8 already, and must be read as such.
        headers = {
            "content-location": "",
            "content-type": UTF8_CONTENT_TYPE if prepared.utf8 else content_type,
        }
        result = feedparser.parse(
            prepared.data,
            response_headers=headers,
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # feedparser is meant to catch everything; a bug there must not stop a poll
        return ParsedFeed("parse_error", problem=f"{type(exc).__name__}: {exc}")
    if prepared.encoding_problem is not None and not result.get("bozo"):
        result["bozo"], result["bozo_exception"] = True, prepared.encoding_problem
    return _collect(result, data, feed, FeedContext(feed, base, fetched_at))


def _collect(result: Any, data: bytes, feed: FeedSpec, ctx: FeedContext) -> ParsedFeed:
    entries = result.get("entries") or []
    problem = _problem(result)
    if not entries and not result.get("version"):
        if _looks_like_html(data):
            return ParsedFeed("not_a_feed", problem=_html_problem(data, ctx.base_url))
        return ParsedFeed("parse_error", problem=problem or "no RSS, Atom or RDF root element")
    meta: Mapping[str, Any] = result.get("feed") or {}
    ctx = FeedContext(feed, ctx.base_url, ctx.fetched_at, language_tag(meta.get("language")))
    articles: dict[str, RawArticle] = {}
    duplicates = skipped = 0
    for entry in entries:
        article = normalise_entry(entry, ctx)
        if article is None:
            skipped += 1
        elif article.id in articles:
            duplicates += 1
        else:
            articles[article.id] = article
    dates = tuple(a.published_at for a in articles.values() if a.published_at != ctx.fetched_at)
    title = meta.get("title")
    return ParsedFeed(
        "ok",
        tuple(articles.values()),
        len(entries),
        duplicates,
        skipped,
        problem,
        title if isinstance(title, str) else None,
        dates,
    )


def _problem(result: Any) -> str | None:
    if not result.get("bozo"):
        return None
    exc = result.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}" if exc is not None else "malformed feed"


def _html_problem(data: bytes, base_url: str) -> str:
    """Say it is a web page, and name the feed the page advertises, if any: the usual fix for a moved feed."""
    for tag in _ALTERNATE.findall(data[:PROLOG_SCAN]):
        href = _HREF.search(tag)
        if href:
            url = urljoin(base_url, html.unescape(href.group(2).decode("utf-8", errors="replace")))
            return f"an HTML page, not a feed; it links to a feed at {url}"
    return "an HTML page, not a feed"


def _looks_like_html(data: bytes) -> bool:
    head = data[:4096]
    return bool(_HTML_ROOT.search(head)) and not _FEED_ROOT.search(head)
