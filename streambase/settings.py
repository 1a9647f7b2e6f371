"""Settings of the stream base, from NEWSMON_* environment variables (see README, Settings)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class DeadLetterLimit(BaseSettings):
    """How much dead-lettering a consumer tolerates before it stops (NEWSMON_DEADLETTER_*)."""

    model_config = SettingsConfigDict(env_prefix="NEWSMON_DEADLETTER_", extra="ignore")

    max_consecutive: int = Field(
        default=100, ge=1, description="Unusable messages in a row after which the consumer stops"
    )
    max_ratio: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of unusable messages among the last `sample` that stops it",
    )
    sample: int = Field(default=1000, ge=1, description="How many recent messages the share is taken over")
