"""The story book: the story stage's state, and the one place where articles get their copy and story.

A single writer feeds it articles in order, so any number of classify workers agree on every assignment by
construction; given the same features in the same order and the same times it makes the same decisions,
whichever process runs it. For each article, in this order:

1. an id it already assigned gets its earlier assignment back, unchanged (a replay keeps its story);
2. a copy: a recent article whose text contains most of this one's (or the reverse) makes this a copy of
   that article's copy group (`copy_of` is the group's earliest article), in that article's story;
3. a report: otherwise, the recent story whose facts this report shares best (`events.score`) takes it;
4. otherwise a new story, whose id derives from this article's id.

State lasts `horizon` after the last article that touched it, so memory is bounded by the horizon's
traffic; `records()` and `StoryBook.restore` write it out and read it back.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from services.classify.stories import events
from services.classify.stories.copies import CopyIndex
from services.classify.stories.events import Facts
from services.classify.stories.features import ArticleFeatures
from services.classify.stories.sketch import Sketch

HORIZON = 72 * 3600.0
COPY_CONTAINMENT = 0.6
"""Share of the shorter text's shingles found in the other above which it is a copy: a trimmed or
re-headlined wire story stays far above, independent reports quoting the same statement stay far below."""
COPY_JACCARD = 0.2
"""And a floor on plain similarity, so a one-line text inside a long one is not a copy of it."""
COMMON_KEY = 40
"""A place or name shared by more live stories than this finds no candidates: too common to tell events
apart ("Reuters", "Kyiv" on a busy day); the rarer ones do."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """Where an article went. `copy_of` is None for originals and independent reports."""

    article_id: str
    story_id: str
    copy_of: str | None
    new_story: bool


@dataclass(slots=True, eq=False)
class Story:
    """One event as reported so far."""

    id: str
    seq: int
    headline: str
    first_source: str
    first_published: float
    touched: float
    facts: Facts = field(default_factory=Facts)
    outlets: dict[str, int] = field(default_factory=dict)
    copy_groups: dict[str, int] = field(default_factory=dict)
    """Earliest article of each copy group -> articles in it; an independent report is a group of one."""

    @property
    def independent_reports(self) -> int:
        return len(self.copy_groups)

    @property
    def articles(self) -> int:
        return sum(self.copy_groups.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "seq": self.seq,
            "headline": self.headline,
            "first_source": self.first_source,
            "first_published": self.first_published,
            "touched": self.touched,
            "facts": self.facts.to_json(),
            "outlets": self.outlets,
            "copy_groups": self.copy_groups,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Story:
        return cls(
            id=data["id"],
            seq=int(data["seq"]),
            headline=data["headline"],
            first_source=data["first_source"],
            first_published=float(data["first_published"]),
            touched=float(data["touched"]),
            facts=Facts.from_json(data["facts"]),
            outlets=dict(data["outlets"]),
            copy_groups=dict(data["copy_groups"]),
        )


@dataclass(frozen=True, slots=True)
class _Entry:
    """What the book remembers per article id, and what the copy index gives back on a match."""

    article_id: str
    root: str
    story_id: str
    copy_of: str | None
    arrived: float


def story_id_for(article_id: str) -> str:
    """A story's id, from its first article's id: the same on every worker, every replay."""
    return "story-" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:16]


class StoryBook:
    """Copies and stories of the articles of the last `horizon` seconds. Single-threaded by design."""

    def __init__(self, horizon: float = HORIZON, bucket_bits: int = 22) -> None:
        self.horizon = horizon
        self._bucket_bits = bucket_bits
        self._copies: CopyIndex[_Entry] = CopyIndex(bucket_bits)
        self._articles: dict[str, _Entry] = {}
        self._stories: dict[str, Story] = {}
        self._by_key: dict[str, list[Story]] = {}
        self._clock = float("-inf")
        self._next_seq = 0

    def __len__(self) -> int:
        return len(self._articles)

    @property
    def stories(self) -> dict[str, Story]:
        """Live stories by id, least recently touched first."""
        return self._stories

    def add(self, article: ArticleFeatures, now: float) -> Assignment:
        """Assign `article`, arriving at `now` (seconds since the epoch; a clock that goes back is taken
        as standing still)."""
        known = self._articles.get(article.id)
        if known is not None:
            return Assignment(article.id, known.story_id, known.copy_of, new_story=False)
        self.expire(now)
        copy = self._copy_source(article.sketch)
        new_story = False
        if copy is not None:
            story = self._stories[copy.story_id]
            entry = _Entry(article.id, copy.root, story.id, copy.root, self._clock)
        else:
            found = self._best_story(article)
            new_story = found is None
            story = found if found is not None else self._new_story(article)
            entry = _Entry(article.id, article.id, story.id, None, self._clock)
        self._remember(article, story, entry)
        return Assignment(article.id, story.id, entry.copy_of, new_story)

    def expire(self, now: float) -> None:
        """Forget articles that arrived, and stories last touched, `horizon` or more before `now`."""
        self._clock = max(self._clock, now)
        cutoff = self._clock - self.horizon
        self._copies.expire(cutoff)
        articles = self._articles
        while articles:
            oldest = next(iter(articles.values()))
            if oldest.arrived >= cutoff:
                break
            del articles[oldest.article_id]
        while self._stories:
            story = next(iter(self._stories.values()))
            if story.touched >= cutoff:
                break
            self._drop_story(story)

    def _copy_source(self, sketch: Sketch) -> _Entry | None:
        """The article this text copies (the best overlap, the earliest of equals), if any."""
        best = None
        for match in self._copies.matches(sketch):
            if match.containment < COPY_CONTAINMENT or match.jaccard < COPY_JACCARD:
                continue
            if best is None or match.containment > best.containment:
                best = match
        return None if best is None else best.payload

    def _best_story(self, article: ArticleFeatures) -> Story | None:
        """The live story this report's facts fit best above the threshold (the oldest of equals)."""
        candidates: dict[int, Story] = {}
        for key in events.keys(article):
            stories = self._by_key.get(key, ())
            if len(stories) <= COMMON_KEY:
                for story in stories:
                    candidates[story.seq] = story
        best, best_score = None, events.THRESHOLD
        for seq in sorted(candidates):
            story = candidates[seq]
            score = events.score(story.facts, article)
            if score is not None and score >= best_score and (best is None or score > best_score):
                best, best_score = story, score
        return best

    def _new_story(self, article: ArticleFeatures) -> Story:
        story = Story(
            id=story_id_for(article.id),
            seq=self._next_seq,
            headline=article.title,
            first_source=article.source,
            first_published=article.published,
            touched=self._clock,
        )
        self._next_seq += 1
        self._stories[story.id] = story
        return story

    def _remember(self, article: ArticleFeatures, story: Story, entry: _Entry) -> None:
        self._articles[article.id] = entry
        self._copies.add(article.sketch, entry, self._clock)
        before = set(_story_keys(story))
        story.facts.add(article)
        story.outlets[article.source] = story.outlets.get(article.source, 0) + 1
        story.copy_groups[entry.root] = story.copy_groups.get(entry.root, 0) + 1
        if article.published < story.first_published:
            story.first_published, story.first_source = article.published, article.source
        story.touched = self._clock
        del self._stories[story.id]
        self._stories[story.id] = story
        for key in _story_keys(story):
            if key not in before:
                self._by_key.setdefault(key, []).append(story)
        for key in before.difference(_story_keys(story)):
            self._unindex(key, story)

    def _drop_story(self, story: Story) -> None:
        del self._stories[story.id]
        for key in _story_keys(story):
            self._unindex(key, story)

    def _unindex(self, key: str, story: Story) -> None:
        stories = self._by_key[key]
        stories.remove(story)
        if not stories:
            del self._by_key[key]

    # -- writing out and reading back ------------------------------------------------------------------

    def records(self) -> Iterator[dict[str, Any]]:
        """The whole state as JSON-ready records: the book's clock, then stories, then articles (oldest
        first). `StoryBook.restore(records)` rebuilds a book that decides exactly as this one would."""
        yield {"kind": "book", "clock": self._clock, "next_seq": self._next_seq, "horizon": self.horizon}
        for story in self._stories.values():
            yield {"kind": "story", **story.to_json()}
        indexed = {entry.article_id: item for item, entry, _ in self._copies.entries()}
        for entry in self._articles.values():
            item = indexed.get(entry.article_id)
            yield {
                "kind": "article",
                "id": entry.article_id,
                "root": entry.root,
                "story_id": entry.story_id,
                "copy_of": entry.copy_of,
                "arrived": entry.arrived,
                "sig": None if item is None else base64.b64encode(item.signature).decode("ascii"),
                "shingles": 0 if item is None else item.shingles,
            }

    @classmethod
    def restore(cls, records: Iterable[dict[str, Any]], bucket_bits: int = 22) -> StoryBook:
        """A book with the state `records()` wrote out."""
        book: StoryBook | None = None
        for record in records:
            kind = record.get("kind")
            if kind == "book":
                book = cls(float(record["horizon"]), bucket_bits)
                book._clock, book._next_seq = float(record["clock"]), int(record["next_seq"])
            elif book is None:
                raise ValueError("records must start with the book record")
            elif kind == "story":
                book._restore_story(Story.from_json(record))
            elif kind == "article":
                book._restore_article(record)
            else:
                raise ValueError(f"unknown record kind {kind!r}")
        if book is None:
            raise ValueError("no book record")
        return book

    def _restore_story(self, story: Story) -> None:
        self._stories[story.id] = story
        for key in _story_keys(story):
            self._by_key.setdefault(key, []).append(story)

    def _restore_article(self, record: dict[str, Any]) -> None:
        entry = _Entry(
            record["id"], record["root"], record["story_id"], record["copy_of"], float(record["arrived"])
        )
        self._articles[entry.article_id] = entry
        if record["sig"] is not None:
            item = Sketch(base64.b64decode(record["sig"]), int(record["shingles"]))
            self._copies.add(item, entry, entry.arrived)


def _story_keys(story: Story) -> list[str]:
    facts = story.facts
    return [f"p:{p}" for p in facts.places] + [f"e:{e}" for e in facts.entities]
