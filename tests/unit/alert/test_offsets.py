from __future__ import annotations

from services.alert.offsets import OffsetTracker, Position


def test_the_commit_point_stops_at_the_oldest_unfinished_alert() -> None:
    tracker = OffsetTracker()
    for offset in (10, 11, 12):
        tracker.consumed(Position("alerts", 0, offset))
    tracker.release(Position("alerts", 0, 10))
    tracker.release(Position("alerts", 0, 12))
    assert tracker.committable() == {("alerts", 0): 11}
    tracker.release(Position("alerts", 0, 11))
    assert tracker.committable() == {("alerts", 0): 13}


def test_an_alert_sent_to_two_receivers_is_finished_when_both_are() -> None:
    tracker = OffsetTracker()
    position = Position("alerts", 1, 5)
    tracker.consumed(position)
    tracker.hold(position, 1)  # two receivers: one unit became two
    tracker.release(position)
    assert tracker.committable() == {("alerts", 1): 5}
    tracker.release(position)
    assert tracker.committable() == {("alerts", 1): 6}


def test_a_committed_offset_is_not_offered_again() -> None:
    tracker = OffsetTracker()
    tracker.consumed(Position("alerts", 0, 0))
    tracker.release(Position("alerts", 0, 0))
    tracker.committed(("alerts", 0), 1)
    assert tracker.committable() == {}


def test_the_first_unfinished_offset_is_the_oldest_alert_still_holding_work() -> None:
    tracker = OffsetTracker()
    for offset in (3, 4, 5):
        tracker.consumed(Position("alerts", 0, offset))
    tracker.release(Position("alerts", 0, 3))
    assert tracker.first_unfinished(("alerts", 0)) == 4
    tracker.release(Position("alerts", 0, 4))
    tracker.release(Position("alerts", 0, 5))
    assert tracker.first_unfinished(("alerts", 0)) is None
    assert tracker.first_unfinished(("alerts", 9)) is None
