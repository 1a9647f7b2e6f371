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
