"""Length bounds of the text a message carries, and the cuts that keep text within them.

Feed text is hostile until bounded: a sentence without full stops can be a whole 100,000-character article,
and every quote is copied into classified articles, alerts and notifications. Each bound is applied where the
text is made, so nothing downstream can grow a record past the broker's limit or a receiver's field limits.
"""

from __future__ import annotations

ELLIPSIS = "…"

MAX_QUOTE = 300
"""Characters of the matched words a piece of evidence quotes."""
MAX_SENTENCE = 600
"""Characters of the sentence around a quote: about four lines of a message, the quote always inside."""
MAX_TITLE = 300
"""Characters of a headline quoted in an alert: longer ones are text that lost its line breaks."""
MAX_SOURCE = 100
"""Characters of an outlet's name in an alert."""
MAX_URL = 2000
"""Characters of a link kept in an alert; a longer one is left out, as no receiver could show it whole."""
NEAR_SPACE = 40
"""How far back a cut looks for a space, so that it falls between words when a word boundary is near."""


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word boundary when one is near, marked with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: max(0, limit - 1)]
    space = cut.rfind(" ", max(0, len(cut) - NEAR_SPACE))
    return (cut[:space] if space > 0 else cut).rstrip() + ELLIPSIS


def around(text: str, start: int, end: int, limit: int) -> str:
    """At most `limit` characters of `text` that keep `text[start:end]` whole where it fits: the context on
    both sides is shortened evenly, each cut at a word boundary when one is near and marked with an ellipsis.
    """
    if len(text) <= limit:
        return text
    if end - start >= limit - 2:
        return clip(text[start:], limit)
    room = limit - (end - start) - 2  # two ellipses at most
    before = min(start, max(room // 2, room - (len(text) - end)))
    after = room - before
    head = _tail_words(text[start - before : start]) if before < start else text[:start]
    tail = _head_words(text[end : end + after]) if end + after < len(text) else text[end:]
    lead = ELLIPSIS if before < start else ""
    trail = ELLIPSIS if end + after < len(text) else ""
    return lead + head + text[start:end] + tail + trail


def _tail_words(text: str) -> str:
    """The end of `text` from its first word boundary, when one is near the front."""
    space = text.find(" ", 0, NEAR_SPACE)
    return text[space + 1 :] if space != -1 else text


def _head_words(text: str) -> str:
    """The start of `text` up to its last word boundary, when one is near the end."""
    space = text.rfind(" ", max(0, len(text) - NEAR_SPACE))
    return text[:space] if space > 0 else text
