"""Every ingest metric in one place; dashboards and alerts are built on exactly these names."""

from __future__ import annotations

import contextlib
from typing import Literal

from prometheus_client import Counter, Gauge, Histogram

PollOutcome = Literal[
    "ok",
    "not_modified",
    "http_error",
    "timeout",
    "too_large",
    "parse_error",
    "not_a_feed",
    "connection_error",
    "blocked",
]
OUTCOMES: tuple[PollOutcome, ...] = (
    "ok",
    "not_modified",
    "http_error",
    "timeout",
    "too_large",
    "parse_error",
    "not_a_feed",
    "connection_error",
    "blocked",
)
PRODUCE_ERROR_REASONS = ("timeout", "broker_unavailable", "message_too_large", "other")

_FETCH_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60)
_PARSE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)

POLLS = Counter("newsmon_ingest_polls", "Feed polls by outcome", ["feed", "outcome"])
FETCH_DURATION = Histogram(
    "newsmon_ingest_fetch_duration_seconds",
    "Time to fetch one feed, redirects included",
    buckets=_FETCH_BUCKETS,
)
PARSE_DURATION = Histogram(
    "newsmon_ingest_parse_duration_seconds",
    "Time to parse and normalise one feed body",
    buckets=_PARSE_BUCKETS,
)
FETCHED_BYTES = Counter("newsmon_ingest_fetched_bytes", "Body bytes received (after decompression)")
ARTICLES_PRODUCED = Counter("newsmon_ingest_articles_produced", "Articles acknowledged by Kafka", ["feed"])
STALE_SKIPPED = Counter(
    "newsmon_ingest_stale_entries_skipped",
    "Entries dated before ingest.seen_retention: not news, and their ids are no longer remembered",
)
UNCHANGED_BODIES = Counter(
    "newsmon_ingest_unchanged_bodies", "200 answers byte-identical to the last body, so not parsed again"
)
DUPLICATES_SKIPPED = Counter(
    "newsmon_ingest_duplicates_skipped", "Entries skipped because their article id was already produced"
)
LAST_SUCCESS = Gauge(
    "newsmon_ingest_feed_last_success_timestamp_seconds", "Unix time of the last good poll", ["feed"]
)
CONSECUTIVE_FAILURES = Gauge("newsmon_ingest_feed_consecutive_failures", "Failed polls in a row", ["feed"])
FEEDS_ASSIGNED = Gauge("newsmon_ingest_feeds_assigned", "Feeds this replica polls")
PENDING_ARTICLES = Gauge(
    "newsmon_ingest_pending_articles", "Articles parsed but not yet acknowledged by Kafka"
)
PRODUCE_ERRORS = Counter(
    "newsmon_ingest_produce_errors", "Failed produce attempts (articles are kept and retried)", ["reason"]
)

for _reason in PRODUCE_ERROR_REASONS:
    PRODUCE_ERRORS.labels(reason=_reason)


def feed_series(feed_id: str) -> None:
    """Create a feed's series at zero, so a feed that never succeeds still shows up."""
    for outcome in OUTCOMES:
        POLLS.labels(feed=feed_id, outcome=outcome)
    ARTICLES_PRODUCED.labels(feed=feed_id)
    CONSECUTIVE_FAILURES.labels(feed=feed_id)


def forget_feed(feed_id: str) -> None:
    """Drop the per-feed gauges of a feed this replica no longer polls (another replica reports it)."""
    for gauge in (LAST_SUCCESS, CONSECUTIVE_FAILURES):
        with contextlib.suppress(KeyError):
            gauge.remove(feed_id)
