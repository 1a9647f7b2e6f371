"""Whether an article reports the event a story is about: same place, same time, shared actors and facts.

Independent reports of one event share little wording but the same facts: the place, the people and units
named, the figures (12 killed, 40 drones), what happened (the classifier's signals) and the conflict (its
topics). Two vetoes keep look-alikes apart: a report naming places of which the story names none is about
another place, and one published far from the story's reports is about another time. Past the vetoes, the
shared facts are weighed; the story scoring best above `THRESHOLD` takes the article.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.classify.stories.features import ArticleFeatures

HOUR = 3600.0
MAX_GAP = 30 * HOUR
"""A report more than this after a story's latest report (or before its first) is another event; a
follow-up the next morning still joins."""

THRESHOLD = 4.0
WEIGHTS = {"place": 3.0, "entity": 1.0, "number": 1.5, "signal": 1.0, "actor": 0.5, "topic": 0.5, "word": 1.5}
MAX_ENTITY_SCORE = 5.0
MAX_WORD_SCORE = 3
"""Shared rare headline words counted at most."""
MIN_RARE_WORDS = 2
"""Rare headline words a story must share with a report that shares none of its places or names."""
RARE_WORD = 2
"""A headline word in at most this many live stories is rare enough to tell an event (a name, a place, a
product); "Iran" or "strikes" on a day of war are in many more and count for nothing."""
MAIN_PLACE_PENALTY = 3.0
"""Taken off when neither main place is among the other's places: the report may mention the story's town,
but it is about another one (shelling in Dilling, the same day as the market shelling in El Obeid)."""
MAX_KEYS = 40
"""Facts a story keeps per kind: the most often reported ones; later reports add to them."""


@dataclass(slots=True)
class Facts:
    """What a story's reports said, with how many reports said it."""

    places: dict[str, int] = field(default_factory=dict)
    entities: dict[str, int] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    signals: dict[str, int] = field(default_factory=dict)
    actors: dict[str, int] = field(default_factory=dict)
    topics: dict[str, int] = field(default_factory=dict)
    words: dict[str, int] = field(default_factory=dict)
    first: float = 0.0
    last: float = 0.0
    _main: str | None = field(default=None, repr=False, compare=False)

    def add(self, article: ArticleFeatures) -> tuple[list[str], list[str]]:
        """Count the article's facts; return the story's index keys (`story_keys`) it gained and lost: new
        places, names and headline words, and those `MAX_KEYS` pushed out."""
        if not any(self.kinds()):
            self.first = self.last = article.published
        self.first = min(self.first, article.published)
        self.last = max(self.last, article.published)
        gained: list[str] = []
        lost: list[str] = []
        for prefix, counts, values in zip(_PREFIXES, self.kinds(), _values(article), strict=True):
            if not values:
                continue
            new = [value for value in values if value not in counts] if prefix else []
            for value in values:
                counts[value] = counts.get(value, 0) + 1
            if len(counts) > MAX_KEYS:
                lost += [prefix + value for value in _keep_top(counts) if prefix and value not in new]
            gained += [prefix + value for value in new if value in counts]
        self._main = None
        return gained, lost

    @property
    def main_place(self) -> str:
        """The place named most (the first named of equals), "" when none is; kept until the next `add`,
        since every candidate report is scored against it."""
        if self._main is None:
            self._main = max(self.places, key=self.places.__getitem__) if self.places else ""
        return self._main

    def kinds(self) -> tuple[dict[str, int], ...]:
        return (self.places, self.entities, self.numbers, self.signals, self.actors, self.topics, self.words)

    def to_json(self) -> dict[str, object]:
        return {**dict(zip(_KINDS, self.kinds(), strict=True)), "first": self.first, "last": self.last}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Facts:
        facts = cls()
        for name in _KINDS:
            value = data.get(name, {})  # records written before headline words had none
            assert isinstance(value, dict)
            getattr(facts, name).update(value)
        first, last = data["first"], data["last"]
        assert isinstance(first, float | int)
        assert isinstance(last, float | int)
        facts.first, facts.last = float(first), float(last)
        return facts


_KINDS = ("places", "entities", "numbers", "signals", "actors", "topics", "words")
PLACE_KEY, NAME_KEY, WORD_KEY = "p:", "e:", "w:"
"""Prefixes of the book's index keys: a place, a name, a headline word."""
_PREFIXES = (PLACE_KEY, NAME_KEY, "", "", "", "", WORD_KEY)
"""The index key prefix of each kind (`story_keys`): places, names and headline words find stories."""


