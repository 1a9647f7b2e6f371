"""Signal rules over the hits of one scan: proximity, sense exclusions, negation and hedging scope.

A passage counts for a signal when one of its patterns matches inside one sentence, no exclusion overlaps it,
no contrary context stands near its first term, and (unless the signal says otherwise) it is not negated: an
odd number of negation cues in the same clause just before one of its parts ("Washington was not considering
military action"), a far-reaching cue anywhere earlier in the clause ("denied reports that troops had opened
fire"), or a cue just after it ("an evacuation was ruled out"). Two cues before it cancel ("did not rule out
strikes" still reports strikes); a cue after it denies whatever stands before. Each signal keeps at most one
passage per sentence and a few in all, so a long text costs no more than enough evidence.

Speed: every set of terms a rule asks about is compiled into a numbered group (`Matcher.group`). A scan
works out, once per text, which groups occur and in which sentences (one bit mask per group), so a pattern
is tried only in sentences where all its parts occur, and the costly checks (exclusions, contrary context,
negation) run only in sentences that hold something able to cancel a match.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from itertools import chain
from operator import itemgetter, or_

from services.classify.matcher import Hit, Matcher
from services.classify.taxonomy import Proximity, Signal, Taxonomy
from services.classify.text import Sentences, words_between

TermSet = frozenset[int]
Group = int
"""A compiled set of literal ids (see `Matcher.group`)."""
Hits = dict[int, list[Hit]]


def resolve(term: str, taxonomy: Taxonomy, matcher: Matcher) -> TermSet:
    """The literal ids a taxonomy term stands for: its own, a lexicon group's, or an actor's aliases'."""
    if term.startswith("@"):
        return matcher.add_all(taxonomy.lexicon[term[1:]])
    if term.startswith("actor:"):
        actor = next(a for a in taxonomy.actors if a.code == term[6:])
        return matcher.add_all(actor.aliases)
    return matcher.add(term)


def resolve_all(terms: tuple[str, ...], taxonomy: Taxonomy, matcher: Matcher) -> TermSet:
    ids: set[int] = set()
    for term in terms:
        ids |= resolve(term, taxonomy, matcher)
    return frozenset(ids)


def resolve_group(terms: tuple[str, ...], taxonomy: Taxonomy, matcher: Matcher) -> Group:
    return matcher.group(resolve_all(terms, taxonomy, matcher))


