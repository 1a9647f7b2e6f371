"""Offset continuity: notice when the stream skipped offsets of a partition, and say where to read again.

Faust can drop messages it has already fetched: when table recovery completes, or a rebalance ends, it
clears the queues between its fetcher and the agents, and a message fetched just before that is never
delivered, though the fetcher has moved past it. A worker that keeps running would never classify it, and
Faust's own commits can pass it (its gap check lets one missing offset through): the worker therefore
commits each partition at its frontier, below which nothing is left unprocessed (see `agents.py`).

The articles and trend-input topics are not compacted and newsmon writes no transactions, so their offsets
are contiguous: any jump forward is a hole. `OffsetContinuity` keeps, per partition, the *frontier* (the
lowest offset not yet processed) and the processed offsets above it. A hole asks for one seek back to the
frontier; if the frontier then stays put while work goes on above it (the seek itself lost a race with a
fetch in flight), `stalled` asks again. It asks too when the frontier stays below the end of the
partition: a hole at the tail, which no later message reveals.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass
class _Partition:
    frontier: int
    above: set[int] = field(default_factory=set)
    checked: int | None = None  # the frontier when `stalled` last looked, while a hole was open


@dataclass
class OffsetContinuity(Generic[K]):
    """Per partition key: the next offset that must be processed, and the holes in front of it."""

    _partitions: dict[K, _Partition] = field(default_factory=dict)

    def known(self, key: K) -> bool:
        return key in self._partitions

    def start(self, key: K, frontier: int) -> None:
        """Track `key` from `frontier`, the offset its consumer was positioned at (the committed one)."""
        self._partitions[key] = _Partition(frontier)

    def processed(self, key: K, offset: int) -> int | None:
        """Record one processed offset; return the offset to read again from when it reveals a new hole."""
        state = self._partitions.get(key)
        if state is None:
            self._partitions[key] = _Partition(offset + 1)
            return None
        if offset < state.frontier or offset in state.above:
            return None  # read again after a seek, or a repeat
        if offset > state.frontier:
            new_hole = not state.above
            state.above.add(offset)
            return state.frontier if new_hole else None
        state.frontier += 1
        while state.frontier in state.above:
            state.above.remove(state.frontier)
            state.frontier += 1
        return None

    def stalled(self, ends: Mapping[K, int] | None = None) -> dict[K, int]:
        """Partitions to read again from their frontier, because it has not moved since the previous call
        while a hole was open or, given each partition's end offset, while messages below the end wait.

        Call it periodically (every few seconds), so a partition gets at least one full period to move on.
        The end offsets catch a hole at the tail: when Faust drops the last messages it fetched, no later
        message reveals the hole, and without a seek they would wait for the partition's next message.
        """
        ends = ends or {}
        again: dict[K, int] = {}
        for key, state in self._partitions.items():
            if not state.above and ends.get(key, state.frontier) <= state.frontier:
                state.checked = None
                continue
            if state.checked == state.frontier:
                again[key] = state.frontier
            state.checked = state.frontier
        return again

    def frontier(self, key: K) -> int | None:
        state = self._partitions.get(key)
        return None if state is None else state.frontier

    def retain(self, keys: Iterable[K]) -> None:
        """Forget partitions no longer assigned; whoever owns them next starts from the committed offset."""
        kept = set(keys)
        self._partitions = {k: v for k, v in self._partitions.items() if k in kept}
