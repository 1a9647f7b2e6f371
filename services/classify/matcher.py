"""One pass over the text: every term of the taxonomy compiled into a single Aho-Corasick automaton.

Terms expand into literals (`forms.expand`: "kill~" gives kill, kills, killed, killing), and each distinct
literal gets an integer id; a term stands for the set of its literals' ids, so "killed" and "kill~" share one.
The automaton runs over the normalised text (see `text.normalise`) with every literal padded by spaces, so
it reports whole words only and the Python loop does almost nothing per match: the rules above then work on
short lists of hits per literal. A term of several words never spans a line break: a headline ending in
"India" and a body starting "Pakistan's" do not make "India-Pakistan".
"""

from __future__ import annotations

from collections.abc import Iterable

import ahocorasick

from services.classify.orthography import ENGLISH, Orthography

Hit = tuple[int, int]
"""(start, end) character offsets of one occurrence; end is one past the last character."""

Literal = tuple[str, int, bool, str | None]
"""One automaton key with how a match of it is read: (padded key, words length, prefix, exact spelling)."""


class Matcher:
    """Finds every registered term in a normalised text in one automaton pass."""

    def __init__(self, orthography: Orthography = ENGLISH) -> None:
        self.orthography = orthography
        """How texts and terms become words: English's, or a language pack's."""
        self._terms: dict[str, frozenset[int]] = {}
        self._literals: dict[Literal, int] = {}
        self._automaton: ahocorasick.Automaton | None = None
        self._groups: dict[frozenset[int], int] = {}
        self._located: set[int] = set()
        self.groups_of: list[tuple[int, ...]] = []
        """By literal id: the located groups (see `group`) the literal belongs to; filled by `compile()`."""
        self.group_bits: list[int] = []
        """By literal id: every group the literal belongs to, as a bit mask (bit g: group g)."""
        self.keys: dict[str, list[tuple[int, int, bool, str | None]]] = {}
        """Every automaton key with its uses (literal id, words length, prefix, exact spelling)."""
        self._several_words: frozenset[int] = frozenset()

    def group(self, ids: frozenset[int], *, located: bool = True) -> int:
        """A number for a set of literals that rules ask about as one (a pattern's alternatives, a cue list).

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

    def groups_containing(self, literal: int) -> list[int]:
        """Every group `literal` belongs to, located or not (after `compile()`)."""
        bits = self.group_bits[literal]
        return [g for g in range(bits.bit_length()) if bits >> g & 1]

    def add(self, term: str) -> frozenset[int]:
        """Register a term (idempotent) and return the ids of its literals."""
        ids = self._terms.get(term)
        if ids is None:
            found = set()
            for form in self.orthography.forms(term):
                words = self.orthography.term_words(form.text)
                if not words:
                    continue
                key = f" {words}" if form.prefix else f" {words} "
                exact = _exact(form.text, len(words)) if form.case_sensitive else None
                found.add(
                    self._literals.setdefault((key, len(words), form.prefix, exact), len(self._literals))
                )
            ids = self._terms[term] = frozenset(found)
        return ids

    def add_all(self, terms: Iterable[str]) -> frozenset[int]:
        ids: set[int] = set()
        for term in terms:
            ids |= self.add(term)
        return frozenset(ids)

    def literals(self) -> list[str]:
        """Every literal in the automaton, without its padding: what a raw multi-pattern scan looks for."""
        return sorted({key.strip() for key, *_ in self._literals})

    def compile(self) -> None:
        groups_of: list[list[int]] = [[] for _ in self._literals]
        bits = [0] * len(self._literals)
        for ids, number in self._groups.items():
            for literal in ids:
                bits[literal] |= 1 << number
                if number in self._located:
                    groups_of[literal].append(number)
        self.groups_of = [tuple(g) for g in groups_of]
        self.group_bits = bits
        uses: dict[str, list[tuple[int, int, bool, str | None]]] = {}
        for (key, length, prefix, exact), literal in self._literals.items():
            uses.setdefault(key, []).append((literal, length, prefix, exact))
        self.keys = uses
        self._several_words = frozenset(
            literal for (key, *_), literal in self._literals.items() if " " in key.strip()
        )
        automaton = ahocorasick.Automaton()
        for key, values in uses.items():
            simple = len(values) == 1 and not values[0][2] and values[0][3] is None
            # nearly every key is one plain literal: (key length, literal id, its length); others list uses
            value = (len(key), values[0][0], values[0][1]) if simple else (len(key), -1, tuple(values))
            automaton.add_word(key, value)
        if len(automaton):
            automaton.make_automaton()
        self._automaton = automaton

    def scan(self, text: str, words: str) -> dict[int, list[Hit]]:
        """Occurrences of each literal id, in text order. `words` is `normalise(text)`."""
        automaton = self._automaton
        if automaton is None:
            raise RuntimeError("compile() the matcher before scanning")
        hits: dict[int, list[Hit]] = {}
        if not len(automaton):
            return hits
        padded = f" {words} "
        get = hits.get
        for last, (key_length, literal, extra) in automaton.iter(padded):
            start = (
                last - key_length + 1
            )  # the key's leading space in `padded` is the word's offset in `text`
            if literal >= 0:
                found = get(literal)
                if found is None:
                    hits[literal] = [(start, start + extra)]
                else:
                    found.append((start, start + extra))
            else:
                _record_all(hits, extra, text, padded, start, last)
        if "\n" in text:
            self._drop_line_crossings(text, hits)
        return hits

    def _drop_line_crossings(self, text: str, hits: dict[int, list[Hit]]) -> None:
        """Occurrences of a term of several words that span a line break are no occurrences."""
        for literal in [literal for literal in hits if literal in self._several_words]:
            kept = [hit for hit in hits[literal] if "\n" not in text[hit[0] : hit[1]]]
            if kept:
                hits[literal] = kept
            else:
                del hits[literal]


def _record_all(
    hits: dict[int, list[Hit]],
    values: tuple[tuple[int, int, bool, str | None], ...],
    text: str,
    padded: str,
    start: int,
    last: int,
) -> None:
    """The rare keys: a prefix (`escalat*`) or case-sensitive (`US`), or both a plain and such a literal."""
    for literal, length, prefix, exact in values:
        end = padded.find(" ", last) - 1 if prefix else start + length
        if exact is not None and text[start:end] != exact:
            continue
        hits.setdefault(literal, []).append((start, end))


def _exact(text: str, length: int) -> str:
    """The characters a case-sensitive form covers in a text: 'U.S.A.' covers 'U.S.A' (5 characters)."""
    start = next((i for i, c in enumerate(text) if c.isalnum()), 0)
    return text[start : start + length]