class Scan:
    """One text with its hits; what the rules ask of it is computed once and remembered."""

    __slots__ = (
        "_cue_spans",
        "_masks",
        "_matcher",
        "_members",
        "_occurrences",
        "_sentence_of",
        "_sentences",
        "groups",
        "hits",
        "text",
        "words",
    )

    def __init__(self, text: str, words: str, hits: Hits, matcher: Matcher) -> None:
        self.text = text
        self.words = words
        self.hits = hits
        self.groups: int = reduce(or_, map(matcher.group_bits.__getitem__, hits), 0)
        """The groups that occur in the text, as a bit mask (bit g: group g)."""
        self._matcher = matcher
        self._occurrences: dict[int, list[Hit]] = {}
        self._cue_spans: dict[tuple[int, int], list[Hit]] = {}
        self._sentences: Sentences | None = None
        self._sentence_of: Sequence[int] | None = None
        self._masks: list[int] | None = None
        self._members: list[list[int] | None] | None = None

    @property
    def sentences(self) -> Sentences:
        """The text's sentences, found on first use (a text where no rule applies never needs them)."""
        if self._sentences is None:
            self._sentences = Sentences(self.text, caseless=self._matcher.orthography.caseless)
        return self._sentences

    @property
    def sentence_of(self) -> Sequence[int]:
        """By character offset (the text's length included): the index of the sentence holding it."""
        table = self._sentence_of
        if table is None:
            table = self._sentence_of = _sentence_table(self.sentences.starts, len(self.text) + 1)
        return table

    @property
    def masks(self) -> list[int]:
        """By group: the sentences where any of its terms occurs, as a bit mask (bit i: sentence i)."""
        masks = self._masks
        if masks is None:
            masks, self._members = self._index()
            self._masks = masks
        return masks

    def _index(self) -> tuple[list[int], list[list[int] | None]]:
        """One pass over the hits: each group's sentences (`masks`) and its terms that occur (`_members`;
        None for a group none of whose terms occurs, so a text pays only for the groups it touches)."""
        sentence_of = self.sentence_of
        groups_of = self._matcher.groups_of
        count = self._matcher.group_count
        masks = [0] * count
        members: list[list[int] | None] = [None] * count
        for term, spans in self.hits.items():
            if len(spans) == 1:
                mask = 1 << sentence_of[spans[0][0]]
            else:
                mask = 0
                for start, _ in spans:
                    mask |= 1 << sentence_of[start]
            for group in groups_of[term]:
                masks[group] |= mask
                present = members[group]
                if present is None:
                    members[group] = [term]
                else:
                    present.append(term)
        return masks, members

    def indexed_members(self, group: Group) -> list[int] | None:
        """The terms of `group` that occur, in the order of `hits`, if a rule has already needed them
        (None otherwise: they cost a pass over the hits)."""
        return None if self._members is None else self._members[group]

    def has(self, group: Group) -> bool:
        """Whether any term of `group` occurs in the text."""
        return bool(self.groups >> group & 1)

    def sentence(self, offset: int) -> int:
        """The index of the sentence holding `offset`."""
        return self.sentence_of[offset]

    def occurrences(self, group: Group) -> list[Hit]:
        """Every occurrence of any term of `group`, in text order."""
        found = self._occurrences.get(group)
        if found is None:
            if not self.groups >> group & 1:
                found = []
            else:
                members = self._members
                if members is None:
                    self._masks, members = self._index()
                    self._members = members
                terms = members[group]
                if terms is None:
                    found = []
                elif len(terms) == 1:
                    found = self.hits[terms[0]]
                else:
                    found = sorted(chain.from_iterable(map(self.hits.__getitem__, terms)))
            self._occurrences[group] = found
        return found

    def cue_spans(self, cues: Cues, group: Group) -> list[Hit]:
        """Cue occurrences in the whole text, overlapping ones joined, those inside an exception left out."""
        key = (group, cues.exceptions)
        found = self._cue_spans.get(key)
        if found is None:
            found = _merged(self.occurrences(group))
            if found and self.has(cues.exceptions):
                exceptions = self.occurrences(cues.exceptions)
                found = [c for c in found if not any(_overlaps(c, e) for e in exceptions)]
            self._cue_spans[key] = found
        return found

    def within(self, group: Group, bounds: Hit) -> list[Hit]:
        """Occurrences of `group` that start inside `bounds`."""
        found = self.occurrences(group)
        if not found:
            return found
        first = bisect_left(found, (bounds[0], -1))
        last = bisect_left(found, (bounds[1], -1), first)
        return found[first:last]


@dataclass(frozen=True)
class Cues:
    before: Group  # every cue before a match, `far` ones included
    far: Group
    after: Group
    exceptions: Group
    window: int
    far_window: int
    has_before: bool
    has_far: bool
    has_after: bool
    concord: bool
    """Several cues before a match negate it once (negative concord) instead of cancelling in pairs."""

    def spans(self, group: Group, scan: Scan, bounds: Hit) -> list[Hit]:
        """Cue occurrences (see `Scan.cue_spans`) that start inside `bounds`."""
        found = scan.cue_spans(self, group)
        if not found:
            return found
        first = bisect_left(found, (bounds[0], -1))
        last = bisect_left(found, (bounds[1], -1), first)
        return found[first:last]


def _inside_another(start: int, end: int, code: str, mentions: list[tuple[int, int, str]]) -> bool:
    """Whether the mention [start, end) lies within a longer mention of another actor."""
    return any(s <= start and end <= e and e - s > end - start and c != code for s, e, c in mentions)


