"""Alerts, their delivery records, acknowledgements and silences."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.common import AwareDatetime, Identifier, Message, Severity


class AlertEvidence(Message):
    """A quote that made the alert fire, with the article it came from."""

    article_id: Identifier
    source: str
    title: str
    url: str | None = None
    signal: Identifier | None = None
    quote: str
    sentence: str = ""
    published_at: AwareDatetime
    fetched_at: AwareDatetime | None = Field(default=None, description="When ingest fetched the article")
    language: str | None = Field(
        default=None, max_length=8, description="Language of the quote (ISO 639-1), as classify told it"
    )


class Alert(Message):
    """A rule that fired. `id` is unique per notification-worthy occurrence; `fingerprint` per situation."""

    schema_version: Literal[1] = 1
    id: Identifier
    fingerprint: str = Field(description="Hash of the rule and its grouping keys")
    rule_id: Identifier
    rule_kind: Literal["article", "window", "trend", "story"]
    severity: Severity
    title: str
    summary: str = ""
    topic: Identifier | None = None
    signals: tuple[Identifier, ...] = ()
    labels: dict[str, str] = Field(default_factory=dict, description="What routes and silences match on")
    evidence: tuple[AlertEvidence, ...] = ()
    distinct_sources: int = Field(default=0, ge=0)
    first_seen: AwareDatetime
    last_seen: AwareDatetime
    fired_at: AwareDatetime


DeliveryStatus = Literal["delivered", "failed", "pending"]


class DeliveryRecord(Message):
    """What happened to one alert at one receiver; kept in a compacted topic keyed by `notification_id`."""

    schema_version: Literal[1] = 1
    notification_id: str
    alert_id: Identifier
    receiver: Identifier
    status: DeliveryStatus
    attempts: int = Field(ge=0)
    last_error: str | None = None
    updated_at: AwareDatetime
    fingerprint: str = Field(default="", description="The situation notified; rebuilds group state")
    alert_ids: tuple[Identifier, ...] = Field(default=(), description="Every alert this notification carried")
    sources: tuple[str, ...] = Field(default=(), description="Distinct sources quoted in the notification")
    severity: Severity | None = None
    kind: Literal["alert", "ack", "digest", "digest_start"] = Field(
        default="alert",
        description="`ack`: the follow-up saying a situation was acknowledged; `digest`: a receiver's digest "
        "of `period_start`..`period_end`; `digest_start`: the period a receiver's digests begin with",
    )
    title: str = Field(default="", description="Headline notified; shown on the acknowledge page")
    topic: Identifier | None = None
    distinct_sources: int = Field(default=0, ge=0, description="Distinct sources the notification counted")
    period_start: AwareDatetime | None = Field(default=None, description="A digest's period (UTC)")
    period_end: AwareDatetime | None = None


MAX_ACK_BY = 100
MAX_ACK_COMMENT = 500
MAX_USED_NONCES = 50


class Acknowledgement(Message):
    """Someone has a situation in hand; kept in a compacted topic keyed by `situation`, latest only.

    Until `holds_until`, alerts of the situation are not notified unless they bring more distinct sources
    or a higher severity than `distinct_sources` and `severity`, what had been notified when it was made.
    `used_nonces` are the acknowledge links already used on the situation (a link works once); the record
    is kept until `remember_until`, when every link it could refuse has expired anyway."""

    schema_version: Literal[1] = 1
    situation: str = Field(min_length=1, max_length=64, description="The alert fingerprint")
    by: str = Field(min_length=1, max_length=MAX_ACK_BY)
    comment: str = Field(default="", max_length=MAX_ACK_COMMENT)
    at: AwareDatetime
    channel: Literal["link", "cli"]
    nonce: str | None = Field(default=None, max_length=32, description="The link's nonce, if by link")
    used_nonces: tuple[str, ...] = Field(default=(), max_length=MAX_USED_NONCES)
    holds_until: AwareDatetime
    remember_until: AwareDatetime
    distinct_sources: int = Field(default=0, ge=0)
    severity: Severity | None = None
    receivers: tuple[Identifier, ...] = Field(default=(), description="Who got the situation: the follow-up")
    first_notified_at: AwareDatetime | None = Field(
        default=None, description="First notification since the previous acknowledgement"
    )
    title: str = Field(default="", max_length=400)
    topic: Identifier | None = None


class Silence(Message):
    """Mutes alerts whose labels match every matcher, between starts_at and ends_at."""

    schema_version: Literal[1] = 1
    id: Identifier
    matchers: dict[str, str] = Field(min_length=1)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    comment: str = ""
    created_by: str = ""
    created_at: AwareDatetime

    def active_at(self, moment: AwareDatetime) -> bool:
        return self.starts_at <= moment < self.ends_at

    def matches(self, labels: dict[str, str]) -> bool:
        return all(labels.get(k) == v for k, v in self.matchers.items())
