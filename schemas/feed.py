"""Feeds as configured and shared out among ingest replicas, the ids already produced, and feed health."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from schemas.common import AwareDatetime, Duration, Identifier, Message

VALIDATOR_MAX_LENGTH = 1024
"""Longest ETag or Last-Modified kept: real ones are tens of characters; a longer one is ignored, not stored
and not sent back."""


class FeedSpec(Message):
    """One RSS/Atom feed to poll."""

    schema_version: Literal[1] = 1
    id: Identifier
    url: str = Field(description="http(s) URL of the feed")
    outlet: str = Field(min_length=1, description="Name shown in alerts, e.g. 'Reuters'")
    interval: Duration | None = Field(default=None, description="Fixed poll interval; adaptive when unset")
    tags: tuple[str, ...] = ()
    language: str | None = None
    enabled: bool = True

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not url.lower().startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return url


class SeenArticle(Message):
    """Marks an article id as produced; kept in a compacted topic so replicas and restarts skip it."""

    schema_version: Literal[1] = 1
    article_id: Identifier
    feed_id: Identifier
    first_seen_at: AwareDatetime


class FeedHealth(Message):
    """How one feed is doing, as last reported by the replica that polls it."""

    schema_version: Literal[1] = 1
    feed_id: Identifier
    url: str
    instance: str = Field(description="Replica that polled it last")
    last_poll_at: AwareDatetime
    last_outcome: str = Field(
        description="ok, not_modified, http_error, timeout, too_large, parse_error, blocked, ..."
    )
    last_status: int | None = Field(default=None, description="HTTP status of the last answer")
    last_success_at: AwareDatetime | None = None
    last_error: str | None = None
    last_error_at: AwareDatetime | None = None
    consecutive_failures: int = 0
    items_seen: int = Field(default=0, description="Entries in the last body parsed")
    new_articles: int = Field(default=0, description="New articles found in this feed since it was added")
    interval_seconds: float = 0.0
    next_poll_at: AwareDatetime | None = None
    # Added later, so optional: records written before them still decode.
    etag: str | None = Field(
        default=None,
        max_length=VALIDATOR_MAX_LENGTH,
        description="ETag to send as If-None-Match on the next poll, whichever replica makes it",
    )
    last_modified: str | None = Field(
        default=None,
        max_length=VALIDATOR_MAX_LENGTH,
        description="Last-Modified to send as If-Modified-Since on the next poll",
    )
