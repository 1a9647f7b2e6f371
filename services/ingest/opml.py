"""OPML subscription lists to feed entries for the YAML config: pure, no I/O."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from pydantic import ValidationError

from schemas import FeedSpec
from services.ingest.normalise import language_tag
from services.ingest.xmlsafe import prepare

_SLUG = re.compile(r"[^a-z0-9]+")


class OpmlError(ValueError):
    """The file is not OPML we can read; the message says why."""


@dataclass(frozen=True)
class Imported:
    feeds: tuple[FeedSpec, ...]
    skipped: tuple[str, ...]  # one line per outline not imported, with the reason


def parse_opml(data: bytes, existing_ids: Iterable[str] = (), existing_urls: Iterable[str] = ()) -> Imported:
    """Feeds from every outline with an xmlUrl; nested outline titles become tags."""
    try:
        root = ET.fromstring(prepare(data, "application/xml").data)  # noqa: S314 - no DOCTYPE, nothing to expand
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from None
    if root.tag.lower() != "opml":
        raise OpmlError(f"the root element is <{root.tag}>, not <opml>")
    body = root.find("body")
    if body is None:
        raise OpmlError("no <body> element")
    ids, urls = set(existing_ids), {u.rstrip("/") for u in existing_urls}
    feeds: list[FeedSpec] = []
    skipped: list[str] = []
    for outline, tags in _walk(body, ()):
        _take(outline, tags, ids, urls, feeds, skipped)
    return Imported(tuple(feeds), tuple(skipped))


def _walk(node: ET.Element, tags: tuple[str, ...]) -> Iterable[tuple[ET.Element, tuple[str, ...]]]:
    for child in node.findall("outline"):
        if child.get("xmlUrl"):
            yield child, tags
        else:
            label = (child.get("title") or child.get("text") or "").strip()
            yield from _walk(child, (*tags, _slug(label)) if label else tags)


def _take(
    outline: ET.Element,
    tags: tuple[str, ...],
    ids: set[str],
    urls: set[str],
    feeds: list[FeedSpec],
    skipped: list[str],
) -> None:
    url = (outline.get("xmlUrl") or "").strip()
    name = (outline.get("title") or outline.get("text") or urlsplit(url).hostname or "feed").strip()
    if url.rstrip("/") in urls:
        skipped.append(f"{url}: already configured")
        return
    categories = tuple(
        _slug(c) for c in (outline.get("category") or "").replace("/", ",").split(",") if c.strip()
    )
    try:
        feed = FeedSpec(
            id=_unique(_slug(name) or "feed", ids),
            url=url,
            outlet=name,
            tags=tuple(dict.fromkeys(t for t in (*tags, *categories) if t)),
            language=language_tag(outline.get("language")),
        )
    except ValidationError as exc:
        skipped.append(f"{url or name}: {exc.errors()[0]['msg']}")
        return
    ids.add(feed.id)
    urls.add(url.rstrip("/"))
    feeds.append(feed)


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")[:60].strip("-")


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def to_yaml(feeds: Iterable[FeedSpec]) -> str:
    """Feed entries as YAML list items, in the layout of config/feeds.yaml."""
    lines: list[str] = []
    for feed in feeds:
        lines.append(f"- id: {feed.id}")
        lines.append(f"  url: {json.dumps(feed.url)}")
        lines.append(f"  outlet: {json.dumps(feed.outlet, ensure_ascii=False)}")
        if feed.language:
            lines.append(f"  language: {feed.language}")
        if feed.tags:
            lines.append(f"  tags: [{', '.join(feed.tags)}]")
    return "\n".join(lines) + ("\n" if lines else "")
