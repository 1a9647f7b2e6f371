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


class ClassifiedArticle(Message):
    schema_version: Literal[1] = 1
    article: RawArticle
    topics: tuple[Identifier, ...] = ()
    signals: tuple[SignalHit, ...] = ()
    actors: tuple[str, ...] = Field(default=(), description="ISO 3166 alpha-2 codes of the actors named")
    escalation_score: float = Field(ge=0, le=1)
    classifier_version: str
    classified_at: AwareDatetime

    @property
    def id(self) -> str:
        return self.article.id

    def signal(self, signal_id: str) -> SignalHit | None:
        return next((s for s in self.signals if s.id == signal_id), None)