@dataclass(frozen=True)
class Context:
    """What every rule shares: negation and hedging cues, clause breaks, and the actor gazetteer."""

    negation: Cues
    hedging: Cues
    clause_breaks: tuple[str, ...]
    actors: tuple[tuple[str, TermSet], ...]
    actor_of: dict[int, str]
    clause_break: re.Pattern[str] | None
    """Any of `clause_breaks`, as one search (None when there are none)."""
    actor_terms: Group
    """Every alias of every actor."""

    @classmethod
    def compile(cls, taxonomy: Taxonomy, matcher: Matcher) -> Context:
        def cues(kind: str) -> Cues:
            spec = getattr(taxonomy, kind)
            far = resolve_all(spec.far, taxonomy, matcher)
            before = resolve_all(spec.before, taxonomy, matcher) | far
            after = resolve_all(spec.after, taxonomy, matcher)
            return Cues(
                matcher.group(before),
                matcher.group(far),
                matcher.group(after),
                resolve_group(spec.except_, taxonomy, matcher),
                spec.window,
                spec.far_window,
                bool(before),
                bool(far),
                bool(after),
                spec.concord,
            )

        actors = tuple((a.code, matcher.add_all(a.aliases)) for a in taxonomy.actors)
        actor_of = {term: code for code, ids in reversed(actors) for term in ids}
        breaks = taxonomy.clause_breaks
        clause_break = re.compile("|".join(map(re.escape, breaks))) if breaks else None
        return cls(
            cues("negation"),
            cues("hedging"),
            breaks,
            actors,
            actor_of,
            clause_break,
            matcher.group(frozenset(actor_of)),
        )

    def actors_in(self, scan: Scan) -> tuple[str, ...]:
        """Codes of the actors named, in order of first mention. A mention inside a longer mention of
        another actor is not one: "South Sudan" names South Sudan, not Sudan as well."""
        if not scan.has(self.actor_terms):
            return ()
        hits = scan.hits
        indexed = scan.indexed_members(self.actor_terms)  # the actor terms only, in the same order
        actor_of = self.actor_of
        mentions = [
            (start, end, code)
            for term in (hits if indexed is None else indexed)
            if (code := actor_of.get(term)) is not None
            for start, end in hits[term]
        ]
        firsts: dict[str, int] = {}
        for start, end, code in mentions:
            earlier = code not in firsts or start < firsts[code]
            if earlier and not _inside_another(start, end, code, mentions):
                firsts[code] = start
        return tuple(sorted(firsts, key=firsts.__getitem__))

    def governs(self, cues: Cues, scan: Scan, sentence: int) -> bool:
        """Whether any cue of this kind stands in the sentence at all (the cheap test before counting)."""
        masks = scan.masks
        return bool((masks[cues.before] | masks[cues.after]) >> sentence & 1)

    def cue_count(
        self, cues: Cues, scan: Scan, parts: list[Hit], bounds: Hit, window: int | None = None
    ) -> tuple[int, int]:
        """How many cues govern a match, (before, after): in its sentence and clause, within reach before a
        part of it (before the first part, or between two parts), or just after its last part."""
        ordered = sorted(parts) if len(parts) > 1 else parts
        reach = cues.window if window is None else window
        before = after = 0
        if cues.has_before:
            for cue in cues.spans(cues.before, scan, (bounds[0], ordered[-1][0])):
                if any(_overlaps(cue, p) for p in ordered):
                    continue
                following = next((p for p in ordered if p[0] >= cue[1]), None)
                if following is None:
                    continue
                far = cues.has_far and scan.within(cues.far, cue)
                if self._reaches(scan, cue[1], following[0], cues.far_window if far else reach):
                    before += 1
        if cues.has_after:
            last = ordered[-1][1]
            for cue in cues.spans(cues.after, scan, (last, bounds[1])):
                if cue[1] <= bounds[1] and self._reaches(scan, last, cue[0], reach):
                    after += 1
        return before, after

    def _reaches(self, scan: Scan, start: int, end: int, window: int) -> bool:
        if words_between(scan.words, start, end) > window:
            return False
        return self.clause_break is None or self.clause_break.search(scan.text, start, end) is None


