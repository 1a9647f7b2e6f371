"""One pass over the text: every term of the taxonomy compiled into a single Aho-Corasick automaton.

Each distinct term (as written in the taxonomy) gets an integer id. The automaton runs over the normalised
text (see `text.normalise`) with every literal padded by spaces, so it reports whole words only and the Python
loop does almost nothing per match: the rules above then work on short lists of hits per term.
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

from services.classify.forms import expand
from services.classify.text import normalise_term

Hit = tuple[int, int]
"""(start, end) character offsets of one occurrence; end is one past the last character."""


class Matcher:
    """Finds every registered term in a normalised text in one automaton pass."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {}
        self._keys: dict[str, list[tuple[int, int, bool, str | None]]] = {}
        self._automaton: ahocorasick.Automaton | None = None
        self._groups: dict[frozenset[int], int] = {}
        self._located: set[int] = set()
        self.groups_of: list[tuple[int, ...]] = []
        """By term id: the located groups (see `group`) the term belongs to; filled by `compile()`."""
        self.group_bits: list[int] = []
        self.group_terms: list[frozenset[int]] = []
        """By group: its term ids."""
        """By term id: every group the term belongs to, as a bit mask (bit g: group g)."""

    def group(self, ids: frozenset[int], *, located: bool = True) -> int:
        """A number for a set of term ids that rules ask about as one (a pattern's alternatives, a cue list).

        Equal sets share a number, so a scan works out each group's sentences and occurrences once. A group
        registered only with `located=False` is asked about for presence alone: scans skip its sentences
        and occurrences (one less step per hit of its terms)."""
        number = self._groups.get(ids)
        if number is None:
            number = self._groups[ids] = len(self._groups)
        if located:
            self._located.add(number)
        return number

    @property
    def group_count(self) -> int:
        return len(self._groups)

    def add(self, term: str) -> int:
        """Register a plain term (idempotent) and return its id."""
        if term in self._ids:
            return self._ids[term]
        term_id = len(self._ids)
        self._ids[term] = term_id
        for form in expand(term):
            words = normalise_term(form.text)
            if not words:
                continue
            key = f" {words}" if form.prefix else f" {words} "
            exact = _exact(form.text, len(words)) if form.case_sensitive else None
            self._keys.setdefault(key, []).append((term_id, len(words), form.prefix, exact))
        return term_id

    def add_all(self, terms: Iterable[str]) -> frozenset[int]:
        return frozenset(self.add(t) for t in terms)

    @property
    def terms(self) -> list[str]:
        """Terms by id."""
        return list(self._ids)

    def literals(self) -> list[str]:
        """Every literal in the automaton, without its padding: what a raw multi-pattern scan looks for."""
        return sorted({key.strip() for key in self._keys})

    def compile(self) -> None:
        groups_of: list[list[int]] = [[] for _ in self._ids]
        bits = [0] * len(self._ids)
        for ids, number in self._groups.items():
            for term in ids:
                bits[term] |= 1 << number
                if number in self._located:
                    groups_of[term].append(number)
        self.groups_of = [tuple(g) for g in groups_of]
        self.group_bits = bits
        self.group_terms = list(self._groups)
        automaton = ahocorasick.Automaton()
        for key, values in self._keys.items():
            simple = len(values) == 1 and not values[0][2] and values[0][3] is None
            # most keys stand for one plain term: (key length, term id, its length); others list every use
            value = (len(key), values[0][0], values[0][1]) if simple else (len(key), -1, tuple(values))
            automaton.add_word(key, value)
        if len(automaton):
            automaton.make_automaton()
        self._automaton = automaton

    def scan(self, text: str, words: str) -> dict[int, list[Hit]]:
        """Occurrences of each term id, in text order. `words` is `normalise(text)`."""
        automaton = self._automaton
        if automaton is None:
            raise RuntimeError("compile() the matcher before scanning")
        hits: dict[int, list[Hit]] = {}
        if not len(automaton):
            return hits
        padded = f" {words} "
        get = hits.get
        for last, (key_length, term_id, extra) in automaton.iter(padded):
            start = (
                last - key_length + 1
            )  # the key's leading space in `padded` is the word's offset in `text`
            if term_id >= 0:
                found = get(term_id)
                if found is None:
                    hits[term_id] = [(start, start + extra)]
                else:
                    found.append((start, start + extra))
            else:
                _record_all(hits, extra, text, padded, start, last)
        return hits


def _record_all(
    hits: dict[int, list[Hit]],
    values: tuple[tuple[int, int, bool, str | None], ...],
    text: str,
    padded: str,
    start: int,
    last: int,
) -> None:
    """The rare keys: shared by several terms, a prefix (`escalat*`) or case-sensitive (`US`)."""
    for term_id, length, prefix, exact in values:
        end = padded.find(" ", last) - 1 if prefix else start + length
        if exact is not None and text[start:end] != exact:
            continue
        hits.setdefault(term_id, []).append((start, end))


def _exact(text: str, length: int) -> str:
    """The characters a case-sensitive form covers in a text: 'U.S.A.' covers 'U.S.A' (5 characters)."""
    start = next((i for i, c in enumerate(text) if c.isalnum()), 0)
    return text[start : start + length]
