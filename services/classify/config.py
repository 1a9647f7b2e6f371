"""The `classify:` section of newsmon.yaml: trend windows and worker options."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from schemas.common import Duration


class ClassifyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    window: Duration = timedelta(hours=1)
    language_packs: str = Field(
        default="packs",
        description="Directory of language packs (<language>.yaml), relative to newsmon.yaml; without it, "
        "every article is read with the English rules",
    )
    window_step: Duration = timedelta(minutes=5)
    window_grace: Duration = Field(
        default=timedelta(minutes=2), description="How long after its end a window still takes late articles"
    )
    emit_interval: Duration = Field(
        default=timedelta(seconds=10), description="How often open windows of updated topics are emitted"
    )
    batch_size: int = Field(default=500, ge=1, le=10_000, description="Articles classified per batch")
    batch_wait: Duration = Field(
        default=timedelta(milliseconds=50), description="Longest wait to fill a batch before working"
    )
    commit_interval: Duration = Field(
        default=timedelta(seconds=2), description="How often consumed offsets are committed"
    )
    dedup_retention: Duration = Field(
        default=timedelta(days=2),
        description="How long an article id is remembered as classified. Repeats come within minutes (a "
        "worker's crash or rebalance, ingest producing again after its own crash); each day kept costs "
        "memory and start-up time for every article of that day",
    )

    story_horizon: Duration = Field(
        default=timedelta(hours=72),
        description="How long a story stays open after its latest article, and an article is checked "
        "for copies. The story stage's memory grows with the articles of this span (about 400 bytes each)",
    )

    @field_validator(
        "window",
        "window_step",
        "emit_interval",
        "batch_wait",
        "commit_interval",
        "dedup_retention",
        "story_horizon",
    )
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be longer than zero")
        return value

    @field_validator("window_grace")
    @classmethod
    def _not_negative(cls, value: timedelta) -> timedelta:
        if value < timedelta(0):
            raise ValueError("cannot be negative")
        return value

    @field_validator("window_step")
    @classmethod
    def _window_is_whole_steps(cls, step: timedelta, info: ValidationInfo) -> timedelta:
        window = info.data.get("window")
        if window is not None and (step > window or window % step):
            raise ValueError(f"the window ({window}) must be a whole number of steps ({step})")
        return step
