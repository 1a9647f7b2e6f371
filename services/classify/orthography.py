"""How a language's text is turned into the word string the matcher scans, and its terms into literals.

English keeps the fast ASCII path of `text.normalise` (and the Rust engine). Other languages fold their
text character for character, so every offset still points into the original: letters of any script are
lower-cased, spelling variants that news writes interchangeably become one letter (Arabic alef forms and
alef maqsura, Persian and Arabic yeh and kaf, Russian ё), punctuation becomes a space, and the marks news
adds to some words (Arabic tashkil, Hebrew niqqud, tatweel, zero-width joiners) move to the end of their
word as spaces, so "قَصْف" is found by the term "قصف". Arabic and Hebrew attach conjunctions, prepositions
and the article to the next word (والقصف, בעזה): each term of those languages also stands for its word
with every such prefix, so a pack writes "قصف" and "עזה" once. Last, each letter of the language's alphabet
is written as one ASCII byte that is no letter, digit or space (any other non-ASCII letter as \x01, as
English has it), so the word string is ASCII, one byte per character, and the Rust engine reads it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Protocol

from services.classify.forms import Form, expand
from services.classify.text import normalise, normalise_term
from services.classify.translate_tables import LazyTable


class Orthography(Protocol):
    @property
    def language(self) -> str: ...

    @property
    def caseless(self) -> bool:
        """Whether the script has no capitals, so a sentence may start with any letter."""
        ...

    def words(self, text: str) -> str:
        """The word string of `text`, as long as `text`, with every non-word character a space."""
        ...

    def forms(self, term: str) -> list[Form]:
        """The literal forms of a plain term, in the same folding as `words`."""
        ...

    def term_words(self, form: str) -> str:
        """A form as it appears in a word string: words joined by single spaces."""
        ...

    def word_end(self, text: str, words: str, end: int) -> int:
        """Where the word ending a match at `end` ends in `text`: past the marks folding moved out of it."""
        ...


@dataclass(frozen=True)
class English:
    language: str = "en"
    caseless: bool = False

    def words(self, text: str) -> str:
        return normalise(text)

    def forms(self, term: str) -> list[Form]:
        return expand(term)

    def term_words(self, form: str) -> str:
        return normalise_term(form)

    def word_end(self, text: str, words: str, end: int) -> int:
        return end


ENGLISH = English()

_FOLDS: dict[str, dict[str, str]] = {
    "ru": {"ё": "е"},
    "uk": {"ё": "е", "ʼ": "'", "’": "'"},
    "ar": {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ی": "ي", "ک": "ك", "ة": "ه", "ۀ": "ه"},
    "fa": {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ي": "ی", "ى": "ی", "ك": "ک", "ۀ": "ه", "ة": "ه"},
}
_ARABIC_DIGITS = {
    **{chr(0x660 + d): str(d) for d in range(10)},
    **{chr(0x6F0 + d): str(d) for d in range(10)},
}
_FOLDS["ar"] |= _ARABIC_DIGITS
_FOLDS["fa"] |= _ARABIC_DIGITS

_ALPHABETS = {
    "ru": "абвгдежзийклмнопрстуфхцчшщъыьэюяіїєґў",
    "uk": "абвгдежзийклмнопрстуфхцчшщъыьэюяіїєґў",
    "ar": "ءاآأإئؤبتثجحخدذرزسشصضطظعغفقكلمنهويپچژگکیةى",
    "fa": "ءاآأإئؤبتثجحخدذرزسشصضطظعغفقكلمنهويپچژگکیةى",
    "he": "אבגדהוזחטיכךלמםנןסעפףצץקרשת",
    "fr": "àâäçéèêëîïôöùûüÿñáíóúßœæãõåìò",
    "es": "àâäçéèêëîïôöùûüÿñáíóúßœæãõåìò",
    "de": "àâäçéèêëîïôöùûüÿñáíóúßœæãõåìò",
}
"""The letters of each language after folding, each written as one ASCII byte in the word string (below)."""
_CODES = [
    *map(chr, range(0x02, 0x09)),
    *map(chr, range(0x0E, 0x1C)),
    *'!"#$%&()*+,./:;<=>?@[\\]^_`{|}~',
    "\x7f",
]
"""ASCII characters that are neither letters, digits, space nor whitespace to str.split(), nor ' and -."""

