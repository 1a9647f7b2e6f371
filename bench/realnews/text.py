"""Text clean-up shared by every source: pure functions, no I/O."""

from __future__ import annotations

import html
import re

TEXT_CAP = 3000
"""Corpus text is cut to this many characters, at a full stop when one falls late enough."""

SAMPLE_TEXT_TARGET = 800
"""The labelled sample's text is cut at a sentence end near this many characters."""

_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"\W+")
_PUBLISHER_SUFFIX = re.compile(r" - [^-]{2,60}$")
_SENTENCE_END = re.compile(r'[.!?]["\u201d\u2019\']?(?=\s)')


def clean(text: str | None) -> str:
    """HTML entities unescaped and whitespace runs made one space."""
    return _SPACE.sub(" ", html.unescape(text or "")).strip()


def cap_text(text: str) -> str:
    """At most TEXT_CAP characters: cut after the last full stop if it lies beyond 60 % of the cap."""
    text = text.strip()
    if len(text) <= TEXT_CAP:
        return text
    cut = text[:TEXT_CAP]
    stop = max(cut.rfind(". "), cut.rfind(".\n"))
    return cut[: stop + 1] if stop > TEXT_CAP * 0.6 else cut


def strip_publisher(title: str, publisher: str | None = None) -> str:
    """A Google-News headline without its " - Publisher" suffix (the named one, else any short one)."""
    if publisher and title.endswith(" - " + publisher):
        return title[: -len(publisher) - 3]
    return _PUBLISHER_SUFFIX.sub("", title)


def match_key(text: str) -> str:
    """Lower case with every run of non-word characters made one space: equal keys are the same text."""
    return _NON_WORD.sub(" ", text.lower()).strip()


def cut_at_sentence(text: str) -> str:
    """The text a labeller reads: up to 850 characters whole, else cut at a sentence end near 800.

    The last sentence end between 550 and 900 characters is taken; with none there, the text is cut at the
    last space before 800.
    """
    if len(text) <= SAMPLE_TEXT_TARGET + 50:
        return text
    best = -1
    for found in _SENTENCE_END.finditer(text[:900]):
        if found.end() >= 550:
            best = found.end()
    if best > 0:
        return text[:best]
    return text[:SAMPLE_TEXT_TARGET].rsplit(" ", 1)[0]
