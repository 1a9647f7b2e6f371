"""The `alerting:` section of newsmon.yaml: timing, routes and retries.

Receivers themselves (Slack webhook, SMTP server) are deployment settings with secrets, so they come from
NEWSMON_* variables; this section only says which of them gets what.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from schemas.common import Duration, Identifier, Severity
from streambase.kafka import ReplicaTimeout

ReceiverName = Literal["slack", "email", "console"]
RECEIVER_NAMES: tuple[ReceiverName, ...] = ("slack", "email", "console")


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
    commit_interval: Duration = Field(
        default=timedelta(seconds=1), description="Commit consumer offsets at most this often"
    )
    replica_timeout: ReplicaTimeout = Field(
        default=timedelta(seconds=15),
        description="Silence after which a replica counts as dead and its alerts move to the others",
    )
