"""Trend windows: what the classify service emits per topic and hopping window."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from schemas.common import AwareDatetime, Identifier, Message


class TrendWindow(Message):
    """Aggregates of one topic over [window_start, window_end)."""

    schema_version: Literal[1] = 1
    topic: Identifier
    window_start: AwareDatetime
    window_end: AwareDatetime
    article_count: int = Field(ge=0)
    signal_counts: dict[str, int] = Field(default_factory=dict)
    distinct_sources: int = Field(ge=0)
    escalation_mean: float = Field(ge=0, le=1)
    escalation_max: float = Field(ge=0, le=1)
    escalation_index: float = Field(ge=0, description="See docs: how much escalation the window carries")
    emitted_at: AwareDatetime

    @property
    def key(self) -> str:
        return f"{self.topic}@{self.window_start.isoformat()}"