_MARK = "\x00"
_MARKED_WORD = re.compile(r"[^ \x00]*\x00[^ ]*")


class _Folding(LazyTable):
    """str.translate table built lazily, one character at a time, for one language."""

    def __init__(self, folds: dict[str, str], apostrophe: bool) -> None:
        super().__init__()
        self._folds = folds
        self._apostrophe = apostrophe

    def translated(self, code: int) -> str:
        char = chr(code)
        folded = self._folds.get(char, char)
        category = unicodedata.category(folded)
        if folded == "'" and self._apostrophe:
            result = "'"
        elif category.startswith("L") and category != "Lm":
            lower = folded.lower()
            result = lower if len(lower) == 1 else folded
        elif category.startswith("N"):
            result = folded
        elif category in ("Mn", "Me", "Mc", "Cf") or char == "\u0640":  # marks, joiners, tatweel
            result = _MARK
        else:
            result = " "
        return result


_ARABIC_CONJUNCTIONS = ("", "و", "ف")
_ARABIC_PREPOSITIONS = ("", "ب", "ل", "ك")
_HEBREW_CONJUNCTIONS = ("", "ו")
_HEBREW_RELATIVES = ("", "ש", "כש")
_HEBREW_PREPOSITIONS = ("", "ב", "ל", "מ", "כ")


def _arabic_prefixed(word: str) -> set[str]:
    """A word with every combination of conjunction, preposition and article Arabic writes attached."""
    stem, definite = (word[2:], True) if word.startswith("ال") and len(word) > 3 else (word, False)
    articles = ("ال",) if definite else ("", "ال")
    found = set()
    for conjunction, preposition, article in itertools.product(
        _ARABIC_CONJUNCTIONS, _ARABIC_PREPOSITIONS, articles
    ):
        prefix = conjunction + preposition + article
        found.add(prefix.replace("لال", "لل") + stem)
    return found


def _hebrew_prefixed(word: str) -> set[str]:
    """A word with every combination of ו, ש/כש, a preposition and the article Hebrew writes attached
    (פינוי: הפינוי, מהפינוי, בפינוי); after ב, ל and כ the article is not written (בעיר, not בהעיר). A
    leading ה may be the article or the root's own letter (הסלמה, הפגזה), so both readings are kept
    (בעיר for העיר, בהסלמה for הסלמה)."""
    stem = word[1:] if word.startswith("ה") and len(word) > 3 else word
    found = {word}
    for conjunction, relative, preposition in itertools.product(
        _HEBREW_CONJUNCTIONS, _HEBREW_RELATIVES, _HEBREW_PREPOSITIONS
    ):
        prefix = conjunction + relative + preposition
        found.add(prefix + word)
        found.add(prefix + (stem if preposition in ("ב", "ל", "כ") else "ה" + word))
    return found


_PREFIXED = {"ar": _arabic_prefixed, "he": _hebrew_prefixed}


class _Coding(LazyTable):
    """str.translate table: a language's letters to one ASCII byte each, any other non-ASCII letter to the
    placeholder \\x01 (as English has it), ASCII unchanged. The word string is then ASCII, one byte per
    character, as the Rust engine reads it."""

    def __init__(self, alphabet: str) -> None:
        if len(alphabet) > len(_CODES):
            raise ValueError(f"an alphabet of {len(alphabet)} letters; {len(_CODES)} codes")
        super().__init__({ord(letter): code for letter, code in zip(alphabet, _CODES, strict=False)})

    def translated(self, code: int) -> str:
        return chr(code) if code < 128 else "\x01"


