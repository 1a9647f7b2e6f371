"""The metric names every service promised to export (the shared metrics contract), with their labels."""

from __future__ import annotations

import re

CONTRACT: dict[str, tuple[str, ...]] = {
    "newsmon_ingest_polls_total": ("feed", "outcome"),
    "newsmon_ingest_fetch_duration_seconds": (),
    "newsmon_ingest_parse_duration_seconds": (),
    "newsmon_ingest_fetched_bytes_total": (),
    "newsmon_ingest_articles_produced_total": ("feed",),
    "newsmon_ingest_duplicates_skipped_total": (),
    "newsmon_ingest_feed_last_success_timestamp_seconds": ("feed",),
    "newsmon_ingest_feed_consecutive_failures": ("feed",),
    "newsmon_ingest_feeds_assigned": (),
    "newsmon_ingest_pending_articles": (),
    "newsmon_ingest_produce_errors_total": ("reason",),
    "newsmon_classify_articles_total": ("outcome",),
    "newsmon_classify_signals_total": ("signal", "topic"),
    "newsmon_classify_duration_seconds": (),
    "newsmon_classify_deadletter_total": ("reason",),
    "newsmon_classify_escalation_index": ("topic",),
    "newsmon_classify_window_articles": ("topic",),
    "newsmon_classify_stage_latency_seconds": (),
    "newsmon_classify_unsupported_language_total": ("lang",),
    "newsmon_classify_story_growth": ("rank", "story", "headline", "topic"),
    "newsmon_classify_story_growth_reports": ("rank", "story", "headline", "topic"),
    "newsmon_classify_story_growth_ratio": ("rank", "story", "headline", "topic"),
    "newsmon_alert_alerts_fired_total": ("rule", "severity"),
    "newsmon_alert_notifications_total": ("receiver", "outcome", "reason"),
    "newsmon_alert_delivery_latency_seconds": (),
    "newsmon_alert_pending_deliveries": (),
    "newsmon_alert_silenced_total": ("rule",),
    "newsmon_alert_suppressed_total": ("reason",),
    "newsmon_alert_end_to_end_latency_seconds": (),
    "newsmon_alert_deadletter_total": ("reason",),
    "newsmon_alert_acks_total": ("channel",),
    "newsmon_alert_time_to_ack_seconds": (),
    "newsmon_alert_ack_links_refused_total": ("reason",),
}
for _service in ("ingest", "classify", "alert"):
    CONTRACT[f"newsmon_{_service}_consumer_lag_messages"] = ("topic", "partition")
    CONTRACT[f"newsmon_{_service}_build_info"] = ("version", "instance")
    CONTRACT[f"newsmon_{_service}_ready"] = ()

_NAME = re.compile(r"\bnewsmon_[a-z_]+\b")
_REGEX_NAME = re.compile(r'__name__=~"newsmon_\(([a-z|]+)\)_([a-z_]+)"')
_SERIES_SUFFIXES = ("_bucket", "_count", "_sum")


def metric_names(expr: str) -> set[str]:
    """Contract names an expression reads: plain names (without histogram suffixes) and `__name__=~` ones."""
    names = set()
    for match in _NAME.findall(expr):
        for suffix in _SERIES_SUFFIXES:
            if match.endswith(suffix) and match.removesuffix(suffix) in CONTRACT:
                match = match.removesuffix(suffix)
        names.add(match)
    for services, rest in _REGEX_NAME.findall(expr):
        names.update(f"newsmon_{service}_{rest}" for service in services.split("|"))
    return {name for name in names if not name.startswith("newsmon_(")}