@dataclass(frozen=True)
class CompiledPattern:
    anchor: Group
    others: tuple[Group, ...]
    within: int
    unless: tuple[tuple[Group, int], ...]
    doubts: tuple[Group, ...]
    """Groups whose presence in a sentence makes a match there worth checking further."""
    needs: int
    """The anchor and other groups as a bit mask: a text lacking any of them cannot match."""
    all_unless: tuple[tuple[Group, int], ...]
    """The signal's contrary contexts, then the pattern's own."""


@dataclass(frozen=True)
class CompiledSignal:
    spec: Signal
    patterns: tuple[CompiledPattern, ...]
    exclude: Group
    unless: tuple[tuple[Group, int], ...]
    context: Context
    terms: Group
    max_passages: int

    def find(self, scan: Scan) -> list[Hit]:
        """The passages (start, end) that support this signal, in text order: one per sentence at most,
        `max_passages` in all, so a long text costs no more than enough evidence."""
        if not scan.has(self.terms):
            return []
        passages: list[Hit] = []
        done = 0  # bit mask of the sentences that already gave a passage
        groups = scan.groups
        for pattern in self.patterns:
            if groups & pattern.needs != pattern.needs:
                continue  # cheap, and spares a text that has no full pattern its sentences
            masks = scan.masks
            sentence_of = scan.sentence_of
            allowed = masks[pattern.anchor] & ~done
            for group in pattern.others:
                allowed &= masks[group]
            if not allowed:
                continue
            doubtful = -1  # worked out at the first match: most patterns never get that far
            for anchor in scan.occurrences(pattern.anchor):
                index = sentence_of[anchor[0]]
                if not (allowed >> index & 1) or done >> index & 1:
                    continue
                parts = _match(pattern, anchor, index, scan)
                if parts is None:
                    continue
                if doubtful == -1:
                    doubtful = 0
                    for group in pattern.doubts:
                        doubtful |= masks[group]
                if not doubtful >> index & 1 or self._accepted(pattern, parts, index, scan):
                    passages.append(_span(parts))
                    done |= 1 << index
                    if len(passages) >= self.max_passages:
                        return sorted(passages)
        return sorted(passages)

    def _accepted(self, pattern: CompiledPattern, parts: list[Hit], index: int, scan: Scan) -> bool:
        anchor = parts[0]
        bounds = scan.sentences.span(index)
        masks = scan.masks
        if masks[self.exclude] >> index & 1 and any(
            _overlaps(e, p) for e in scan.within(self.exclude, bounds) for p in parts
        ):
            return False
        for group, within in pattern.all_unless:
            if masks[group] >> index & 1 and any(
                _near(scan, o, anchor, within) for o in scan.within(group, bounds)
            ):
                return False
        context = self.context
        if (
            self.spec.negatable
            and context.governs(context.negation, scan, index)
            and _negated(
                *context.cue_count(context.negation, scan, parts, bounds, self.spec.negation_window),
                context.negation.concord,
            )
        ):
            return False
        if self.spec.hedged == "drop" and context.governs(context.hedging, scan, index):
            return context.cue_count(context.hedging, scan, parts, bounds) == (0, 0)
        return True


