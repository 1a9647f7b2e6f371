"""Text handling for matching: a word-normal copy with the same offsets, sentences, and word distances.

`normalise` turns a text into lower-case ASCII words separated by spaces, character for character (so every
offset carries over): ASCII letters are lower-cased, punctuation becomes a space, and any other letter becomes
the placeholder \\x01 (taxonomy terms are normalised the same way, so "Türkiye" still matches). Terms padded
with spaces then match only whole words, with no check per match. Sentences are found with str.find over
the original text, so nothing runs a regular expression or a per-character loop over the whole article.
"""

from __future__ import annotations

import codecs
from bisect import bisect_right

_PLACEHOLDER = "\x01"
_ASCII = bytes(
    (c + 32 if 65 <= c <= 90 else c) if chr(c).isalnum() or c == 1 else 32 for c in range(128)
) + bytes(range(128, 256))


def _non_ascii(error: UnicodeError) -> tuple[str, int]:
    """Encoding fallback: a non-ASCII letter or digit becomes the placeholder, anything else a space."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end]
    return "".join(_PLACEHOLDER if c.isalnum() else " " for c in run), error.end


codecs.register_error("newsmon-words", _non_ascii)


_COMMON_PUNCTUATION = ("’", "‘", "“", "”", "–", "—", "…", "\u00a0", "«", "»", "•", "·", "\u2009", "\u200b")


def normalise(text: str) -> str:
    """Lower-case ASCII words and spaces, as long as `text`; see the module docstring."""
    if not text.isascii():
        for mark in _COMMON_PUNCTUATION:
            if mark in text:
                text = text.replace(mark, " ")
    return text.encode("ascii", "newsmon-words").translate(_ASCII).decode("ascii")


def normalise_term(term: str) -> str:
    """A term as it appears in a normalised text, words joined by single spaces."""
    return " ".join(normalise(term).split())


def words_between(words: str, start: int, end: int) -> int:
    """Whole words strictly between two offsets of a normalised text."""
    return len(words[start:end].split()) if end > start else 0


_ABBREVIATIONS = frozenset(
    {
        *("u.s", "u.k", "u.n", "e.u", "a.m", "p.m", "i.e", "e.g", "mr", "mrs", "ms", "dr", "gen", "lt"),
        *("col", "maj", "capt", "sgt", "adm", "prof", "sen", "rep", "gov", "st", "no", "vs", "inc", "ltd"),
        *("co", "corp", "approx", "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep"),
        *("sept", "oct", "nov", "dec", "fig", "vol", "ft"),
    }
)
_CLOSERS = "\"')]”’»"
_OPENERS = "\"'([“‘«"


_MARKS = ".!?"


def _find_all(text: str, key: str, found: list[tuple[int, int]], step: int) -> None:
    at = text.find(key)
    while at != -1:
        found.append((at, at + step))
        at = text.find(key, at + step)


def _candidates(text: str, marks: str) -> list[tuple[int, int]]:
    """(mark, after) of every place a sentence may end: a mark, its closing quotes and one whitespace."""
    found: list[tuple[int, int]] = []
    _find_all(text, ". ", found, 2)
    _find_all(text, "\n", found, 1)
    for mark in marks:
        if mark in text:
            _find_all(text, mark + " ", found, 2)
    closers = _CLOSERS if not text.isascii() else "\"')]"
    for closer in closers:
        if closer in text:
            at = text.find(closer + " ")
            while at != -1:
                stop = at
                while stop > 0 and text[stop - 1] in _CLOSERS:
                    stop -= 1
                if stop > 0 and text[stop - 1] in _MARKS + marks:
                    found.append((stop - 1, at + 2))
                at = text.find(closer + " ", at + 2)
    found.sort()
    return found


class Sentences:
    """Sentence spans of one text, looked up by offset. A full stop ends a sentence when whitespace and a
    capital, a digit (0-9) or an opening quote follow and the word before it is no abbreviation ('U.S.').
    In a `caseless` script (Arabic, Persian, Hebrew) any letter may start a sentence, and the Arabic
    question mark ends one."""

    __slots__ = ("_ends", "_spans", "_starts", "text")

    def __init__(self, text: str, *, caseless: bool = False) -> None:
        self.text = text
        starts = [0]
        ends: list[int] = []
        size = len(text)
        for mark, after in _candidates(text, "?!\u061f" if caseless else "?!"):
            newline = text[mark] == "\n"
            if not newline and not _ends_sentence(text, mark, after, caseless):
                continue
            end = mark if newline else after - 1
            while after < size and text[after].isspace():
                after += 1
            if after <= starts[-1]:
                continue
            ends.append(end)
            starts.append(after)
        ends.append(size)
        self._starts = starts
        self._ends = ends
        self._spans: dict[int, tuple[int, int]] = {}

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def starts(self) -> list[int]:
        """Offset of each sentence's first character, ascending."""
        return self._starts

    def index(self, offset: int) -> int:
        """Which sentence the character at `offset` belongs to."""
        return bisect_right(self._starts, offset) - 1

    def span(self, index: int) -> tuple[int, int]:
        """(start, end) of sentence `index`, trailing whitespace left out; remembered, as rules ask often."""
        found = self._spans.get(index)
        if found is None:
            start, end = self._starts[index], self._ends[index]
            while end > start and self.text[end - 1].isspace():
                end -= 1
            found = self._spans[index] = (start, end)
        return found

    def sentence(self, index: int) -> str:
        start, end = self.span(index)
        return self.text[start:end]


def _ends_sentence(text: str, mark: int, after: int, caseless: bool = False) -> bool:
    """Whether the mark at `mark` (then closers and one space, up to `after`) ends a sentence."""
    following = text[after : after + 3].lstrip(" \t\u00a0").lstrip(_OPENERS)[:1]
    starts = following.isupper() or "0" <= following <= "9" or following == "\n"
    if caseless and not starts:
        starts = following.isalpha() and not following.islower()
    if following and not starts:
        return False
    if text[mark] != ".":
        return True
    floor = max(0, mark - 8)
    word_start = max(text.rfind(" ", floor, mark), text.rfind("\n", floor, mark)) + 1
    if word_start == 0 and floor > 0:
        return True  # a word of eight letters or more is no abbreviation
    word = text[word_start:mark].lstrip(_OPENERS).lower()
    if word == "no":
        return not "0" <= following <= "9"  # "No. 10" is a number; "No. There are no plans" two sentences
    return not (word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha()))
