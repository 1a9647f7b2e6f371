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
traffic; `records()` and `StoryBook.restore` write it out and read it back, and `changes()` gives what
changed since it was last called, keyed (`state_key`) for a compacted topic.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from services.classify.stories import events
from services.classify.stories.copies import Copies, copy_index
from services.classify.stories.events import Facts
from services.classify.stories.features import ArticleFeatures
from services.classify.stories.growth import Arrivals, Growing, fastest_growing
from services.classify.stories.sketch import Sketch

HORIZON = 72 * 3600.0
COPY_CONTAINMENT = 0.6
"""Share of the shorter text's shingles found in the other above which it is a copy: a trimmed or
re-headlined wire story stays far above, independent reports quoting the same statement stay far below."""
COPY_JACCARD = 0.2
"""And a floor on plain similarity, so a one-line text inside a long one is not a copy of it."""
MAX_LISTED = 1000
"""Outlets and copy groups a story lists by name; its counts stay exact beyond (a story record must fit a
Kafka record whatever the event)."""
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
    again: bool = False
    """The article was assigned before (a replay): this is that assignment, and nothing changed."""


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
    """Outlet -> articles it carried (the first `MAX_LISTED` outlets)."""
    copy_groups: dict[str, int] = field(default_factory=dict)
    """Earliest article of each copy group -> articles in it (the first `MAX_LISTED` groups); an
    independent report is a group of one."""
    independent_reports: int = 0
    articles: int = 0
    arrivals: Arrivals = field(default_factory=Arrivals)
    """When it gained its recent outlets and independent reports, for `StoryBook.fastest_growing`."""

    def count(self, source: str, root: str) -> None:
        """Count an article of `source` in the copy group `root` (a new group when `root` is the article)."""
        self.articles += 1
        for listed, key in ((self.outlets, source), (self.copy_groups, root)):
            if key in listed or len(listed) < MAX_LISTED:
                listed[key] = listed.get(key, 0) + 1

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
            "independent_reports": self.independent_reports,
            "articles": self.articles,
            "arrivals": self.arrivals.to_json(),
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
            independent_reports=int(data["independent_reports"]),
            articles=int(data["articles"]),
            arrivals=Arrivals.from_json(data.get("arrivals")),
        )


@dataclass(frozen=True, slots=True)
class _Entry:
    """What the book remembers per article id, and what the copy index gives back on a match."""

    article_id: str
    root: str
    story_id: str
    copy_of: str | None
    arrived: float
    seq: int
    """Order of arrival: ties of `arrived` are broken by it when the book is restored."""


def state_key(record: dict[str, Any]) -> str:
    """The key of a `records()` or `changes()` record in a compacted topic: one per story and article."""
    kind = record["kind"]
    return "book" if kind == "book" else f"{kind}:{record['id']}"


def story_id_for(article_id: str) -> str:
    """A story's id, from its first article's id: the same on every worker, every replay."""
    return "story-" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:16]


