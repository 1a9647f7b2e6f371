"""The story stage's records and its step: classify workers hand over, the stage stamps each article.

Classify workers run on many partitions; stories need every article in one place and one order. So each
worker sends its batch's classified articles, each with its features, in a few framed records to a
single-partition topic, and the one stage that reads it assigns them in the book and puts out the
classified articles with their `story`. A framed record is `HANDOFF_MAGIC`, then for each article the
features JSON and the classified article's JSON, each preceded by its length (4 bytes, big-endian): the
stage reads the features and passes the article's bytes on without parsing them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pydantic_core

from schemas import ClassifiedArticle, InvalidMessage, StoryRef
from services.classify.stories.book import HORIZON, Assignment, Story, StoryBook
from services.classify.stories.features import ArticleFeatures, features_of

HANDOFF_MAGIC = b"NSH1"
STORY_ROOM = 2048
"""Bytes a classified article may grow by when the stage adds its story (a `StoryRef` is about 400)."""
_LENGTH = struct.Struct(">I")
_NO_STORY = b',"story":null}'


@dataclass(frozen=True, slots=True)
class Handoff:
    """One classified article on its way to the story stage."""

    features: ArticleFeatures
    classified_json: bytes


@dataclass(frozen=True, slots=True)
class Stamped:
    """A classified article with its story, ready to produce (keyed by article id)."""

    article_id: str
    value: bytes
    assignment: Assignment


def pack(items: Iterable[tuple[bytes, bytes]], max_bytes: int) -> list[bytes]:
    """Frame (features JSON, classified JSON) pairs into as few records as keep each under `max_bytes`.
    A pair larger than that on its own gets a record of its own (the caller bounds the article)."""
    records: list[bytes] = []
    parts: list[bytes] = [HANDOFF_MAGIC]
    size = len(HANDOFF_MAGIC)
    for features, classified in items:
        framed = (_LENGTH.pack(len(features)), features, _LENGTH.pack(len(classified)), classified)
        grown = 8 + len(features) + len(classified)
        if size + grown > max_bytes and len(parts) > 1:
            records.append(b"".join(parts))
            parts, size = [HANDOFF_MAGIC], len(HANDOFF_MAGIC)
        parts += framed
        size += grown
    if len(parts) > 1:
        records.append(b"".join(parts))
    return records


def unpack(value: bytes | None) -> list[Handoff]:
    """The articles of a framed record; InvalidMessage (for the dead-letter topic) if it is not one."""
    if not value or not value.startswith(HANDOFF_MAGIC):
        raise InvalidMessage("invalid_handoff", "not a story-stage record (no NSH1 header)")
    return [Handoff(_features(features), _classified(classified)) for features, classified in _frames(value)]


def _frames(value: bytes) -> Iterator[tuple[bytes, bytes]]:
    position = len(HANDOFF_MAGIC)
    while position < len(value):
        features, position = _frame(value, position)
        classified, position = _frame(value, position)
        yield features, classified


def _frame(value: bytes, position: int) -> tuple[bytes, int]:
    if position + 4 > len(value):
        raise InvalidMessage("invalid_handoff", f"a length is cut off at byte {position}")
    (length,) = _LENGTH.unpack_from(value, position)
    end = position + 4 + length
    if end > len(value):
        raise InvalidMessage("invalid_handoff", f"a part of {length} bytes at byte {position} is cut off")
    return value[position + 4 : end], end


def _features(data: bytes) -> ArticleFeatures:
    try:
        return ArticleFeatures.from_json(pydantic_core.from_json(data))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidMessage("invalid_handoff", f"features unreadable: {type(exc).__name__}") from None


def _classified(data: bytes) -> bytes:
    """The article's JSON as a classify worker wrote it: with `story` null as its last field."""
    data = data.rstrip()
    if not data.endswith(_NO_STORY):
        raise InvalidMessage("invalid_handoff", "a classified article does not end with an empty story")
    return data


def stamp(book: StoryBook, handoff: Handoff, now: float) -> Stamped:
    """Assign the article in `book` at `now` (the handoff record's timestamp, so a replay decides alike)
    and add its `story` to the classified article's JSON."""
    features = handoff.features
    assignment = book.add(features, now)
    ref = story_ref(assignment, book.stories[assignment.story_id], features)
    return Stamped(features.id, with_story(handoff.classified_json, ref), assignment)


def story_ref(assignment: Assignment, story: Story, features: ArticleFeatures) -> StoryRef:
    return StoryRef(
        story_id=assignment.story_id,
        report_id=assignment.copy_of or assignment.article_id,
        copy_of=assignment.copy_of,
        agency=features.agency,
        new_story=assignment.new_story,
        independent_reports=max(1, story.independent_reports),
        outlets=max(1, len(story.outlets)),
        articles=max(1, story.articles),
        headline=story.headline[:160],
        first_source=story.first_source[:200],
        first_published=datetime.fromtimestamp(story.first_published, UTC),
    )


def with_story(classified_json: bytes, ref: StoryRef) -> bytes:
    """The classified article's JSON object with `"story"` set, without parsing the article again (a
    handoff's article ends with `_NO_STORY`, which `unpack` checked)."""
    return classified_json[: -len(b"null}")] + ref.model_dump_json().encode() + b"}"


class OfflineStories:
    """What the stage does, for articles classified offline (`newsmon backtest`): each article, given in
    order of arrival, gets the story the stage would have given it."""

    def __init__(self, horizon: float = HORIZON) -> None:
        self.book = StoryBook(horizon, bucket_bits=18)

    def stamp(self, article: ClassifiedArticle, now: datetime) -> ClassifiedArticle:
        features = features_of(article)
        assignment = self.book.add(features, now.timestamp())
        ref = story_ref(assignment, self.book.stories[assignment.story_id], features)
        return article.model_copy(update={"story": ref})
