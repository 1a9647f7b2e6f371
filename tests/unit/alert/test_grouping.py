from __future__ import annotations

from datetime import timedelta

from schemas import Alert, DeliveryRecord, Severity
from services.alert.engine import RuleEngine
from services.alert.grouping import Grouper, Outcome, Timing
from services.alert.rules import ArticleRule
from streambase.clock import ManualClock
from tests.unit.alert.factories import T0, classified

TIMING = Timing(
    group_wait=timedelta(seconds=30), group_interval=timedelta(minutes=5), repeat_interval=timedelta(hours=4)
)
RULE = ArticleRule(id="usw", kind="article", signals=("us_intervention_warning",))


def alert(article_id: str, source: str = "Wire One", severity: Severity = Severity.HIGH) -> Alert:
    rule = RULE.model_copy(update={"severity": severity})
    return RuleEngine([rule]).observe_article(
        classified(article_id, "us_intervention_warning", source=source), T0
    )[0]


def test_a_new_situation_waits_group_wait_and_gathers_what_follows() -> None:
    clock = ManualClock(T0)
    grouper: Grouper[int] = Grouper(TIMING)
    assert grouper.add(alert("a"), clock.now(), 1) is Outcome.QUEUED
    clock.advance(10)
    assert grouper.add(alert("b", "Wire Two"), clock.now(), 2) is Outcome.GROUPED
    assert grouper.due(clock.now()) == []
    clock.advance(20)
    [batch] = grouper.due(clock.now())
    assert [a.summary for a in batch.alerts] == ["Story a", "Story b"]
    assert batch.positions == [1, 2]


def test_the_same_alert_twice_is_a_duplicate_before_and_after_sending() -> None:
    clock = ManualClock(T0)
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.add(alert("a"), clock.now())
    assert grouper.add(alert("a"), clock.now()) is Outcome.DUPLICATE
    clock.advance(30)
    grouper.due(clock.now())
    clock.advance(timedelta(hours=5))
    assert grouper.add(alert("a"), clock.now()) is Outcome.DUPLICATE


def test_nothing_new_within_repeat_interval_is_suppressed_then_sent_after_it() -> None:
    clock = ManualClock(T0)
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.add(alert("a"), clock.now())
    clock.advance(30)
    assert len(grouper.due(clock.now())) == 1
    clock.advance(timedelta(hours=1))
    assert grouper.add(alert("b"), clock.now()) is Outcome.REPEAT
    clock.advance(timedelta(hours=3))
    assert grouper.add(alert("c"), clock.now()) is Outcome.QUEUED
    assert grouper.next_flush() == clock.now() + TIMING.group_wait


def test_a_new_source_during_an_ongoing_situation_waits_for_group_interval() -> None:
    clock = ManualClock(T0)
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.add(alert("a"), clock.now())
    clock.advance(30)
    sent_at = clock.now()
    grouper.due(sent_at)
    clock.advance(60)
    assert grouper.add(alert("b", "Wire Two"), clock.now()) is Outcome.QUEUED
    assert grouper.next_flush() == sent_at + TIMING.group_interval
    clock.advance(timedelta(minutes=3))
    assert grouper.due(clock.now()) == []
    clock.advance(timedelta(minutes=1))
    assert len(grouper.due(clock.now())) == 1


def test_a_higher_severity_breaks_through_repeat_interval() -> None:
    clock = ManualClock(T0)
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.add(alert("a"), clock.now())
    clock.advance(30)
    grouper.due(clock.now())
    assert grouper.add(alert("b", severity=Severity.CRITICAL), clock.now()) is Outcome.QUEUED


def test_delivery_records_restore_what_was_already_notified() -> None:
    first = alert("a")
    record = DeliveryRecord(
        notification_id="slack:x",
        alert_id=first.id,
        receiver="slack",
        status="delivered",
        attempts=1,
        updated_at=T0,
        fingerprint=first.fingerprint,
        alert_ids=(first.id,),
        sources=("Wire One",),
        severity=Severity.HIGH,
    )
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.restore(record)
    later = T0 + timedelta(minutes=10)
    assert grouper.add(alert("b"), later) is Outcome.REPEAT
    assert grouper.add(alert("c", "Wire Two"), later) is Outcome.QUEUED
    assert grouper.next_flush() == later  # group_interval after the restored delivery has passed


def test_an_alert_resumed_after_a_restart_is_finished_at_once() -> None:
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.add(alert("a"), T0)
    grouper.due(T0 + timedelta(seconds=30))
    later = T0 + timedelta(minutes=1)
    assert grouper.add(alert("b"), later, resume=True) is Outcome.QUEUED
    assert len(grouper.due(later)) == 1


def test_pending_batches_of_a_revoked_partition_are_dropped() -> None:
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.add(alert("a"), T0, 7)
    assert [b.positions for b in grouper.drop_pending(lambda p: p != 7)] == [[7]]
    assert grouper.next_flush() is None


def test_alerts_handed_back_in_a_rebalance_are_taken_again_when_replayed() -> None:
    grouper: Grouper[int] = Grouper(TIMING)
    grouper.add(alert("a"), T0, 1)
    [batch] = grouper.due(T0 + timedelta(seconds=30))  # dispatched, but its send is then abandoned
    later = T0 + timedelta(minutes=1)
    assert grouper.add(alert("a"), later, 1) is Outcome.DUPLICATE
    grouper.forget(batch.alerts)
    assert grouper.add(alert("a"), later, 1) is Outcome.QUEUED
    assert grouper.next_flush() == later + TIMING.group_wait
