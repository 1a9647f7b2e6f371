"""Warm-up bookkeeping: replayed records, held live records, replays that end on an empty offset."""

from __future__ import annotations

from kafka.structs import TopicPartition

from services.alert.warmup import WarmUp

A, B = TopicPartition("t", 0), TopicPartition("t", 1)


def test_records_below_the_live_offset_only_replay() -> None:
    warmup = WarmUp()
    warmup.start({A: 3}, {A: 0})
    assert warmup.replays(A, 2)
    assert not warmup.replays(A, 3)


def test_live_records_wait_while_another_partition_replays() -> None:
    warmup = WarmUp()
    warmup.start({A: 3, B: 0}, {A: 0, B: 0})
    assert warmup.holds(B, 0)
    assert not warmup.holds(A, 1), "a replayed record is never held"
    assert not warmup.holds(A, 3), "the last replaying partition's first live record ends the warm-up"
    assert not warmup.holds(B, 0)


def test_a_replay_ending_on_an_offset_without_a_record_still_ends() -> None:
    warmup = WarmUp()
    warmup.start({A: 5}, {A: 0})
    warmup.advance({A: 4})
    assert warmup.warming == {A}
    warmup.advance({A: 5})
    assert warmup.warming == frozenset()


def test_partitions_with_nothing_to_replay_are_live_at_once() -> None:
    warmup = WarmUp()
    warmup.start({A: 2, B: 7}, {A: 2, B: 7})
    assert warmup.warming == frozenset()
    assert not warmup.holds(A, 2)