def _values(article: ArticleFeatures) -> tuple[tuple[str, ...], ...]:
    return (
        article.places,
        article.entities,
        article.numbers,
        article.signals,
        article.actors,
        article.topics,
        article.words,
    )


def _keep_top(counts: dict[str, int]) -> list[str]:
    """Drop the least reported facts (the latest of equals first), keeping `MAX_KEYS`; return them.

    Every fact counted more often than the `MAX_KEYS`-th highest count stays, and of those counted exactly
    that often the earliest stay: what a sort by (count descending, order of arrival) keeps, without one."""
    if len(counts) == MAX_KEYS + 1:  # one over, as after most reports: no need to sort
        least = min(counts.values())
        key = next(key for key in reversed(counts) if counts[key] == least)
        del counts[key]
        return [key]
    cut = sorted(counts.values(), reverse=True)[MAX_KEYS - 1]
    room = MAX_KEYS - sum(1 for count in counts.values() if count > cut)
    dropped: list[str] = []
    for key, count in counts.items():
        if count < cut:
            dropped.append(key)
        elif count == cut:
            if room:
                room -= 1
            else:
                dropped.append(key)
    for key in dropped:
        del counts[key]
    return dropped


def score(story: Facts, article: ArticleFeatures, rare: frozenset[str] = frozenset()) -> float | None:
    """How strongly `article` reports `story`'s event; None when a veto says it is another event. `rare`:
    the article's headline words that few live stories share (`RARE_WORD`)."""
    if article.published > story.last + MAX_GAP or article.published < story.first - MAX_GAP:
        return None
    places, entities = story.places, story.entities
    article_places, article_entities = article.places, article.entities
    story_main = story.main_place
    located = bool(story_main and article_places)
    if located and _elsewhere(places, entities, story_main, article_places, article_entities):
        return None
    if article.topics and story.topics and not any(t in story.topics for t in article.topics):
        return None
    same_places = places_as_entities = 0
    for place in article_places:
        same_places += place in places
        places_as_entities += place in entities
    same_entities = entities_as_places = 0
    for entity in article_entities:
        same_entities += entity in entities
        entities_as_places += entity in places
    total = WEIGHTS["entity"] * min(same_entities, MAX_ENTITY_SCORE)
    total += WEIGHTS["place"] * same_places
    total += WEIGHTS["entity"] * (places_as_entities + entities_as_places)
    total += WEIGHTS["number"] * _shared(article.numbers, story.numbers)
    total += WEIGHTS["signal"] * _shared(article.signals, story.signals)
    total += WEIGHTS["actor"] * _shared(article.actors, story.actors)
    total += WEIGHTS["topic"] * _shared(article.topics, story.topics)
    if rare:
        total += WEIGHTS["word"] * min(sum(1 for word in rare if word in story.words), MAX_WORD_SCORE)
    if located and article_places[0] not in places and story_main not in article_places:
        total -= MAIN_PLACE_PENALTY  # neither main place is among the other's places
    return total


def _shared(values: tuple[str, ...], counts: dict[str, int]) -> int:
    return sum(1 for value in values if value in counts) if values and counts else 0


def _elsewhere(
    places: dict[str, int],
    entities: dict[str, int],
    story_main: str,
    article_places: tuple[str, ...],
    article_entities: tuple[str, ...],
) -> bool:
    """The report is about another place: its main place (named most, or first) is not among the story's
    places and the story's main place is not named in the report at all; or no place of either is named
    by the other (a dateline in Berlin over a story in Duisburg still names Duisburg)."""
    if (
        article_places[0] not in places
        and story_main not in article_places
        and story_main not in article_entities
    ):
        return True
    if any(p in places or p in entities for p in article_places):
        return False
    return not any(e in places for e in article_entities)


def keys(article: ArticleFeatures) -> tuple[str, ...]:
    """What a story is found by: its places and named entities (figures and signals are too common; rare
    headline words find it too, see `StoryBook`)."""
    return tuple(PLACE_KEY + p for p in article.places) + tuple(NAME_KEY + e for e in article.entities)


def story_keys(facts: Facts) -> list[str]:
    """What finds a story in the book's index: its places, names and headline words, each with its kind's
    prefix (the prefixes of `keys`)."""
    return [
        prefix + value
        for prefix, counts in zip(_PREFIXES, facts.kinds(), strict=True)
        if prefix
        for value in counts
    ]