class _FoldedCoding(LazyTable):
    """Folding then coding as one str.translate table, so the word string costs one pass over the text
    (each pass is about 20 µs on a 1,500-character article). Moving marks to a word's end commutes with
    the coding: neither the mark nor the space is a code."""

    def __init__(self, folding: _Folding, coding: _Coding) -> None:
        super().__init__()
        self._folding = folding
        self._coding = coding

    def translated(self, code: int) -> str:
        return self._folding[code].translate(self._coding)


@dataclass(frozen=True)
class Folded:
    """The orthography of a language with a pack (see the module docstring)."""

    language: str
    caseless: bool
    _table: _Folding = field(repr=False, compare=False)
    _coded: _FoldedCoding = field(repr=False, compare=False)

    def words(self, text: str) -> str:
        return _marks_moved(text.translate(self._coded))

    def _folded(self, text: str) -> str:
        return _marks_moved(text.translate(self._table))

    def term_words(self, form: str) -> str:
        """Words joined by single spaces, except that a word holding marks (a Persian half-space, Arabic
        tashkil) keeps the spaces `words` moves them to, as the text's word string has them: "گفت‌وگوی
        سیاسی" is found where it is written so, the joined spelling by the form `forms` adds."""
        parts = []
        for token in form.split():
            words = " ".join(self.words(token).split())
            if words:
                parts.append(words + " " * self._marks(token))
        return " ".join(parts).rstrip()

    def _marks(self, text: str) -> int:
        return sum(1 for char in text if self._table[ord(char)] == _MARK)

    def word_end(self, text: str, words: str, end: int) -> int:
        """A match of "آتشبس" in "آتش‌بس" ends one letter early, the joiner having moved to the word's end:
        the quote runs on while the word string has a space where the text has no space."""
        while end < len(text) and words[end] == " " and not text[end].isspace() and _in_word(text[end]):
            end += 1
        return end

    def forms(self, term: str) -> list[Form]:
        found = []
        prefixed = _PREFIXED.get(self.language)
        for form in expand(term):
            if prefixed is None:
                found.append(form)
                continue
            first, _, rest = form.text.partition(" ")
            for variant in sorted(prefixed(self._folded(first).strip())):
                text = f"{variant} {rest}" if rest else variant
                found.append(Form(text, form.prefix, form.case_sensitive))
        return found + self._unmarked(found)

    def _unmarked(self, forms: list[Form]) -> list[Form]:
        """The forms whose words before the last hold marks, written without them: the joined spelling
        ("گفتوگوی سیاسی"), which `term_words` no longer gives them."""
        found = []
        for form in forms:
            bare = "".join(char for char in form.text if self._table[ord(char)] != _MARK)
            if self.term_words(bare) != self.term_words(form.text):
                found.append(Form(bare, form.prefix, form.case_sensitive))
        return found


def _in_word(char: str) -> bool:
    category = unicodedata.category(char)
    return category[0] in "LMN" or category == "Cf" or char == "\u0640"


def _marks_moved(folded: str) -> str:
    return _MARKED_WORD.sub(_marks_to_the_end, folded) if _MARK in folded else folded


def _marks_to_the_end(match: re.Match[str]) -> str:
    word = match.group()
    letters = word.replace(_MARK, "")
    return letters + " " * (len(word) - len(letters))


_CASELESS = frozenset({"ar", "fa", "he"})


@cache
def orthography(language: str) -> Orthography:
    """The orthography of `language` (ISO 639-1); English's own for `en`."""
    if language == "en":
        return ENGLISH
    table = _Folding(_FOLDS.get(language, {}), apostrophe=language == "uk")
    coded = _FoldedCoding(table, _Coding(_ALPHABETS.get(language, "")))
    return Folded(language, language in _CASELESS, table, coded)
