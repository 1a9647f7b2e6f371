"""Alerts, their delivery records and silences."""

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
