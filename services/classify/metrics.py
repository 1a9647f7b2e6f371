"""Every metric of the classify service, in one place so dashboards and alert rules can trust the names."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from schemas.bounds import clip
from services.classify.stories import Growing
from streambase.metrics import ConsumerLag, build_info

OUTCOMES = ("classified", "duplicate", "invalid")
DEADLETTER_REASONS = (
    "empty",
    "invalid_json",
    "schema",
    "unsupported_schema_version",
    "classify_error",
    "invalid_handoff",
)
STORY_ASSIGNMENTS = ("new_story", "report", "copy")
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)
DURATION_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5)
GROWING_STORIES = 10
"""Stories the growth gauges show: series of a story that leaves them are removed, so each gauge holds
at most this many."""
GROWTH_LABELS = ("rank", "story", "headline", "topic")
LABEL_CHARS = 80
_DROPPED = {"Cf", "Cs", "Co", "Cn"}
"""Format controls (bidi overrides, zero-width marks), lone surrogates, private and unassigned code
points: left out of label values. Other controls and separators become spaces."""


@dataclass
class ClassifyMetrics:
    registry: CollectorRegistry = REGISTRY
    articles: Counter = field(init=False)
    signals: Counter = field(init=False)
    duration: Histogram = field(init=False)
    deadletter: Counter = field(init=False)
    escalation_index: Gauge = field(init=False)
    window_articles: Gauge = field(init=False)
    stage_latency: Histogram = field(init=False)
    trend_windows: Counter = field(init=False)
    late_contributions: Counter = field(init=False)
    rereads: Counter = field(init=False)
    story_assignments: Counter = field(init=False)
    stories_open: Gauge = field(init=False)
    unsupported_language: Counter = field(init=False)
    story_articles: Gauge = field(init=False)
    story_reports: Histogram = field(init=False)
    story_latency: Histogram = field(init=False)
    story_growth: Gauge = field(init=False)
    story_growth_reports: Gauge = field(init=False)
    story_growth_ratio: Gauge = field(init=False)
    lag: ConsumerLag = field(init=False)
    _growing: set[tuple[str, ...]] = field(init=False, default_factory=set)

    def __post_init__(self) -> None:
        r = self.registry
        self.articles = Counter(
            "newsmon_classify_articles_total", "Articles consumed, by outcome", ["outcome"], registry=r
        )
        self.signals = Counter(
            "newsmon_classify_signals_total",
            "Signals found, by signal and topic ('none' for an article without topic)",
            ["signal", "topic"],
            registry=r,
        )
        self.duration = Histogram(
            "newsmon_classify_duration_seconds",
            "Time to classify one article",
            buckets=DURATION_BUCKETS,
            registry=r,
        )
        self.unsupported_language = Counter(
            "newsmon_classify_unsupported_language_total",
            "Articles written in a language the taxonomy has no rules for, by detected language",
            ["lang"],
            registry=r,
        )
        self.deadletter = Counter(
            "newsmon_classify_deadletter_total",
            "Messages sent to the dead-letter topic",
            ["reason"],
            registry=r,
        )
        self.escalation_index = Gauge(
            "newsmon_classify_escalation_index",
            "Escalation index of the topic's latest closed trend window",
            ["topic"],
            registry=r,
        )
        self.window_articles = Gauge(
            "newsmon_classify_window_articles",
            "Articles in the topic's latest emitted trend window",
            ["topic"],
            registry=r,
        )
        self.stage_latency = Histogram(
            "newsmon_classify_stage_latency_seconds",
            "From the article's fetched_at to its classification",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.trend_windows = Counter(
            "newsmon_classify_trend_windows_total",
            "Trend windows emitted, provisional or final",
            ["kind"],
            registry=r,
        )
        self.late_contributions = Counter(
            "newsmon_classify_late_articles_total",
            "Articles too late for any open trend window of their topic",
            registry=r,
        )
        self.rereads = Counter(
            "newsmon_classify_rereads_total",
            "Seeks back to offsets the stream skipped (they are read and classified again)",
            ["topic"],
            registry=r,
        )
        self._story_metrics(r)
        self._growth_metrics(r)
        for outcome in OUTCOMES:
            self.articles.labels(outcome=outcome)
        for reason in DEADLETTER_REASONS:
            self.deadletter.labels(reason=reason)
        for kind in ("provisional", "final"):
            self.trend_windows.labels(kind=kind)
        self.lag = ConsumerLag("classify", registry=r)

    def _story_metrics(self, r: CollectorRegistry) -> None:
        self.story_assignments = Counter(
            "newsmon_classify_story_assignments_total",
            "Articles the story stage assigned: starting a story, joining one as an independent report, "
            "or as a copy of an earlier article",
            ["kind"],
            registry=r,
        )
        for kind in STORY_ASSIGNMENTS:
            self.story_assignments.labels(kind=kind)
        self.stories_open = Gauge(
            "newsmon_classify_stories_open",
            "Stories within the story horizon, on the stage's worker",
            registry=r,
        )
        self.story_articles = Gauge(
            "newsmon_classify_story_book_articles",
            "Articles within the story horizon (checked for copies), on the stage's worker",
            registry=r,
        )
        self.story_reports = Histogram(
            "newsmon_classify_story_reports",
            "Independent reports of the story an article joined, as it joined",
            buckets=(1, 2, 3, 5, 10, 20, 50, 100),
            registry=r,
        )
        self.story_latency = Histogram(
            "newsmon_classify_story_latency_seconds",
            "From an article's classification to its story assignment (the hand-off to the story stage)",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )

    def _growth_metrics(self, r: CollectorRegistry) -> None:
        self.story_growth = Gauge(
            "newsmon_classify_story_growth",
            "Outlets that first carried the story in the last hour, for the fastest-growing stories "
            "(rank 1 is the story that gained the most outlets, then independent reports)",
            GROWTH_LABELS,
            registry=r,
        )
        self.story_growth_reports = Gauge(
            "newsmon_classify_story_growth_reports",
            "Independent reports the story gained in the last hour, for the fastest-growing stories",
            GROWTH_LABELS,
            registry=r,
        )
        self.story_growth_ratio = Gauge(
            "newsmon_classify_story_growth_ratio",
            "Independent reports of the last hour against those of the hour before (at least one), for "
            "the fastest-growing stories: what a story rule's growth is compared with",
            GROWTH_LABELS,
            registry=r,
        )

    def publish_growing(self, growing: Sequence[Growing]) -> None:
        """Show these stories (fastest-growing first) in the growth gauges, and remove the series of every
        story no longer among the first `GROWING_STORIES` or no longer at its rank."""
        shown = {
            (str(rank), grown.story_id, label_text(grown.headline), grown.topic or "none"): grown
            for rank, grown in enumerate(growing[:GROWING_STORIES], start=1)
        }
        gauges = (self.story_growth, self.story_growth_reports, self.story_growth_ratio)
        for labels in self._growing.difference(shown):
            for gauge in gauges:
                gauge.remove(*labels)
        for labels, grown in shown.items():
            self.story_growth.labels(*labels).set(grown.new_outlets)
            self.story_growth_reports.labels(*labels).set(grown.new_reports)
            self.story_growth_ratio.labels(*labels).set(grown.growth)
        self._growing = set(shown)

    def publish_build_info(self, instance: str) -> None:
        build_info("classify", instance, registry=self.registry)


def label_text(text: str, limit: int = LABEL_CHARS) -> str:
    """Feed text as a label value: one line of printable characters, spaces collapsed, at most `limit`
    characters (cut at a word where one is near); "-" when nothing is left."""
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category not in _DROPPED:
            kept.append(" " if category[0] in "CZ" else char)
    return clip(" ".join("".join(kept).split()), limit) or "-"
