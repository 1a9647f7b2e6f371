"""The `ingest:` section of newsmon.yaml: how feeds are polled."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from schemas.common import Duration
from services.ingest.addresses import parse_entry
from streambase.kafka import ReplicaTimeout

DEFAULT_USER_AGENT = "newsmon/{version} (news monitoring feed reader)"


class IngestOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    default_interval: Duration = Field(
        default=timedelta(minutes=5), description="First interval of a new feed"
    )
    min_interval: Duration = timedelta(minutes=1)
    max_interval: Duration = timedelta(minutes=30)
    max_backoff: Duration = Field(
        default=timedelta(hours=6), description="Longest wait after repeated failures or a Retry-After"
    )
    concurrency: int = Field(default=64, ge=1, description="Fetches in flight at once")
    per_host_concurrency: int = Field(default=4, ge=1, description="Fetches in flight per host")
    connect_timeout: Duration = timedelta(seconds=10)
    read_timeout: Duration = timedelta(seconds=20)
    total_timeout: Duration = timedelta(seconds=60)
    max_body_bytes: int = Field(default=15_000_000, ge=1024)
    max_redirects: int = Field(default=5, ge=0)
    user_agent: str = Field(
        default=DEFAULT_USER_AGENT, min_length=1, description="'{version}' is replaced by newsmon's version"
    )
    replica_timeout: ReplicaTimeout = Field(
        default=timedelta(seconds=15),
        description="Silence after which a replica counts as dead and its feeds move to the others",
    )
    seen_retention: Duration = Field(
        default=timedelta(days=30),
        description="How long produced ids are remembered; entries dated earlier than this are not news",
    )
    max_pending_articles: int = Field(
        default=100_000, ge=100, description="Articles kept in memory while Kafka is unreachable"
    )
    allow_private_networks: bool | tuple[str, ...] = Field(
        default=False,
        description="Whether feeds and their redirects may reach loopback, link-local, private (RFC 1918), "
        "unique-local and similar addresses: false, true, or a list of host names and CIDRs allowed to",
    )

    @field_validator("allow_private_networks", mode="before")
    @classmethod
    def _allow_list(cls, value: object) -> object:
        if isinstance(value, bool):
            return value
        if isinstance(value, list | tuple):
            for entry in value:
                parse_entry(entry)  # a ValueError naming the entry and what is wrong with it
            return tuple(entry.strip() for entry in value)
        raise ValueError(
            "must be false, true or a list of host names and CIDRs, e.g. [intranet.example.org, 10.20.0.0/16]"
        )

    @model_validator(mode="after")
    def _ordered_intervals(self) -> IngestOptions:
        if not self.min_interval <= self.default_interval <= self.max_interval:
            raise ValueError("intervals must satisfy min_interval <= default_interval <= max_interval")
        if self.seen_retention < timedelta(days=1):
            raise ValueError("seen_retention must be at least 1d, or articles would be produced again")
        return self
