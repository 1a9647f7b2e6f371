"""The `alerting:` section of newsmon.yaml: timing, routes and retries.

Receivers are named in the `receivers:` section (services/alert/receiver_specs.py), with their secrets in
the environment, or are the built-in `slack`, `email` and `console`; this section only says which of them
gets what.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from schemas.common import Duration, Identifier, Severity
from streambase.kafka import ReplicaTimeout

ReceiverName = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")]
"""A receiver's name: lower case letters, digits, `-` and `_`; it keys delivery records and labels metrics."""
RECEIVER_NAMES: tuple[str, ...] = ("slack", "email", "console")
"""The receivers the old variables configure (and the console), which exist without a `receivers:` entry."""


class Route(BaseModel):
    """Sends alerts whose labels match to the named receivers. The first matching route wins."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: tuple[Identifier, ...] = Field(default=(), description="Any of these rule ids; empty: any")
    topics: tuple[Identifier, ...] = Field(default=(), description="Any of these topics; empty: any")
    min_severity: Severity | None = Field(default=None, description="At least this severity")
    match: dict[str, str] = Field(default_factory=dict, description="Labels that must all be equal")
    receivers: tuple[ReceiverName, ...] = Field(min_length=1)
    continue_: bool = Field(
        default=False, alias="continue", description="Also try the routes after this one when it matches"
    )


class RetryOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    initial: Duration = Field(default=timedelta(seconds=1), description="First backoff after a failure")
    maximum: Duration = Field(default=timedelta(minutes=1), description="Longest backoff between tries")
    give_up_after: Duration = Field(
        default=timedelta(hours=6), description="A notification still failing after this is kept as failed"
    )

    @model_validator(mode="after")
    def _ordered(self) -> RetryOptions:
        if not timedelta(0) < self.initial <= self.maximum:
            raise ValueError("retry needs 0 < initial <= maximum")
        return self


MAX_BASE_URL = 200
LONGEST_ACK = timedelta(days=30)
"""Longest an acknowledgement or its link may last: the acks topic keeps records 31 days."""


class AckOptions(BaseModel):
    """Acknowledging situations: by link (when `public_base_url` is set) or with `newsmon ack`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    public_base_url: str | None = Field(
        default=None,
        description="Where people reach the alert service's HTTP port (a proxy in front of it): links "
        "read <public_base_url>/ack/<token>. Unset: notifications carry no link",
    )
    link_valid_for: Duration = Field(
        default=timedelta(days=7), description="An acknowledge link works this long after it was sent"
    )
    holds_for: Duration = Field(
        default=timedelta(hours=24),
        description="An acknowledged situation stays quiet this long, unless it brings a new independent "
        "source or a higher severity",
    )

    @field_validator("public_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http:// or https:// URL, e.g. https://newsmon.example.org")
        if parts.query or parts.fragment or len(value) > MAX_BASE_URL:
            raise ValueError(f"must have no query or fragment and at most {MAX_BASE_URL} characters")
        return value.strip().rstrip("/")

    @field_validator("link_valid_for", "holds_for")
    @classmethod
    def _bounded(cls, value: timedelta) -> timedelta:
        if not timedelta(minutes=1) <= value <= LONGEST_ACK:
            raise ValueError("must be between 1m and 30d")
        return value


class AlertingOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    group_wait: Duration = Field(
        default=timedelta(seconds=30), description="Wait this long after a new situation to gather hits"
    )
    group_interval: Duration = Field(
        default=timedelta(minutes=5), description="Least time between two messages about one situation"
    )
    repeat_interval: Duration = Field(
        default=timedelta(hours=4),
        description="A situation already notified is re-sent only with new sources or after this long",
    )
    receivers: tuple[ReceiverName, ...] = Field(
        default=(), description="Receivers of alerts no route matches; empty: every configured receiver"
    )
    routes: tuple[Route, ...] = ()
    retry: RetryOptions = RetryOptions()
    ack: AckOptions = AckOptions()
    commit_interval: Duration = Field(
        default=timedelta(seconds=1), description="Commit consumer offsets at most this often"
    )
    replica_timeout: ReplicaTimeout = Field(
        default=timedelta(seconds=15),
        description="Silence after which a replica counts as dead and its alerts move to the others",
    )
