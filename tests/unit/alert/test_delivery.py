from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from kafka.errors import KafkaTimeoutError

from services.alert.delivery import MAX_ATTEMPTS_PER_RUN, Dispatcher, Job
from services.alert.notification import Notification
from services.alert.retry import Backoff, Delivered, Permanent, Retry, Verdict
from streambase.clock import ManualClock
from tests.unit.alert.factories import T0
from tests.unit.alert.test_grouping import alert


@dataclass
class ScriptedReceiver:
    """Answers from a script (then Delivered); records what it was asked to send."""

    name: str
    script: list[Verdict] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)

    def send(self, notification: Notification) -> Verdict:
        self.sent.append(notification.summary)
        return self.script.pop(0) if self.script else Delivered()


def note(receiver: str, article_id: str) -> Notification:
    a = alert(article_id)
    return Notification(receiver, a.fingerprint, (a,))


def dispatcher(clock: ManualClock, *receivers: ScriptedReceiver) -> Dispatcher[int]:
    return Dispatcher(
        {r.name: r for r in receivers},
        clock,
        Backoff(timedelta(seconds=1), timedelta(seconds=8)),
        timedelta(hours=1),
    )


def test_a_receiver_that_is_down_holds_its_queue_and_then_delivers_in_order() -> None:
    clock = ManualClock(T0)
    slack = ScriptedReceiver("slack", [Retry("http_503"), Retry("http_503")])
    queue = dispatcher(clock, slack)
    for n in range(3):
        queue.enqueue(note("slack", f"n{n}"), [n])
    assert [e.outcome for e in queue.run_due()] == ["retried"]
    clock.advance(1)
    assert [e.outcome for e in queue.run_due()] == ["retried"]
    assert queue.run_due() == []
    clock.advance(2)
    events = queue.run_due()
    assert [e.outcome for e in events] == ["delivered"] * 3
    assert [e.job.positions for e in events] == [[0], [1], [2]]
    assert slack.sent == ["Story n0", "Story n0", "Story n0", "Story n1", "Story n2"]


def test_retry_after_decides_the_next_attempt() -> None:
    clock = ManualClock(T0)
    queue = dispatcher(clock, ScriptedReceiver("slack", [Retry("rate_limited", 30)]))
    queue.enqueue(note("slack", "a"), [])
    queue.run_due()
    assert queue.next_due() == T0 + timedelta(seconds=30)


def test_a_permanent_refusal_ends_the_job_as_failed_and_the_queue_moves_on() -> None:
    clock = ManualClock(T0)
    queue = dispatcher(clock, ScriptedReceiver("slack", [Permanent("http_404", "no_service")]))
    queue.enqueue(note("slack", "a"), [1])
    queue.enqueue(note("slack", "b"), [2])
    events = queue.run_due()
    assert [(e.outcome, e.reason) for e in events] == [("failed", "http_404"), ("delivered", "ok")]


def test_a_receiver_still_failing_after_give_up_after_is_recorded_as_failed() -> None:
    clock = ManualClock(T0)
    queue = dispatcher(clock, ScriptedReceiver("slack", [Retry("connection_error")] * 1000))
    queue.enqueue(note("slack", "a"), [])
    outcomes = []
    while queue.pending():
        outcomes += [e.reason for e in queue.run_due()]
        clock.advance(10)
    assert outcomes[-1] == "gave_up"
    assert clock.now() - T0 >= timedelta(hours=1)


def test_one_receiver_down_does_not_hold_up_another() -> None:
    clock = ManualClock(T0)
    slack = ScriptedReceiver("slack", [Retry("http_500")])
    email = ScriptedReceiver("email")
    queue = dispatcher(clock, slack, email)
    queue.enqueue(note("slack", "a"), [])
    queue.enqueue(note("email", "a"), [])
    assert sorted((e.job.notification.receiver, e.outcome) for e in queue.run_due()) == [
        ("email", "delivered"),
        ("slack", "retried"),
    ]


def test_a_long_backlog_is_sent_in_slices_so_the_consumer_keeps_polling() -> None:
    clock = ManualClock(T0)
    queue = dispatcher(clock, ScriptedReceiver("slack"))
    for n in range(MAX_ATTEMPTS_PER_RUN + 5):
        queue.enqueue(note("slack", f"n{n}"), [n])
    assert len(queue.run_due()) == MAX_ATTEMPTS_PER_RUN
    assert len(queue.run_due()) == 5


def test_jobs_of_a_revoked_partition_are_dropped() -> None:
    clock = ManualClock(T0)
    queue = dispatcher(clock, ScriptedReceiver("slack"))
    queue.enqueue(note("slack", "a"), [1])
    queue.enqueue(note("slack", "b"), [2])
    assert [j.positions for j in queue.drop(lambda p: p != 1)] == [[1]]
    assert queue.pending() == 1


def test_ten_minutes_of_outage_then_everything_once_in_order() -> None:
    clock = ManualClock(T0)
    outage_ends = T0 + timedelta(minutes=10)

    @dataclass
    class DownForTenMinutes:
        name: str = "slack"
        sent: list[str] = field(default_factory=list)
        at: list[timedelta] = field(default_factory=list)

        def send(self, notification: Notification) -> Verdict:
            if clock.now() < outage_ends:
                return Retry("http_503")
            self.sent.append(notification.summary)
            self.at.append(clock.now() - outage_ends)
            return Delivered()

    slack = DownForTenMinutes()
    queue: Dispatcher[int] = Dispatcher({"slack": slack}, clock, Backoff(), timedelta(hours=6))
    for n in range(10):  # one new notification a minute during the outage
        queue.enqueue(note("slack", f"m{n}"), [n])
        for _ in range(60):
            queue.run_due()
            clock.advance(1)
    while queue.pending():
        queue.run_due()
        clock.advance(1)
    assert slack.sent == [f"Story m{n}" for n in range(10)]
    assert max(slack.at) <= timedelta(minutes=1), "the backoff is capped at a minute"


def test_after_a_timeout_the_next_try_is_marked_as_a_possible_repeat() -> None:
    clock = ManualClock(T0)
    got: list[bool] = []

    @dataclass
    class SlowThenFine:
        name: str = "slack"
        script: list[Verdict] = field(default_factory=lambda: [Retry("http_503"), Retry("timeout")])

        def send(self, notification: Notification) -> Verdict:
            got.append(notification.possible_repeat)
            return self.script.pop(0) if self.script else Delivered()

    queue: Dispatcher[int] = Dispatcher({"slack": SlowThenFine()}, clock, Backoff(), timedelta(hours=1))
    queue.enqueue(note("slack", "a"), [])
    while queue.pending():
        queue.run_due()
        clock.advance(1)
    assert got == [False, False, True], "a 503 proves nothing arrived; after a timeout it may have"


def test_a_job_whose_attempt_cannot_be_recorded_is_not_sent_and_keeps_its_place() -> None:
    clock = ManualClock(T0)
    slack = ScriptedReceiver("slack")
    queue = dispatcher(clock, slack)
    queue.enqueue(note("slack", "a"), [1])

    def broker_away(job: Job[int]) -> None:
        raise KafkaTimeoutError("the broker is away")

    with pytest.raises(KafkaTimeoutError):
        list(queue.attempts_due(broker_away))
    assert slack.sent == []
    recorded: list[int] = []
    events = list(queue.attempts_due(lambda job: recorded.append(job.attempts)))
    assert [e.outcome for e in events] == ["delivered"]
    assert recorded == [0], "recorded once, before the first send"
