"""The raw article: what ingest produces, one message per article id."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.common import AwareDatetime, Identifier, Message


class RawArticle(Message):
    """A normalised feed entry. Text fields are plain text: no markup, entities decoded."""

    schema_version: Literal[1] = 1
    id: Identifier = Field(
        description="Stable id from the canonical URL, else the GUID, else feed+title+date"
    )
    feed_id: Identifier
    source: str = Field(description="The outlet's name as configured for the feed")
    url: str | None = Field(default=None, description="Canonical URL; tracking parameters removed")
    guid: str | None = None
    title: str
    summary: str = ""
    content: str = Field(default="", description="Plain-text body when the feed carries one")
    published_at: AwareDatetime
    fetched_at: AwareDatetime
    language: str | None = Field(default=None, description="BCP 47 tag, e.g. 'en'")
    tags: tuple[str, ...] = Field(default=(), description="Tags of the feed the article came from")

    @property
    def text(self) -> str:
        """Everything a classifier reads, title first."""
        parts = [self.title, self.summary]
        if self.content and self.content != self.summary:
            parts.append(self.content)
        return "\n".join(p for p in parts if p)
