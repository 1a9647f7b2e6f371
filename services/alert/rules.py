"""Alert rules as editors write them in rules.yaml: per-article, corroboration window and trend rules.

Each rule is a small validated model; what a rule *does* with articles and trend windows lives in
`services/alert/engine.py`, so this module is only the contract an editor types against.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from schemas.common import Duration, Identifier, Severity


class _RuleBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Identifier = Field(description="Stable name; used in fingerprints, routes, silences and metrics")
    title: str = Field(default="", description="Headline of the alert; the rule id when empty")
    description: str = ""
    severity: Severity = Field(default=Severity.HIGH, description="Severity of the alerts the rule fires")
    enabled: bool = True
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels for routes and silences")

    @property
    def headline(self) -> str:
        return self.title or self.id.replace("_", " ")


class ArticleRule(_RuleBase):
    """Fires on one classified article that matches every condition given."""

    kind: Literal["article"]
    topics: tuple[Identifier, ...] = Field(default=(), description="Any of these topics; empty: any")
    signals: tuple[Identifier, ...] = Field(default=(), description="Any of these signals; empty: any")
    min_escalation: float = Field(default=0.0, ge=0, le=1, description="Minimum escalation score")
    min_severity: Severity | None = Field(default=None, description="Minimum severity of a matched signal")

    @model_validator(mode="after")
    def _has_a_condition(self) -> ArticleRule:
        if not (self.topics or self.signals or self.min_escalation > 0 or self.min_severity):
            raise ValueError(
                "an article rule needs at least one of topics, signals, min_escalation or min_severity"
            )
        return self


Count = Literal["independent", "outlets", "articles"]


class WindowRule(_RuleBase):
    """Fires when every listed signal was seen often enough, from enough distinct sources, within `within`."""

    kind: Literal["window"]
    signals: tuple[Identifier, ...] = Field(min_length=1, description="All must be seen within the window")
    topics: tuple[Identifier, ...] = Field(default=(), description="Only articles on these topics")
    within: Duration = Field(default=timedelta(hours=1), description="Length of the sliding window")
    count: Count = Field(
        default="independent",
        description="What a source is: an independent report (a wire story and its syndicated copies "
        "count once), an outlet, or an article",
    )
    min_count: int = Field(default=1, ge=1, description="Sources per signal, counted as `count` says")
    min_sources: int = Field(
        default=1, ge=1, description="Sources across the window, counted as `count` says"
    )
    per_topic: bool = Field(default=True, description="Count each topic apart (one alert per topic)")

    @model_validator(mode="after")
    def _positive_window(self) -> WindowRule:
        if self.within <= timedelta(0):
            raise ValueError("within must be longer than zero")
        return self


class StoryRule(_RuleBase):
    """Fires when one story grows fast: many outlets or independent reports within `within`, or many more
    reports than in the `within` before (Europe Media Monitor's breaking-news idea)."""

    kind: Literal["story"]
    within: Duration = Field(default=timedelta(hours=1), description="Length of the sliding window")
    min_outlets: int | None = Field(default=None, ge=2, description="Outlets carrying it within the window")
    min_reports: int | None = Field(
        default=None, ge=2, description="Independent reports within the window (copies count once)"
    )
    growth: float | None = Field(
        default=None,
        gt=1,
        description="Reports within the window at least this many times those of the window before (at "
        "least 2, and min_reports when given)",
    )
    signals: tuple[Identifier, ...] = Field(default=(), description="Only stories carrying any of these")
    topics: tuple[Identifier, ...] = Field(default=(), description="Only stories on any of these topics")

    @model_validator(mode="after")
    def _has_a_threshold(self) -> StoryRule:
        if self.min_outlets is None and self.min_reports is None and self.growth is None:
            raise ValueError("a story rule needs min_outlets, min_reports or growth")
        if self.within <= timedelta(0):
            raise ValueError("within must be longer than zero")
        return self


class TrendRule(_RuleBase):
    """Fires when a topic's escalation index rises well above its trailing baseline."""

    kind: Literal["trend"]
    topics: tuple[Identifier, ...] = Field(default=(), description="Only these topics; empty: every topic")
    ratio: float | None = Field(default=None, gt=1, description="Fire at index >= ratio x baseline mean")
    zscore: float | None = Field(default=None, gt=0, description="Fire at (index - mean) / stdev >= zscore")
    baseline: Duration = Field(default=timedelta(hours=24), description="Trailing span of the baseline")
    min_baseline_windows: int = Field(default=6, ge=1, description="Fewer earlier windows: no verdict")
    min_index: float = Field(default=0.0, ge=0, description="Ignore windows whose index is below this")

    @model_validator(mode="after")
    def _has_a_threshold(self) -> TrendRule:
        if self.ratio is None and self.zscore is None:
            raise ValueError("a trend rule needs ratio, zscore or both")
        return self


Rule = Annotated[ArticleRule | WindowRule | StoryRule | TrendRule, Field(discriminator="kind")]


def _unique_ids(rules: tuple[ArticleRule | WindowRule | StoryRule | TrendRule, ...]) -> tuple[Rule, ...]:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"rule id {rule.id!r} is used twice; every rule needs its own id")
        seen.add(rule.id)
    return rules


Rules = Annotated[tuple[Rule, ...], AfterValidator(_unique_ids)]
"""The `rules:` section of newsmon.yaml (or the rules.yaml it includes)."""


def lookback(rules: tuple[Rule, ...], trend_window: timedelta = timedelta(hours=1)) -> timedelta:
    """How much history rebuilds every rule's state after a restart."""
    spans = [timedelta(0)]
    for rule in rules:
        if isinstance(rule, WindowRule):
            spans.append(rule.within)
        elif isinstance(rule, StoryRule):
            spans.append(rule.within * 2)
        elif isinstance(rule, TrendRule):
            spans.append(rule.baseline + trend_window)
    return max(spans)
