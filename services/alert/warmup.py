"""Warm-up after an assignment: which records only rebuild rule state, and when live evaluation may begin.

A window rule fires on the record that completes its count, so a live record must not be judged while an
older record of another partition still waits to be replayed: the count would complete during warm-up,
where results are discarded, and the alert would never fire. Live records are therefore held back (read
again later) until every partition has replayed its history. Kafka returns partitions in no particular
order, so this is decided per record, not per poll.
"""

from __future__ import annotations

from collections.abc import Mapping

from kafka.structs import TopicPartition


class WarmUp:
    def __init__(self) -> None:
        self._live_from: dict[TopicPartition, int] = {}
        self._warming: set[TopicPartition] = set()

    def start(self, live_from: Mapping[TopicPartition, int], positions: Mapping[TopicPartition, int]) -> None:
        """A new assignment: each partition replays from its position up to `live_from`."""
        self._live_from = dict(live_from)
        self._warming = {tp for tp, offset in live_from.items() if positions[tp] < offset}

    def replays(self, tp: TopicPartition, offset: int) -> bool:
        """Whether this record only rebuilds state (its results are discarded)."""
        return offset < self._live_from.get(tp, 0)

    def holds(self, tp: TopicPartition, offset: int) -> bool:
        """Whether this live record must wait: other partitions are still replaying."""
        if self.replays(tp, offset):
            return False
        self._warming.discard(tp)
        return bool(self._warming)

    def advance(self, positions: Mapping[TopicPartition, int]) -> None:
        """Note where replaying partitions stand: a replay may end on an offset that holds no record."""
        self._warming = {tp for tp in self._warming if positions[tp] < self._live_from[tp]}

    @property
    def warming(self) -> frozenset[TopicPartition]:
        return frozenset(self._warming)
