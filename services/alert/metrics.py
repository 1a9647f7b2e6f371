"""Every metric of the alert service, in one place so dashboards and alert rules can trust the names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from services.alert.config import RECEIVER_NAMES
from services.alert.rules import Rule
from streambase.metrics import ConsumerLag, build_info

NOTIFY_OUTCOMES = ("delivered", "retried", "failed")
COMMON_FAILURES = (("retried", "connection_error"), ("retried", "rate_limited"), ("failed", "gave_up"))
SUPPRESS_REASONS = ("grouped", "repeat_interval", "duplicate", "acknowledged")
DEADLETTER_REASONS = ("empty", "invalid_json", "schema", "unsupported_schema_version")
ACK_CHANNELS = ("link", "cli")
ACK_REFUSALS = ("malformed", "forged", "expired", "replayed")
ACK_BUCKETS = (60, 300, 600, 1800, 3600, 7200, 14400, 28800, 86400, 172800, 604800)
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400)


@dataclass
class AlertMetrics:
    registry: CollectorRegistry = REGISTRY
    fired: Counter = field(init=False)
    notifications: Counter = field(init=False)
    delivery_latency: Histogram = field(init=False)
    pending: Gauge = field(init=False)
    silenced: Counter = field(init=False)
    suppressed: Counter = field(init=False)
    end_to_end: Histogram = field(init=False)
    deadletter: Counter = field(init=False)
    acks: Counter = field(init=False)
    time_to_ack: Histogram = field(init=False)
    ack_links_refused: Counter = field(init=False)
    lag: ConsumerLag = field(init=False)

    def __post_init__(self) -> None:
        r = self.registry
        self.fired = Counter(
            "newsmon_alert_alerts_fired_total",
            "Alerts fired by rules, each counted once by the replica that handles it",
            ["rule", "severity"],
            registry=r,
        )
        self.notifications = Counter(
            "newsmon_alert_notifications_total",
            "Notification attempts by receiver and outcome; reason is 'ok' on success",
            ["receiver", "outcome", "reason"],
            registry=r,
        )
        self.delivery_latency = Histogram(
            "newsmon_alert_delivery_latency_seconds",
            "From the alert firing to its notification being delivered",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.pending = Gauge(
            "newsmon_alert_pending_deliveries",
            "Notifications waiting in a group or for a receiver (including retries)",
            registry=r,
        )
        self.silenced = Counter(
            "newsmon_alert_silenced_total", "Alerts muted by a silence", ["rule"], registry=r
        )
        self.suppressed = Counter(
            "newsmon_alert_suppressed_total",
            "Alerts not sent on their own: grouped, inside repeat_interval, or duplicates",
            ["reason"],
            registry=r,
        )
        self.end_to_end = Histogram(
            "newsmon_alert_end_to_end_latency_seconds",
            "From the first evidence article being fetched to the notification being delivered",
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.deadletter = Counter(
            "newsmon_alert_deadletter_total", "Messages sent to the dead-letter topic", ["reason"], registry=r
        )
        self.acks = Counter(
            "newsmon_alert_acks_total",
            "Situations acknowledged, by link or with `newsmon ack`; counted by the replica owning each",
            ["channel"],
            registry=r,
        )
        self.time_to_ack = Histogram(
            "newsmon_alert_time_to_ack_seconds",
            "From a situation's first notification (since it was last acknowledged) to its acknowledgement",
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.ack_links_refused = Counter(
            "newsmon_alert_ack_links_refused_total",
            "Acknowledge links refused; the person is only told 'invalid or expired link'",
            ["reason"],
            registry=r,
        )
        self.lag = ConsumerLag("alert", registry=r)

    def precreate(self, rules: Iterable[Rule], receivers: Iterable[str] = RECEIVER_NAMES) -> None:
        """Series that exist at zero, so rates and alerts work before the first event."""
        for rule in rules:
            self.fired.labels(rule=rule.id, severity=rule.severity.value)
            self.silenced.labels(rule=rule.id)
        for receiver in receivers:
            self.notifications.labels(receiver=receiver, outcome="delivered", reason="ok")
            for outcome, reason in COMMON_FAILURES:
                self.notifications.labels(receiver=receiver, outcome=outcome, reason=reason)
        for reason in SUPPRESS_REASONS:
            self.suppressed.labels(reason=reason)
        for reason in DEADLETTER_REASONS:
            self.deadletter.labels(reason=reason)
        for channel in ACK_CHANNELS:
            self.acks.labels(channel=channel)
        for reason in ACK_REFUSALS:
            self.ack_links_refused.labels(reason=reason)

    def info(self, instance: str) -> None:
        build_info("alert", instance, self.registry)
