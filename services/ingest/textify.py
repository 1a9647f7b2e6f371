"""HTML to plain text, fast: feedparser's own sanitiser is switched off, so this is the only cleaner.

Regular expressions rather than a DOM: feed markup is small and often broken, and a DOM would cost more
than the whole rest of the parse. Everything leaving newsmon is escaped again at output, so the goal here
is readable text for classification, not safe HTML.
"""

from __future__ import annotations

import html
import re

_DROP_BLOCKS = re.compile(
    r"<(script|style|noscript|template|head|svg|math|iframe|object)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_COMMENTS = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_BREAKS = re.compile(
    r"<(?:br|hr|/?p|/?div|/?li|/?ul|/?ol|/?h[1-6]|/?blockquote|/?tr|/?table|/?section|/?article"
    r"|/?header|/?footer|/?figure|/?figcaption|/?pre|/?dd|/?dt|/?dl)\b[^>]*>",
    re.IGNORECASE,
)
_TAGS = re.compile(r"<[A-Za-z/!?][^>]*>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\ufeff]")
_SPACES = re.compile(r"[^\S\n]+")
_NEWLINES = re.compile(r"\s*\n\s*")


def html_to_text(markup: str) -> str:
    """Plain text of an HTML fragment: tags removed, entities decoded, paragraphs kept as single newlines."""
    if not markup:
        return ""
    if "<" not in markup and "&" not in markup:
        return collapse(markup)
    text = _CDATA.sub(r"\1", markup)
    text = _COMMENTS.sub(" ", text)
    text = _DROP_BLOCKS.sub(" ", text)
    text = _BREAKS.sub("\n", text)
    text = _TAGS.sub("", text)
    return collapse(html.unescape(text))


def collapse(text: str) -> str:
    """Spaces and tabs to one space, blank lines to one newline, control characters removed."""
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " "))
    text = _SPACES.sub(" ", text)
    return _NEWLINES.sub("\n", text).strip()


def one_line(text: str) -> str:
    """Collapse all whitespace, newlines included: for titles."""
    return " ".join(_CONTROL.sub("", text).split())


def truncate(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", max(0, limit - 200))
    return (cut[:space] if space > 0 else cut).rstrip() + "…"
