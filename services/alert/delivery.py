"""Delivery queues: one FIFO per receiver, retried with backoff, so a receiver that is down for a while
gets everything afterwards, in order, once; a permanent refusal ends the job as failed.

Only the head of a receiver's queue is tried, which keeps the order; other receivers are not held up.
Attempts are handed out one at a time (`attempts_due`), so the caller records each outcome before the next
send: a crash can then leave at most one message whose outcome is unknown.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Generic, Literal, TypeVar

from services.alert.digest import Digest
from services.alert.notification import Message, Notification
from services.alert.receivers import Receiver
from services.alert.retry import Backoff, Delivered, Permanent, Retry, Verdict
from streambase.clock import Clock

log = logging.getLogger(__name__)

P = TypeVar("P")

MAX_ATTEMPTS_PER_RUN = 20
"""Sends per receiver per call, so a long backlog never keeps the consumer from polling."""
OUTCOME_UNKNOWN = frozenset({"timeout"})
"""Retry reasons after which the message may have arrived all the same: the next try says it may repeat."""


@dataclass
class Job(Generic[P]):
    notification: Message
    """A notification, or a follow-up saying its situation was acknowledged (no positions: no alert waits
    on it)."""
    positions: list[P]
    enqueued_at: datetime
    next_try_at: datetime
    attempts: int = 0
    last_reason: str | None = None


@dataclass(frozen=True)
class Event(Generic[P]):
    """One attempt's result. `final` events (delivered, failed) end the job."""

    job: Job[P]
    outcome: Literal["delivered", "retried", "failed"]
    reason: str
    detail: str
    at: datetime

    @property
    def final(self) -> bool:
        return self.outcome != "retried"


@dataclass
class _Queue(Generic[P]):
    jobs: deque[Job[P]] = field(default_factory=deque)


class Dispatcher(Generic[P]):
    def __init__(
        self,
        receivers: Mapping[str, Receiver],
        clock: Clock,
        backoff: Backoff | None = None,
        give_up_after: timedelta = timedelta(hours=6),
    ) -> None:
        self.receivers = dict(receivers)
        self._clock = clock
        self._backoff = backoff or Backoff()
        self._give_up_after = give_up_after
        self._queues: dict[str, _Queue[P]] = {name: _Queue() for name in receivers}

    def enqueue(self, notification: Message, positions: list[P]) -> None:
        now = self._clock.now()
        self._queues[notification.receiver].jobs.append(Job(notification, positions, now, now))

    def pending(self) -> int:
        return sum(len(q.jobs) for q in self._queues.values())

    def next_due(self) -> datetime | None:
        return min((q.jobs[0].next_try_at for q in self._queues.values() if q.jobs), default=None)

    def run_due(self) -> list[Event[P]]:
        """Try every receiver's due head (and the jobs behind it while they succeed)."""
        return list(self.attempts_due())

    def attempts_due(self, before_first: Callable[[Job[P]], None] | None = None) -> Iterator[Event[P]]:
        """`run_due` one attempt at a time: each event is yielded before the next send, so the caller can
        record it first. `before_first(job)` runs before a job's first send (e.g. to record the attempt);
        if it raises, nothing is sent and the job stays at the head of its queue."""
        for name, queue in self._queues.items():
            for _ in range(MAX_ATTEMPTS_PER_RUN):
                if not queue.jobs or queue.jobs[0].next_try_at > self._clock.now():
                    break
                job = queue.jobs[0]
                if before_first is not None and job.attempts == 0:
                    before_first(job)
                event = self._attempt(self.receivers[name], job)
                if event.final:
                    queue.jobs.popleft()  # before yielding: a caller that stops here must not resend it
                yield event
                if not event.final:
                    break

    def drop(self, keep: Callable[[P], bool]) -> list[Job[P]]:
        """Forget jobs holding a position `keep` rejects (a revoked partition); the new owner redoes them."""
        return self.drop_jobs(lambda job: not all(keep(p) for p in job.positions))

    def drop_jobs(self, reject: Callable[[Job[P]], bool]) -> list[Job[P]]:
        """Forget the jobs `reject` names; return them."""
        dropped: list[Job[P]] = []
        for queue in self._queues.values():
            kept = deque(j for j in queue.jobs if not reject(j))
            dropped += [j for j in queue.jobs if j not in kept]
            queue.jobs = kept
        return dropped

    def queued(self, notification_id: str) -> bool:
        return any(j.notification.id == notification_id for q in self._queues.values() for j in q.jobs)

    def _attempt(self, receiver: Receiver, job: Job[P]) -> Event[P]:
        job.attempts += 1
        message = job.notification
        try:
            verdict: Verdict = (
                receiver.send(message)
                if isinstance(message, Notification)
                else receiver.send_digest(message)
                if isinstance(message, Digest)
                else receiver.send_follow_up(message)
            )
        except Exception as exc:  # a receiver bug must not lose the job or stop the others
            log.exception("receiver %s raised; will retry", receiver.name)
            verdict = Retry(f"internal_{type(exc).__name__}")
        now = self._clock.now()
        if isinstance(verdict, Delivered):
            return Event(job, "delivered", "ok", "", now)
        if isinstance(verdict, Permanent):
            return Event(job, "failed", verdict.reason, verdict.detail, now)
        assert isinstance(verdict, Retry)
        job.last_reason = verdict.reason
        if verdict.reason in OUTCOME_UNKNOWN:
            job.notification = replace(job.notification, possible_repeat=True)
        if now - job.enqueued_at >= self._give_up_after:
            detail = f"still failing ({verdict.reason}) after {job.attempts} attempts"
            return Event(job, "failed", "gave_up", detail, now)
        job.next_try_at = now + self._backoff.delay(job.attempts, verdict.after)
        return Event(job, "retried", verdict.reason, f"next try at {job.next_try_at:%H:%M:%S}", now)
