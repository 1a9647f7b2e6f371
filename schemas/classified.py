"""The classified article: a raw article plus what the classifier found in it, with evidence."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.article import RawArticle
from schemas.common import AwareDatetime, Identifier, Message, Polarity, Severity


class Evidence(Message):
    """One place in the text that supports a signal."""

    text: str = Field(description="The matched words, at most 300 characters (cut with '…')")
    sentence: str = Field(
        description="The sentence they stand in, at most 600 characters: a longer one is shortened around "
        "the match, each cut marked with '…'"
    )
    start: int = Field(ge=0, description="Character offset of the match in the classified text")
    end: int = Field(ge=0, description="Offset one past the match's last character")


class SignalHit(Message):
    """A signal the classifier found, with every place that supports it."""

    id: Identifier
    label: str = ""
    polarity: Polarity
    severity: Severity
    weight: float = Field(ge=0)
    evidence: tuple[Evidence, ...] = Field(min_length=1)


class StoryRef(Message):
    """The story an article belongs to, as the story stage saw it when the article arrived."""

    story_id: Identifier = Field(description="The same on every worker and every replay of the article")
    report_id: Identifier = Field(
        description="The independent report this article is part of: the earliest article of its copy "
        "group (the article itself for an original); alerts count reports, not copies"
    )
    copy_of: Identifier | None = Field(
        default=None, description="The earliest article of its copy group; null for an original"
    )
    agency: str | None = Field(
        default=None, max_length=40, description="The wire agency its credit names, if any"
    )
    new_story: bool = Field(description="Whether this article started the story")
    independent_reports: int = Field(ge=1, description="Reports in the story so far, this one included")
    outlets: int = Field(ge=1, description="Outlets that carried the story so far")
    articles: int = Field(ge=1, description="Articles in the story so far, copies included")
    headline: str = Field(default="", max_length=160, description="The headline of the story's first article")
    first_source: str = Field(max_length=200, description="Outlet of the story's earliest report")
    first_published: AwareDatetime


class ClassifiedArticle(Message):
    schema_version: Literal[1] = 1
    article: RawArticle
    topics: tuple[Identifier, ...] = ()
    signals: tuple[SignalHit, ...] = ()
    actors: tuple[str, ...] = Field(default=(), description="ISO 3166 alpha-2 codes of the actors named")
    escalation_score: float = Field(ge=0, le=1)
    classifier_version: str
    classified_at: AwareDatetime
    language: str | None = Field(
        default=None,
        max_length=8,
        description="Language told from the text (ISO 639-1, e.g. 'ru'; 'und' when it cannot be told); "
        "the feed's declared language stays in article.language. Null from releases without it",
    )
    # `story` stays the last field: the story stage writes it over the encoded article's tail (stage.py)
    story: StoryRef | None = Field(
        default=None, description="Set by the story stage; null from releases or tools without it"
    )

    @property
    def id(self) -> str:
        return self.article.id

    def signal(self, signal_id: str) -> SignalHit | None:
        return next((s for s in self.signals if s.id == signal_id), None)