class StoryBook:
    """Copies and stories of the articles of the last `horizon` seconds. Single-threaded by design."""

    def __init__(self, horizon: float = HORIZON, bucket_bits: int = 22) -> None:
        self.horizon = horizon
        self._bucket_bits = bucket_bits
        self._copies: Copies[_Entry] = copy_index(bucket_bits)
        self._articles: dict[str, _Entry] = {}
        self._stories: dict[str, Story] = {}
        self._by_key: dict[str, dict[int, Story]] = {}
        """Place, name and headline-word keys -> the live stories carrying them, by story seq (a dict, so a
        story leaves a key used by thousands in constant time)."""
        self._clock = float("-inf")
        self._next_seq = 0
        self._next_article = 0
        self._changed: dict[str, Story] = {}
        self._added: list[_Entry] = []
        self._dropped: list[str] = []

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
            return Assignment(article.id, known.story_id, known.copy_of, new_story=False, again=True)
        self.expire(now)
        copy = self._copy_source(article.sketch)
        new_story = False
        seq = self._next_article
        self._next_article += 1
        if copy is not None:
            story = self._stories[copy.story_id]
            entry = _Entry(article.id, copy.root, story.id, copy.root, self._clock, seq)
        else:
            found = self._best_story(article)
            new_story = found is None
            story = found if found is not None else self._new_story(article)
            story.independent_reports += 1
            entry = _Entry(article.id, article.id, story.id, None, self._clock, seq)
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
            self._dropped.append(f"article:{oldest.article_id}")
        while self._stories:
            story = next(iter(self._stories.values()))
            if story.touched >= cutoff:
                break
            self._drop_story(story)
            self._changed.pop(story.id, None)
            self._dropped.append(f"story:{story.id}")

    def fastest_growing(self, now: float, window: float, limit: int) -> list[Growing]:
        """The `limit` stories that gained the most outlets (then independent reports) in the `window`
        seconds before `now`, with their growth against the window before. Reads only the stories
        touched within the window; `window` is at most an hour (`growth.KEPT`)."""
        return fastest_growing(reversed(self._stories.values()), now, window, limit)

    def changes(self) -> list[tuple[str, dict[str, Any] | None]]:
        """(state key, record or None for a deletion) of what changed since the last call: the book's
        clock, the stories touched, the articles added and everything expired. Written to a compacted
        topic in this order, they keep it equal to `records()`."""
        out: list[tuple[str, dict[str, Any] | None]] = [(key, None) for key in self._dropped]
        out.append(("book", self._book_record()))
        out += [(f"story:{story.id}", _story_record(story)) for story in self._changed.values()]
        added = {id(entry) for entry in self._added}
        out += [
            (f"article:{entry.article_id}", _article_record(entry, item))
            for item, entry in self._copies.newest(len(self._added))
            if id(entry) in added
        ]
        self._dropped, self._changed, self._added = [], {}, []
        return out

    def _copy_source(self, sketch: Sketch) -> _Entry | None:
        """The article this text copies (the best overlap, the earliest of equals), if any."""
        return self._copies.best(sketch, COPY_CONTAINMENT, COPY_JACCARD)

    def _best_story(self, article: ArticleFeatures) -> Story | None:
        """The live story this report's facts fit best above the threshold (the oldest of equals). A story
        that shares no place or name with the report is a candidate only through two rare headline words."""
        candidates: dict[int, Story] = {}
        for key in events.keys(article):
            stories = self._by_key.get(key, {})
            if len(stories) <= COMMON_KEY:
                candidates.update(stories)
        rare = frozenset(
            w for w in article.words if len(self._by_key.get(events.WORD_KEY + w, {})) <= events.RARE_WORD
        )
        shared: dict[int, int] = {}
        for word in rare:
            for story in self._by_key.get(events.WORD_KEY + word, {}).values():
                shared[story.seq] = count = shared.get(story.seq, 0) + 1
                if count == events.MIN_RARE_WORDS:
                    candidates[story.seq] = story
        best, best_score = None, events.THRESHOLD
        for seq in sorted(candidates):
            story = candidates[seq]
            score = events.score(story.facts, article, rare)
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
        gained, lost = story.facts.add(article)
        new_outlet = article.source not in story.outlets and len(story.outlets) < MAX_LISTED
        story.count(article.source, entry.root)
        story.arrivals.add(self._clock, new_outlet, new_report=entry.copy_of is None)
        self._changed[story.id] = story
        self._added.append(entry)
        if article.published < story.first_published:
            story.first_published, story.first_source = article.published, article.source
        story.touched = self._clock
        del self._stories[story.id]
        self._stories[story.id] = story
        for key in gained:
            self._by_key.setdefault(key, {})[story.seq] = story
        for key in lost:
            self._unindex(key, story)

    def _drop_story(self, story: Story) -> None:
        del self._stories[story.id]
        for key in events.story_keys(story.facts):
            self._unindex(key, story)

    def _unindex(self, key: str, story: Story) -> None:
        stories = self._by_key[key]
        del stories[story.seq]
        if not stories:
            del self._by_key[key]

    # -- writing out and reading back ------------------------------------------------------------------

    def records(self) -> Iterator[dict[str, Any]]:
        """The whole state as JSON-ready records: the book's clock, then stories, then articles (oldest
        first). `StoryBook.restore(records)` rebuilds a book that decides exactly as this one would."""
        yield self._book_record()
        for story in self._stories.values():
            yield _story_record(story)
        for item, entry, _ in self._copies.entries():
            yield _article_record(entry, item)

    def _book_record(self) -> dict[str, Any]:
        return {
            "kind": "book",
            "clock": self._clock,
            "next_seq": self._next_seq,
            "next_article": self._next_article,
            "horizon": self.horizon,
        }

    @classmethod
    def restore(
        cls, records: Iterable[dict[str, Any]], bucket_bits: int = 22, horizon: float | None = None
    ) -> StoryBook:
        """A book with the state `records()` (or the latest `changes()` of each key) wrote out, in any
        order: stories are put back least recently touched first, articles in order of arrival. `horizon`
        replaces the one written out (an operator changed it); the next `add` expires by it."""
        header: dict[str, Any] | None = None
        stories: list[Story] = []
        articles: list[dict[str, Any]] = []
        for record in records:
            kind = record.get("kind")
            if kind == "book":
                header = record
            elif kind == "story":
                stories.append(Story.from_json(record))
            elif kind == "article":
                articles.append(record)
            else:
                raise ValueError(f"unknown record kind {kind!r}")
        if header is None:
            if stories or articles:
                raise ValueError("no book record")
            return cls(HORIZON if horizon is None else horizon, bucket_bits)
        book = cls(float(header["horizon"]) if horizon is None else horizon, bucket_bits)
        book._clock, book._next_seq = float(header["clock"]), int(header["next_seq"])
        book._next_article = int(header["next_article"])
        for story in sorted(stories, key=lambda s: (s.touched, s.seq)):
            book._restore_story(story)
        for record in sorted(articles, key=lambda r: (r["arrived"], r["seq"])):
            book._restore_article(record)
        return book

    def _restore_story(self, story: Story) -> None:
        self._stories[story.id] = story
        for key in events.story_keys(story.facts):
            self._by_key.setdefault(key, {})[story.seq] = story

    def _restore_article(self, record: dict[str, Any]) -> None:
        entry = _Entry(
            record["id"],
            record["root"],
            record["story_id"],
            record["copy_of"],
            float(record["arrived"]),
            int(record["seq"]),
        )
        self._articles[entry.article_id] = entry
        item = Sketch(base64.b64decode(record["sig"]), int(record["shingles"]))
        self._copies.add(item, entry, entry.arrived)


def _article_record(entry: _Entry, item: Sketch) -> dict[str, Any]:
    return {
        "kind": "article",
        "id": entry.article_id,
        "root": entry.root,
        "story_id": entry.story_id,
        "copy_of": entry.copy_of,
        "arrived": entry.arrived,
        "seq": entry.seq,
        "sig": base64.b64encode(item.signature).decode("ascii"),
        "shingles": item.shingles,
    }


def _story_record(story: Story) -> dict[str, Any]:
    return {"kind": "story", **story.to_json()}
