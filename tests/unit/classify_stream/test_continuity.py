"""Offset continuity: holes in a partition are found, read again, and asked for again while open."""

from __future__ import annotations

from services.classify.continuity import OffsetContinuity

P0 = ("articles", 0)
P1 = ("articles", 1)


def test_contiguous_offsets_advance_the_frontier_and_ask_for_nothing() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 10)
    assert [continuity.processed(P0, o) for o in range(10, 15)] == [None] * 5
    assert continuity.frontier(P0) == 15
    assert continuity.stalled() == {}


def test_a_skipped_offset_asks_to_read_again_from_the_hole_once() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 0)
    continuity.processed(P0, 0)
    assert continuity.processed(P0, 3) == 1
    assert continuity.processed(P0, 4) is None, "the hole is already being read again"
    assert continuity.frontier(P0) == 1


def test_reading_the_hole_again_closes_it_and_the_frontier_jumps_past_what_was_done() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 0)
    for offset in (0, 3, 4, 1, 2, 3, 4):
        continuity.processed(P0, offset)
    assert continuity.frontier(P0) == 5
    continuity.stalled()
    assert continuity.stalled() == {}


def test_a_hole_at_the_very_start_is_found_from_the_committed_offset() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 100)
    assert continuity.processed(P0, 104) == 100


def test_a_hole_still_open_a_full_period_later_is_asked_for_again() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 0)
    continuity.start(P1, 0)
    continuity.processed(P0, 2)
    continuity.processed(P1, 0)
    assert continuity.stalled() == {}, "a hole gets one full period before it is asked for again"
    continuity.processed(P0, 3)
    assert continuity.stalled() == {P0: 0}
    assert continuity.stalled() == {P0: 0}, "and again every period while it stays open"
    continuity.processed(P0, 0)
    continuity.processed(P0, 1)
    assert continuity.stalled() == {}


def test_an_offset_below_the_frontier_is_a_repeat_and_changes_nothing() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 5)
    continuity.processed(P0, 5)
    assert continuity.processed(P0, 2) is None
    assert continuity.frontier(P0) == 6


def test_an_untracked_partition_starts_at_its_first_offset() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    assert continuity.processed(P0, 7) is None
    assert continuity.frontier(P0) == 8


def test_revoked_partitions_are_forgotten() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 0)
    continuity.start(P1, 0)
    continuity.retain([P1])
    assert not continuity.known(P0)
    assert continuity.known(P1)


def test_messages_left_unprocessed_at_the_end_of_a_partition_are_read_again_a_full_period_later() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 10)
    continuity.processed(P0, 10)  # 11 and 12 were fetched and dropped; nothing follows them
    assert continuity.stalled({P0: 13}) == {}, "they get one full period to arrive"
    assert continuity.stalled({P0: 13}) == {P0: 11}
    continuity.processed(P0, 11)
    assert continuity.stalled({P0: 13}) == {}, "the frontier moved: work is under way"
    continuity.processed(P0, 12)
    assert continuity.stalled({P0: 13}) == {}
    assert continuity.stalled({P0: 13}) == {}, "caught up with the end"


def test_a_partition_read_to_its_end_is_never_sought_back() -> None:
    continuity: OffsetContinuity[tuple[str, int]] = OffsetContinuity()
    continuity.start(P0, 0)
    for offset in range(5):
        continuity.processed(P0, offset)
    assert continuity.stalled({P0: 5}) == {}
    assert continuity.stalled({P0: 5}) == {}
