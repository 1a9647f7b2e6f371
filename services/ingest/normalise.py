"""Feed entries to RawArticles: canonical URLs, stable ids, plain text, aware dates and a language.

Pure: the fetch time comes in as an argument, nothing here reads a clock or the network.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from schemas import FeedSpec, RawArticle
from services.ingest.textify import collapse, html_to_text, one_line, truncate

TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "wt_mc",
        "at_medium",
        "at_campaign",
        "ito",
        "cmpid",
        "ocid",
        "ncid",
        "sr_share",
    }
)
"""Query parameters that identify a campaign or a click, never the article."""
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")

MAX_TITLE = 1_000
MAX_SUMMARY = 20_000
MAX_CONTENT = 100_000
"""Text caps keep every article well under Kafka's default 1 MB message limit, even for one enormous entry."""

FUTURE_TOLERANCE = timedelta(minutes=5)
"""Dates further ahead than this are clock errors at the source and are clamped to the fetch time."""

_DEFAULT_PORTS = {"http": 80, "https": 443}
_LANGUAGE = re.compile(r"^([A-Za-z]{2,3})(?:[-_]([A-Za-z0-9]{2,8}))*$")


def canonical_url(url: str, base: str | None = None) -> str | None:
    """The URL that identifies an article: absolute, lower-case scheme and host, no default port,
    no fragment, no tracking parameters, remaining query parameters sorted. None if it is not http(s)."""
    url = url.strip()
    if not url:
        return None
    if base:
        url = urljoin(base, url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    if parts.username:
        return None  # credentials in a link are never an article's identity
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)
    ]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(sorted(query)), ""))


def _get(mapping: Mapping[str, Any], key: str) -> Any:
    """A stored value only: feedparser's dict also maps legacy key names, with warnings and extra cost."""
    return dict.get(mapping, key) if isinstance(mapping, dict) else mapping.get(key)


def _digest(*parts: str) -> str:
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


def article_id(feed_id: str, url: str | None, guid: str | None, title: str, published: str) -> str:
    """Stable id: from the canonical URL, else the GUID (scoped to its feed), else feed + title + date."""
    if url:
        return "u-" + _digest(url)
    if guid:
        return "g-" + _digest(feed_id, guid)
    return "t-" + _digest(feed_id, title, published)


def entry_date(entry: Mapping[str, Any]) -> datetime | None:
    """Publication (else update, else creation) time as aware UTC, if the feed gave a valid one."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = _get(entry, key)
        if isinstance(parsed, time.struct_time):
            try:
                return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def clamp_date(published: datetime | None, fetched_at: datetime) -> datetime:
    """Missing dates become the fetch time; dates in the future are clamped to it."""
    if published is None or published > fetched_at + FUTURE_TOLERANCE:
        return fetched_at
    return published


def language_tag(value: object) -> str | None:
    """A BCP 47 tag ('en', 'pt-BR') from what feeds write ('en-us', 'EN_gb'); None when unusable."""
    if not isinstance(value, str):
        return None
    match = _LANGUAGE.match(value.strip())
    if not match:
        return None
    parts = re.split(r"[-_]", value.strip())
    return "-".join([parts[0].lower()] + [p.upper() if len(p) == 2 else p.lower() for p in parts[1:]])


def _text(detail: Mapping[str, Any] | None, value: object) -> str:
    """Plain text of a feedparser text construct, honouring its declared type."""
    if not isinstance(value, str):
        return ""
    kind = (_get(detail, "type") or "text/html") if detail else "text/html"
    return collapse(value) if kind == "text/plain" else html_to_text(value)


def _content(entry: Mapping[str, Any]) -> str:
    parts = _get(entry, "content") or []
    texts = [_text(p, _get(p, "value")) for p in parts if isinstance(p, Mapping)]
    return "\n".join(t for t in texts if t)


def _guid(entry: Mapping[str, Any]) -> str | None:
    guid = _get(entry, "id")
    return guid.strip() or None if isinstance(guid, str) else None


def _link(entry: Mapping[str, Any], base: str) -> str | None:
    link = _get(entry, "link")
    if isinstance(link, str) and link.strip():
        return canonical_url(link, base)
    guid = _guid(entry)
    if guid and _get(entry, "guidislink") and guid.lower().startswith(("http://", "https://")):
        return canonical_url(guid, base)
    return None


@dataclass(frozen=True)
class FeedContext:
    """What normalisation needs to know about the feed an entry came from."""

    feed: FeedSpec
    base_url: str
    fetched_at: datetime
    feed_language: str | None = None


def normalise_entry(entry: Mapping[str, Any], ctx: FeedContext) -> RawArticle | None:
    """One feedparser entry as a RawArticle; None when the entry carries nothing to read."""
    title = one_line(_text(_get(entry, "title_detail"), _get(entry, "title")))
    summary = _text(_get(entry, "summary_detail"), _get(entry, "summary"))
    content = _content(entry)
    if not title:
        title = one_line(truncate(summary or content, 200))
    if not title:
        return None
    published = entry_date(entry)
    url = _link(entry, ctx.base_url)
    guid = _guid(entry)
    return RawArticle(
        id=article_id(ctx.feed.id, url, guid, title, published.isoformat() if published else ""),
        feed_id=ctx.feed.id,
        source=ctx.feed.outlet,
        url=url,
        guid=truncate(guid, 2_000) if guid else None,
        title=truncate(title, MAX_TITLE),
        summary=truncate(summary, MAX_SUMMARY),
        content=truncate(content, MAX_CONTENT),
        published_at=clamp_date(published, ctx.fetched_at),
        fetched_at=ctx.fetched_at,
        language=ctx.feed.language or _entry_language(entry) or ctx.feed_language,
        tags=ctx.feed.tags,
    )


def _entry_language(entry: Mapping[str, Any]) -> str | None:
    for key in ("title_detail", "summary_detail"):
        detail = _get(entry, key)
        if isinstance(detail, Mapping) and _get(detail, "language"):
            return language_tag(_get(detail, "language"))
    return None