def compile_signal(
    signal: Signal, taxonomy: Taxonomy, matcher: Matcher, context: Context, max_passages: int
) -> CompiledSignal:
    def unless(near: tuple[Proximity, ...]) -> tuple[tuple[Group, int], ...]:
        return tuple((resolve_group(u.terms, taxonomy, matcher), u.within) for u in near)

    exclude = resolve_group(signal.exclude, taxonomy, matcher)
    signal_unless = unless(signal.unless_near)
    shared_doubts = [exclude, *(group for group, _ in signal_unless)]
    for kind, wanted in ((context.negation, signal.negatable), (context.hedging, signal.hedged == "drop")):
        if wanted:
            shared_doubts += [kind.before, kind.after]
    patterns = []
    anchors: set[int] = set()
    for p in signal.patterns:
        sets = [resolve_all(group, taxonomy, matcher) for group in p.all]
        anchors |= sets[0]
        pattern_unless = unless(p.unless_near)
        doubts = tuple(dict.fromkeys([*shared_doubts, *(group for group, _ in pattern_unless)]))
        groups = [matcher.group(ids) for ids in sets]
        needs = sum(1 << g for g in set(groups))
        patterns.append(
            CompiledPattern(
                groups[0],
                tuple(groups[1:]),
                p.within,
                pattern_unless,
                doubts,
                needs,
                (*signal_unless, *pattern_unless),
            )
        )
    return CompiledSignal(
        signal,
        tuple(patterns),
        exclude,
        signal_unless,
        context,
        matcher.group(frozenset(anchors), located=False),  # only ever asked whether it occurs
        max_passages,
    )


def _match(pattern: CompiledPattern, anchor: Hit, index: int, scan: Scan) -> list[Hit] | None:
    """The anchor plus, for every other term group, its nearest occurrence in the same sentence in reach
    (the first one found among equally near ones); None when a group has none."""
    parts = [anchor]
    if not pattern.others:
        return parts
    bounds = scan.sentences.span(index)
    words = scan.words
    anchor_start, anchor_end = anchor
    reach = pattern.within
    for group in pattern.others:
        best: Hit | None = None
        best_distance = 0
        for other in scan.within(group, bounds):
            start, end = other
            if start < anchor_end and anchor_start < end:
                continue  # overlaps the anchor
            if len(parts) > 1 and any(start < p[1] and p[0] < end for p in parts[1:]):
                continue
            # whole words between the two, as `_distance` counts them
            if start >= anchor_end:
                distance = len(words[anchor_end:start].split()) if start > anchor_end else 0
            else:
                distance = len(words[end:anchor_start].split()) if anchor_start > end else 0
            if distance <= reach and (best is None or distance < best_distance):
                best, best_distance = other, distance
        if best is None:
            return None
        parts.append(best)
    return parts


def _negated(before: int, after: int, concord: bool) -> bool:
    """Two cues before a match cancel ("did not rule out strikes"), unless the language negates in
    concord ("никто не пострадал": nobody not hurt); a cue after it denies what came before, whatever else
    does ("dismissed reports of a strike as fabricated", "was premature and no decision has been made")."""
    return (before > 0 if concord else before % 2 == 1) or after > 0


def _span(parts: list[Hit]) -> Hit:
    """From the first start to the last end of a match's parts."""
    if len(parts) == 1:
        return parts[0]
    return min(parts)[0], max(parts, key=_END)[1]


_END = itemgetter(1)


def _distance(scan: Scan, a: Hit, b: Hit) -> int:
    if b[0] >= a[1]:
        return words_between(scan.words, a[1], b[0])
    return words_between(scan.words, b[1], a[0])


def _near(scan: Scan, a: Hit, b: Hit, within: int) -> bool:
    return _overlaps(a, b) or _distance(scan, a, b) <= within


def _overlaps(a: Hit, b: Hit) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _merged(spans: list[Hit]) -> list[Hit]:
    """Overlapping spans joined: 'no' inside 'no plans to' is one cue, not two."""
    merged: list[Hit] = []
    for start, end in spans:
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _sentence_table(starts: list[int], size: int) -> Sequence[int]:
    """Sentence index by offset for offsets below `size`, `starts` being each sentence's first offset.
    Bytes while indices fit in one (nearly always): built and read faster than a list."""
    last = len(starts) - 1
    lengths = [starts[i + 1] - starts[i] for i in range(last)]
    lengths.append(size - starts[last])
    if last < 256:
        return b"".join([bytes((i,)) * n for i, n in enumerate(lengths)])
    table: list[int] = []
    for i, n in enumerate(lengths):
        table += [i] * n
    return table
