"""Who still needs to hear that a situation was acknowledged: the follow-ups the owner of the situation
sends, once each, to the receivers that got it.

The owner is the replica whose notify stage owns the situation's partition of the alerts topic, so one
replica sends them; the delivery records say which were sent already (by this replica before a restart, or
by the previous owner), and one whose last record is an attempt is sent again marked as a possible repeat.
Pure: time and ownership are passed in.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from schemas import Acknowledgement, DeliveryRecord
from services.alert.acks import follow_up_id
from services.alert.names import DisplayNames
from services.alert.notification import FollowUp

FINAL = ("delivered", "failed")


@dataclass
class Plan:
    messages: list[FollowUp] = field(default_factory=list)
    fresh: list[Acknowledgement] = field(default_factory=list)
    """Acknowledgements no replica acted on before: each is counted (metrics) once, here."""


class FollowUpPlanner:
    def __init__(self, names: DisplayNames, started_at: datetime) -> None:
        self._names = names
        self._started_at = started_at
        self._recorded: dict[str, tuple[str, datetime]] = {}
        self._planned: set[tuple[str, datetime]] = set()

    def record(self, record: DeliveryRecord) -> None:
        """A follow-up's delivery record (any replica's): its attempt, then its outcome."""
        self._recorded[record.notification_id] = (record.status, record.updated_at)

    def plan(
        self,
        acks: Iterable[Acknowledgement],
        owns: Callable[[str], bool],
        receivers: Collection[str],
        now: datetime,
    ) -> Plan:
        """Follow-ups to send now for acknowledgements still holding, of situations this replica owns, not
        planned here before; each once per receiver."""
        plan = Plan()
        for ack in acks:
            key = (ack.situation, ack.at)
            if now >= ack.holds_until or key in self._planned or not owns(ack.situation):
                continue
            self._planned.add(key)
            targets = [r for r in ack.receivers if r in receivers]
            status = {r: self._recorded.get(follow_up_id(r, ack), ("", now))[0] for r in targets}
            if not any(status.values()) and (targets or ack.at >= self._started_at):
                plan.fresh.append(ack)
            plan.messages += [
                self._message(r, ack, status[r] == "pending") for r in targets if status[r] not in FINAL
            ]
        return plan

    def _message(self, receiver: str, ack: Acknowledgement, repeat: bool) -> FollowUp:
        return FollowUp(
            id=follow_up_id(receiver, ack),
            receiver=receiver,
            fingerprint=ack.situation,
            title=ack.title,
            by=ack.by,
            at=ack.at,
            comment=ack.comment,
            topic_label=self._names.topic(ack.topic) if ack.topic else None,
            possible_repeat=repeat,
        )

    def let_go(self, revoked: Callable[[str], bool]) -> None:
        """Situations handed to another replica: plan them again should they come back."""
        self._planned = {k for k in self._planned if not revoked(k[0])}

    def forget_before(self, cutoff: datetime, current: Iterable[Acknowledgement]) -> None:
        """Drop records older than `cutoff`, and plans of acknowledgements no longer in the book."""
        self._recorded = {i: r for i, r in self._recorded.items() if r[1] >= cutoff}
        keep = {(a.situation, a.at) for a in current}
        self._planned &= keep
