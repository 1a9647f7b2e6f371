"""Acknowledged situations in the notify stage: quiet while nothing new comes in; notified again, naming
who acknowledged, on a new independent source or a higher severity; and the "acknowledged by" follow-up
to the receivers that got the situation, once, across a restart."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from prometheus_client import CollectorRegistry

from schemas import Acknowledgement, Alert, DeliveryRecord, Severity, decode
from services.alert.acks import NEW_SOURCE, acknowledge, summarise, view_for
from services.alert.config import AckOptions, AlertingOptions
from services.alert.delivery import Dispatcher
from services.alert.grouping import Grouper, Timing
from services.alert.metrics import AlertMetrics
from services.alert.notification import FollowUp, Notification
from services.alert.notify import NotifyStage
from services.alert.offsets import Position
from services.alert.receivers.text import follow_up_text, render_text
from services.alert.retry import Backoff, Delivered, Verdict
from services.alert.routing import Router
from services.alert.silences import SilenceStore
from streambase.clock import ManualClock
from streambase.deadletters import DeadLetterSink
from streambase.settings import DeadLetterLimit
from tests.unit.alert.factories import T0
from tests.unit.alert.test_grouping import alert
from tests.unit.alert.test_notify_stage import TOPICS, FakeConsumer, FakeProducer, feed

OPTIONS = AckOptions()


@dataclass
class OwningConsumer(FakeConsumer):
    """The alerts topic has one partition, and this replica owns it."""

    def partitions_for_topic(self, topic: str) -> set[int]:
        return {0}


@dataclass
class Desk:
    """A receiver that takes everything and keeps it."""

    name: str = "slack"
    got: list[Notification] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    def send(self, notification: Notification) -> Verdict:
        self.got.append(notification)
        return Delivered()

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        self.follow_ups.append(follow_up)
        return Delivered()


@dataclass
class Replica:
    stage: NotifyStage
    consumer: OwningConsumer
    producer: FakeProducer
    metrics: AlertMetrics
    read: int = 0

    def poll(self) -> None:
        """One loop: poll, then read back the delivery records written, as the followed table would."""
        self.stage.poll_once(0)
        self.sync()

    def sync(self) -> None:
        written = [v for t, v in self.producer.sent if t == TOPICS.delivery]
        for value in written[self.read :]:
            record = decode(DeliveryRecord, value)
            self.stage.apply_delivery(record.notification_id, record)
        self.read = len(written)

    def suppressed(self, reason: str) -> float:
        return (
            self.metrics.registry.get_sample_value("newsmon_alert_suppressed_total", {"reason": reason})
            or 0.0
        )


def replica(clock: ManualClock, desk: Desk, producer: FakeProducer | None = None) -> Replica:
    consumer, producer = OwningConsumer(), producer or FakeProducer()
    metrics = AlertMetrics(CollectorRegistry())
    timing = Timing(timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=4))
    stage = NotifyStage(
        consumer,
        producer,
        TOPICS,
        Grouper[Position](timing),
        SilenceStore(),
        Router(AlertingOptions(), ["slack"]),
        Dispatcher[Position]({"slack": desk}, clock, Backoff(), timedelta(hours=1)),
        None,
        clock,
        metrics,
        DeadLetterSink(producer, TOPICS.deadletter, "alert", clock.now, clock.monotonic, DeadLetterLimit()),  # type: ignore[arg-type]
        commit_interval=timedelta(0),
    )
    stage.live = True
    return Replica(stage, consumer, producer, metrics)


def firing(article: str, sources: int, severity: Severity = Severity.HIGH, source: str = "Wire One") -> Alert:
    """An alert of the one situation, counting `sources` independent reports, quoting `source`."""
    return alert(article, source).model_copy(update={"distinct_sources": sources, "severity": severity})


def notified(clock: ManualClock, desk: Desk, *alerts: Alert) -> Replica:
    """A replica that has sent the situation to `desk` with these alerts."""
    r = replica(clock, desk)
    feed(r.consumer, *alerts)
    r.poll()
    clock.advance(30)
    r.poll()
    assert len(desk.got) == 1
    return r


def acknowledged(r: Replica, now: datetime, by: str = "Dana", comment: str = "on it") -> Acknowledgement:
    situation = alert("a").fingerprint
    view = summarise(situation, r.stage.situations.records(situation), None)
    assert view is not None
    ack = acknowledge(view, by, comment, now, "link", OPTIONS, nonce="0011223344556677")
    r.stage.acks.apply(situation, ack)
    return ack


def test_an_acknowledged_situation_stays_quiet_when_nothing_new_comes_in() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    acknowledged(r, clock.now())
    clock.advance(timedelta(hours=5))  # past repeat_interval: without the acknowledgement it is sent again
    feed(r.consumer, firing("b", 2), start=1)
    r.poll()
    clock.advance(60)
    r.poll()
    assert len(desk.got) == 1
    assert r.suppressed("acknowledged") == 1


def test_without_an_acknowledgement_the_same_alert_is_sent_again_after_repeat_interval() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    clock.advance(timedelta(hours=5))
    feed(r.consumer, firing("b", 2), start=1)
    r.poll()
    clock.advance(60)
    r.poll()
    assert len(desk.got) == 2


def test_a_new_independent_source_is_notified_saying_who_acknowledged_earlier() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    acknowledged(r, clock.now())
    clock.advance(timedelta(minutes=10))
    feed(r.consumer, firing("b", 3, source="Wire Three"), start=1)
    r.poll()
    clock.advance(timedelta(minutes=5))
    r.poll()
    assert len(desk.got) == 2
    note = desk.got[1].acknowledged
    assert note is not None
    assert (note.by, note.reason, note.comment) == ("Dana", NEW_SOURCE, "on it")
    assert "Acknowledged earlier by Dana (2025-06-17 12:00 UTC); sent again: a new independent source." in (
        render_text(desk.got[1])
    )


def test_a_higher_severity_is_notified_saying_who_acknowledged_earlier() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    acknowledged(r, clock.now())
    clock.advance(timedelta(minutes=10))
    feed(r.consumer, firing("b", 2, Severity.CRITICAL), start=1)
    r.poll()
    clock.advance(timedelta(minutes=5))
    r.poll()
    assert len(desk.got) == 2
    assert "Acknowledged earlier by Dana" in render_text(desk.got[1])
    assert "a higher severity" in render_text(desk.got[1])


def test_an_acknowledgement_stops_holding_after_its_horizon() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    acknowledged(r, clock.now())
    clock.advance(OPTIONS.holds_for + timedelta(hours=5))
    feed(r.consumer, firing("b", 2), start=1)
    r.poll()
    clock.advance(60)
    r.poll()
    assert len(desk.got) == 2
    assert desk.got[1].acknowledged is None


def test_alerts_waiting_in_their_group_when_the_situation_is_acknowledged_are_not_sent() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    clock.advance(timedelta(minutes=1))
    feed(r.consumer, firing("b", 3, source="Wire Three"), start=1)  # news, waiting for group_interval
    r.poll()
    situation = alert("a").fingerprint
    view = summarise(situation, r.stage.situations.records(situation), None)
    assert view is not None
    later = acknowledge(view, "Dana", "", clock.now(), "cli", OPTIONS)
    r.stage.acks.apply(situation, later.model_copy(update={"distinct_sources": 3}))  # saw the third already
    clock.advance(timedelta(minutes=5))
    r.poll()
    assert len(desk.got) == 1
    assert r.consumer.commits[-1] == 2, "the held alert is let go: its offset is committed"


def test_the_follow_up_goes_once_to_the_receivers_that_got_the_situation_even_after_a_restart() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    ack = acknowledged(r, clock.now() + timedelta(minutes=3), comment="calling the bureau")
    clock.advance(timedelta(minutes=3))
    r.poll()
    r.poll()
    [follow_up] = desk.follow_ups
    assert follow_up.text == "Acknowledged by Dana (calling the bureau)"
    assert follow_up.fingerprint == ack.situation
    assert "Acknowledged by Dana (calling the bureau)" in follow_up_text(follow_up)
    kinds = [decode(DeliveryRecord, v) for t, v in r.producer.sent if t == TOPICS.delivery]
    assert [(k.kind, k.status) for k in kinds][-2:] == [("ack", "pending"), ("ack", "delivered")]
    seconds = r.metrics.registry.get_sample_value("newsmon_alert_time_to_ack_seconds_sum")
    assert seconds == 180, "from the first notification (T0 + 30s) to the acknowledgement (T0 + 3m 30s)"
    assert r.metrics.registry.get_sample_value("newsmon_alert_acks_total", {"channel": "link"}) == 1

    restarted_desk = Desk()
    restarted = replica(clock, restarted_desk, r.producer)  # reads the same delivery records
    restarted.sync()
    restarted.stage.acks.apply(ack.situation, ack)
    restarted.poll()
    assert restarted_desk.follow_ups == []
    acks = restarted.metrics.registry.get_sample_value("newsmon_alert_acks_total", {"channel": "link"})
    assert not acks, "an acknowledgement is counted once, not again by a restarted replica"


def test_an_acknowledgement_needs_a_name_and_bounds_what_it_records() -> None:
    clock, desk = ManualClock(T0), Desk()
    r = notified(clock, desk, firing("a", 2))
    situation = alert("a").fingerprint
    view = view_for(situation, r.stage.situations.records(situation), None, clock.now(), OPTIONS)
    assert view is not None
    assert (view.distinct_sources, view.severity, view.receivers) == (2, Severity.HIGH, ("slack",))
    with pytest.raises(ValueError, match="name is needed"):
        acknowledge(view, "  ", "", clock.now(), "link", OPTIONS)
    with pytest.raises(ValueError, match="longer than 500"):
        acknowledge(view, "Dana", "x" * 501, clock.now(), "link", OPTIONS)
    ack = acknowledge(view, " Dana\n  Smith ", "", clock.now(), "link", OPTIONS, nonce="aa")
    again = acknowledge(view, "Lee", "", clock.now(), "link", OPTIONS, nonce="bb", previous=ack)
    assert ack.by == "Dana Smith"
    assert again.used_nonces == ("aa", "bb"), "a link used before stays refused after a newer one"
    assert ack.holds_until == clock.now() + OPTIONS.holds_for
    assert ack.remember_until == clock.now() + OPTIONS.link_valid_for
