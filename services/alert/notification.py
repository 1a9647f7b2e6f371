"""One message to one receiver: a batch of alerts about one situation, merged for reading.

Everything a receiver shows of a group comes from here, so its summary line and its facts cannot disagree:
the summary of a group is made from the same counts the facts and the quotes show (`quotes`,
`distinct_sources`, the number of alerts), never taken from one alert of the group."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from schemas import Alert, AlertEvidence, Severity
from services.alert.digest import Digest
from services.alert.fingerprint import notification_id
from services.alert.names import NO_NAMES, DisplayNames
from services.alert.wording import alert_summary, count, describe

MAX_LEAD = 300
"""Characters of a group summary's lead; every receiver allows a summary of at least 1,000."""


@dataclass(frozen=True)
class AckNote:
    """The situation was acknowledged earlier, and this message is news all the same: `reason` says why."""

    by: str
    at: datetime
    reason: str
    comment: str = ""

    @property
    def text(self) -> str:
        return f"Acknowledged earlier by {self.by} ({self.at:%Y-%m-%d %H:%M UTC}); sent again: {self.reason}."


@dataclass(frozen=True)
class Notification:
    receiver: str
    fingerprint: str
    alerts: tuple[Alert, ...]
    possible_repeat: bool = False
    """Sent before, maybe: an earlier attempt's outcome is unknown (a crash after sending, or a timeout).
    Receivers say so, because a webhook has no idempotency key to let the channel drop the copy."""
    names: DisplayNames = NO_NAMES
    """Labels of topics and signals, for everything a person reads."""
    ack_url: str | None = None
    """Where to acknowledge the situation; None when links are not configured."""
    acknowledged: AckNote | None = None

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
        """One line in people's words. One alert: its own summary, ids put as labels. A group: what fired,
        then its counts: "Evacuation on Iran–Israel conflict: 2 alerts from 3 sources, 4 quotes"."""
        if len(self.alerts) == 1:
            return alert_summary(self.alerts[0], self.names)
        counts = (
            f"{count(len(self.alerts), 'alert')} from {count(self.distinct_sources, 'source')}, "
            f"{count(self.quotes, 'quote')}"
        )
        return f"{self.lead}: {counts}"

    @property
    def lead(self) -> str:
        """What fired, where: "Evacuation + Military strike on Iran–Israel conflict"; cut to `MAX_LEAD`, so
        that a summary cut by a receiver's limit never loses the counts that follow it."""
        lead = describe(self.signals, self.topic, self.names) or self.title
        return lead if len(lead) <= MAX_LEAD else lead[: MAX_LEAD - 1] + "…"

    @property
    def rule_id(self) -> str:
        return self.latest.rule_id

    @property
    def topic(self) -> str | None:
        return self.latest.topic

    @property
    def topic_label(self) -> str | None:
        return self.names.topic(self.topic) if self.topic else None

    @property
    def signal_labels(self) -> tuple[str, ...]:
        return tuple(self.names.signal(s) for s in self.signals)

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
    def quotes(self) -> int:
        """How many quotes the message carries: those shown plus those counted as not shown."""
        return len(self.evidence)

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


@dataclass(frozen=True)
class FollowUp:
    """A short message to a receiver that got a situation: someone acknowledged it. Sent, retried and
    recorded like a notification (its `id` is the same on every replica), so it arrives once."""

    id: str
    receiver: str
    fingerprint: str
    title: str
    by: str
    at: datetime
    comment: str = ""
    topic_label: str | None = None
    possible_repeat: bool = False

    @property
    def text(self) -> str:
        """ "Acknowledged by Dana (on it, calling the bureau)": what every receiver says first."""
        return f"Acknowledged by {self.by}" + (f" ({self.comment})" if self.comment else "")

    @property
    def about(self) -> str:
        """Which situation: its headline and topic, and its id as `newsmon ack` takes it."""
        topic = f" [{self.topic_label}]" if self.topic_label else ""
        return f"{self.title or 'Situation'}{topic} · situation {self.fingerprint}"


Message = Notification | FollowUp | Digest
"""What a receiver sends."""
