"""One message to one receiver: a batch of alerts about one situation, merged for reading."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas import Alert, AlertEvidence, Severity
from services.alert.fingerprint import notification_id


@dataclass(frozen=True)
class Notification:
    receiver: str
    fingerprint: str
    alerts: tuple[Alert, ...]
    possible_repeat: bool = False
    """Sent before, maybe: an earlier attempt's outcome is unknown (a crash after sending, or a timeout).
    Receivers say so, because a webhook has no idempotency key to let the channel drop the copy."""

    def __post_init__(self) -> None:
        if not self.alerts:
            raise ValueError("a notification carries at least one alert")

    @property
    def id(self) -> str:
        return notification_id(self.receiver, self.fingerprint, self.alert_ids)

    @property
    def alert_ids(self) -> tuple[str, ...]:
        return tuple(a.id for a in self.alerts)

    @property
    def latest(self) -> Alert:
        return max(self.alerts, key=lambda a: (a.last_seen, a.fired_at))

    @property
    def title(self) -> str:
        return self.latest.title

    @property
    def summary(self) -> str:
        return self.latest.summary

    @property
    def rule_id(self) -> str:
        return self.latest.rule_id

    @property
    def topic(self) -> str | None:
        return self.latest.topic

    @property
    def severity(self) -> Severity:
        return max((a.severity for a in self.alerts), key=lambda s: s.rank)

    @property
    def signals(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(s for a in self.alerts for s in a.signals))

    @property
    def evidence(self) -> tuple[AlertEvidence, ...]:
        """Quotes of every alert, newest first, each (article, signal) once."""
        unique = {(e.article_id, e.signal): e for a in self.alerts for e in a.evidence}
        return tuple(sorted(unique.values(), key=lambda e: e.published_at, reverse=True))

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({e.source for e in self.evidence}))

    @property
    def distinct_sources(self) -> int:
        return max(len({s.strip().lower() for s in self.sources}), *(a.distinct_sources for a in self.alerts))

    @property
    def first_seen(self) -> datetime:
        return min(a.first_seen for a in self.alerts)

    @property
    def last_seen(self) -> datetime:
        return max(a.last_seen for a in self.alerts)

    @property
    def fired_at(self) -> datetime:
        return min(a.fired_at for a in self.alerts)
