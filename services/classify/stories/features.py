"""What the story stage needs to know about one article, computed where the article is classified.

Classify workers compute features in parallel; the single story stage only looks them up and assigns. So
features are a pure function of the classified article, compact (about 1 KB as JSON, to travel in a Kafka
message) and lossless through `to_json`/`from_json`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from typing import Any

import pydantic_core

from schemas.article import RawArticle
from schemas.classified import ClassifiedArticle
from services.classify.language import UNDETERMINED
from services.classify.stories.agencies import agency_of
from services.classify.stories.places import OPENING, places_and_entities
from services.classify.stories.sketch import Sketch, sketch

MAX_TITLE = 160
MAX_NUMBERS = 8
MAX_WORDS = 12
_WORD = re.compile(r"[^\W\d_][\w'’]*")
_PUBLISHER = re.compile(r"\s[-–|]\s[^-–|]{2,40}$")
"""A headline's " - The New York Times" tail, as aggregators write it."""
_FUNCTION_WORDS = frozenset(
    (  # noqa: SIM905 (a word list reads better as words)
        "the and for are but not you all any can her was one our out has have had his how its may new now "
        "old see two way who did get him let say she too use from into over with this that than then them "
        "they were what when will your about after again also amid back been before being could does down "
        "each just like live long made make many more most much must only other says said some such take "
        "their there these those three through under until updates update very what where which while "
        "would year years first last next week today here why yes video watch photos report reports "
        "according news"
    ).split()
)
"""English words that say nothing of which event a headline is about."""
_EVENT_WORDS = frozenset(
    (  # noqa: SIM905 (a word list reads better as words)
        "kill kills killed killing dead death deaths die dies died toll wounded injured injures hurt "
        "attack attacks attacked strike strikes struck hit hits bomb bombs bombed bombing blast blasts "
        "explosion missile missiles drone drones rocket rockets shell shells shelling shelled fire fires "
        "fired gunfire war wars fighting fight clash clashes raid raids airstrike airstrikes assault "
        "offensive invasion ceasefire truce talks deal peace evacuation evacuate evacuated nuclear warns "
        "warning warn threat threatens crisis tensions escalation market markets home homes town towns "
        "city cities village villages region area border people children civilians soldiers troops army "
        "military police forces official officials government minister president leader leaders state "
        "country countries rises rise climbs record sources source medics hospital residents protest "
        "protests calls call urges plan plans court case trial vote election company prices price stocks "
        "shares oil"
    ).split()
)
"""Words that say what happened (an attack, a toll, a market), shared by any two reports of like events:
they tell no event from another."""
_SAY_NOTHING = _FUNCTION_WORDS | _EVENT_WORDS
_HEADLINE_WORD_LANGUAGES = ("en", UNDETERMINED)
"""English, and the short Title Case headlines the language model will not name (one in six real ones)."""
_NUMBER = re.compile(r"\d[\d,.:/]*")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_BEFORE = tuple(f"{m} " for m in _MONTHS) + tuple(f"{m}. " for m in _MONTHS)
_MONTH_BEFORE += ("uary ", "ruary ", "ch ", "il ", "ne ", "ly ", "ust ", "ember ", "ober ")


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """One article as the story book sees it. Times are seconds since the epoch (UTC)."""

    id: str
    source: str
    published: float
    title: str
    sketch: Sketch
    agency: str | None
    places: tuple[str, ...]
    entities: tuple[str, ...]
    numbers: tuple[str, ...]
    topics: tuple[str, ...]
    signals: tuple[str, ...]
    actors: tuple[str, ...]
    words: tuple[str, ...] = ()
    """The headline's distinctive words (see `headline_words`)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "source": self.source,
            "published": self.published,
            "title": self.title,
            "sig": base64.b64encode(self.sketch.signature).decode("ascii"),
            "shingles": self.sketch.shingles,
            "agency": self.agency,
            "places": list(self.places),
            "entities": list(self.entities),
            "numbers": list(self.numbers),
            "topics": list(self.topics),
            "signals": list(self.signals),
            "actors": list(self.actors),
            "words": list(self.words),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ArticleFeatures:
        return cls(
            id=str(data["id"]),
            source=str(data["source"]),
            published=float(data["published"]),
            title=str(data["title"]),
            sketch=Sketch(base64.b64decode(data["sig"]), int(data["shingles"])),
            agency=data["agency"],
            places=tuple(data["places"]),
            entities=tuple(data["entities"]),
            numbers=tuple(data["numbers"]),
            topics=tuple(data["topics"]),
            signals=tuple(data["signals"]),
            actors=tuple(data["actors"]),
            words=tuple(data.get("words", ())),
        )

    def encode(self) -> bytes:
        """Compact UTF-8 JSON, by pydantic-core's serializer (`json.dumps` took five times as long)."""
        return pydantic_core.to_json(self.to_json())


