"""Acknowledged situations: what an acknowledgement records, what it keeps quiet, and who hears of it.

A situation is what grouping already treats as one: an alert fingerprint (rule and grouping keys). An
acknowledgement notes what had been notified about it when it was made (distinct sources, severity,
receivers, from the delivery records); until it stops holding, an alert that brings no more than that is
not notified, and one that does is notified saying who acknowledged it earlier. Every replica reads every
acknowledgement (a compacted topic), so one made through any replica quiets them all. Pure, apart from the
lock that lets the HTTP thread read the book while the polling thread updates it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from schemas import Acknowledgement, Alert, DeliveryRecord, Severity
from schemas.alert import MAX_ACK_BY, MAX_ACK_COMMENT, MAX_USED_NONCES
from services.alert import fingerprint
from services.alert.config import AckOptions

Channel = Literal["link", "cli"]
CHANNELS: tuple[Channel, ...] = ("link", "cli")
NEW_SOURCE = "a new independent source"
HIGHER_SEVERITY = "a higher severity"


@dataclass(frozen=True)
class SituationView:
    """What was notified about a situation since it was last acknowledged (or in the links' lifetime)."""

    situation: str
    title: str
    topic: str | None
    severity: Severity | None
    distinct_sources: int
    receivers: tuple[str, ...]
    first_notified_at: datetime
    last_notified_at: datetime


def summarise(
    situation: str, records: Iterable[DeliveryRecord], since: datetime | None
) -> SituationView | None:
    """The situation's delivered notifications after `since`; None when there were none."""
    sent = sorted(
        (
            r
            for r in records
            if r.fingerprint == situation
            and r.kind == "alert"
            and r.status == "delivered"
            and (since is None or r.updated_at > since)
        ),
        key=lambda r: r.updated_at,
    )
    if not sent:
        return None
    severities = [r.severity for r in sent if r.severity is not None]
    latest = sent[-1]
    return SituationView(
        situation=situation,
        title=latest.title,
        topic=latest.topic,
        severity=max(severities, key=lambda s: s.rank) if severities else None,
        distinct_sources=max(max(r.distinct_sources, len(r.sources)) for r in sent),
        receivers=tuple(dict.fromkeys(r.receiver for r in sent)),
        first_notified_at=sent[0].updated_at,
        last_notified_at=latest.updated_at,
    )


def view_for(
    situation: str,
    records: Iterable[DeliveryRecord],
    previous: Acknowledgement | None,
    now: datetime,
    options: AckOptions,
) -> SituationView | None:
    """What an acknowledgement made at `now` covers: the notifications since the previous one (if it is
    still remembered), within the links' lifetime; all of those when nothing came since."""
    records = list(records)
    recent = now - options.link_valid_for
    since = max(previous.at, recent) if previous is not None and previous.remember_until > now else recent
    return summarise(situation, records, since) or summarise(situation, records, recent)


def acknowledge(
    view: SituationView,
    by: str,
    comment: str,
    now: datetime,
    channel: Channel,
    options: AckOptions,
    nonce: str | None = None,
    previous: Acknowledgement | None = None,
) -> Acknowledgement:
    """The record of `by` acknowledging the situation of `view` at `now`; ValueError for a missing name or
    an overlong name or comment (said in words a form can show)."""
    by, comment = " ".join(by.split()), comment.strip()
    if not by:
        raise ValueError("a name is needed: who is acknowledging?")
    if len(by) > MAX_ACK_BY:
        raise ValueError(f"the name is longer than {MAX_ACK_BY} characters")
    if len(comment) > MAX_ACK_COMMENT:
        raise ValueError(f"the comment is longer than {MAX_ACK_COMMENT} characters")
    used = previous.used_nonces if previous is not None and previous.remember_until > now else ()
    if nonce is not None:
        used = (*used, nonce)[-MAX_USED_NONCES:]
    holds_until = now + options.holds_for
    return Acknowledgement(
        situation=view.situation,
        by=by,
        comment=comment,
        at=now,
        channel=channel,
        nonce=nonce,
        used_nonces=used,
        holds_until=holds_until,
        remember_until=max(holds_until, now + options.link_valid_for),
        distinct_sources=view.distinct_sources,
        severity=view.severity,
        receivers=view.receivers,
        first_notified_at=view.first_notified_at,
        title=view.title[:400],
        topic=view.topic,
    )


def breaks_through(ack: Acknowledgement, alert: Alert) -> str | None:
    """Why `alert` is news despite the acknowledgement (a higher severity, more distinct sources), or None
    when it brings nothing the acknowledger had not seen."""
    if ack.severity is not None and alert.severity > ack.severity:
        return HIGHER_SEVERITY
    if alert.distinct_sources > ack.distinct_sources:
        return NEW_SOURCE
    return None


def follow_up_id(receiver: str, ack: Acknowledgement) -> str:
    """The follow-up to one receiver about one acknowledgement: the same on every replica and restart."""
    return fingerprint.follow_up_id(receiver, ack.situation, f"{ack.at.isoformat()} {ack.by}")


class AckBook:
    """The latest acknowledgement of every situation, as read from the acks topic."""

    def __init__(self) -> None:
        self._by_situation: dict[str, Acknowledgement] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._by_situation)

    def apply(self, situation: str, ack: Acknowledgement | None) -> None:
        with self._lock:
            if ack is None:
                self._by_situation.pop(situation, None)
            else:
                self._by_situation[situation] = ack

    def get(self, situation: str) -> Acknowledgement | None:
        with self._lock:
            return self._by_situation.get(situation)

    def all(self) -> list[Acknowledgement]:
        with self._lock:
            return list(self._by_situation.values())

    def holding(self, situation: str, now: datetime) -> Acknowledgement | None:
        """The acknowledgement keeping `situation` quiet at `now`, if any."""
        ack = self.get(situation)
        return ack if ack is not None and now < ack.holds_until else None

    def used(self, situation: str, nonce: str) -> bool:
        """Whether the link with this nonce already acknowledged the situation."""
        ack = self.get(situation)
        return ack is not None and nonce in ack.used_nonces

    def forget_before(self, now: datetime) -> int:
        """Drop acknowledgements past their horizon: no longer holding, and their links expired."""
        with self._lock:
            old = [s for s, a in self._by_situation.items() if a.remember_until <= now]
            for situation in old:
                del self._by_situation[situation]
        return len(old)