def features_of(classified: ClassifiedArticle) -> ArticleFeatures:
    """The features of a classified article (what a classify worker sends to the story stage)."""
    return article_features(
        classified.article,
        classified.topics,
        tuple(s.id for s in classified.signals),
        classified.actors,
        language=classified.language or "en",
    )


def article_features(
    article: RawArticle,
    topics: tuple[str, ...],
    signals: tuple[str, ...],
    actors: tuple[str, ...],
    *,
    language: str = "en",
) -> ArticleFeatures:
    """The features of `article` given what the classifier found in it and the language it is in."""
    body = _body(article) or article.title
    places, entities = places_and_entities(f"{article.title}\n{body}")
    return ArticleFeatures(
        id=article.id,
        source=article.source,
        published=article.published_at.timestamp(),
        title=article.title[:MAX_TITLE],
        sketch=sketch(body),
        agency=agency_of(body),
        places=places,
        entities=entities,
        numbers=numbers_in(body),
        topics=tuple(topics),
        signals=tuple(signals),
        actors=tuple(actors),
        words=headline_words(article.title) if language in _HEADLINE_WORD_LANGUAGES else (),
    )


def headline_words(title: str) -> tuple[str, ...]:
    """The headline's words of three letters or more, lower-cased, without function words or the
    publisher's name after a dash: two outlets' headlines of one event share its rare ones ("Bagram",
    "O'Hare", "Elimination Chamber") even when they share no sentence. English only: the words that say
    nothing are listed for English, and in another language its own function words would look rare."""
    found: list[str] = []
    title = title[:MAX_TITLE]
    if "-" in title or "–" in title or "|" in title:
        title = _PUBLISHER.sub("", title)
    for word in _WORD.findall(title.lower()):
        word = word.removesuffix("'s").removesuffix("’s")
        if len(word) >= 3 and word not in _SAY_NOTHING and word not in found:
            found.append(word)
            if len(found) == MAX_WORDS:
                break
    return tuple(found)


def _body(article: RawArticle) -> str:
    """Summary and content without the headline: outlets rewrite headlines, copies keep the body."""
    if article.content and article.content != article.summary:
        return f"{article.summary}\n{article.content}" if article.summary else article.content
    return article.summary


def numbers_in(text: str) -> tuple[str, ...]:
    """Figures in the opening (casualties, drones, distances), not years or days of the month."""
    opening = text[:OPENING]
    start = _first_digit(opening)
    if start < 0:
        return ()
    found: list[str] = []
    for match in _NUMBER.finditer(opening, start):
        value = match[0].rstrip(",.:/").replace(",", "")
        if not value.isdigit() or (len(value) == 4 and value[:2] in ("19", "20")):
            continue  # times, dates, decimals, years
        if opening.endswith(_MONTH_BEFORE, max(0, match.start() - 10), match.start()):
            continue
        if value not in found:
            found.append(value)
            if len(found) == MAX_NUMBERS:
                break
    return tuple(found)


def _first_digit(text: str) -> int:
    """Where the first ASCII digit of `text` is (-1: none), or 0 when it has other scripts, whose digits
    only the pattern knows: a pattern scan costs ten times as much as these searches, and most openings
    hold few figures."""
    if not text.isascii():
        return 0
    return min((at for at in map(text.find, "0123456789") if at >= 0), default=-1)
