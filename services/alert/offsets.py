"""Which offsets may be committed: only those below the oldest alert whose notifications are unfinished.

Each consumed alert holds a count of unfinished work (waiting in a group, then one delivery per receiver);
the partition's commit point stops at the first alert still holding any, so a crash replays it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class Position:
    topic: str
    partition: int
    offset: int


@dataclass
class _Partition:
    held: dict[int, int] = field(default_factory=dict)
    next_offset: int | None = None
    committed: int | None = None


class OffsetTracker:
    def __init__(self) -> None:
        self._parts: dict[tuple[str, int], _Partition] = {}

    def consumed(self, position: Position) -> None:
        """An alert arrived; it holds one unit of work until `release`d."""
        part = self._parts.setdefault((position.topic, position.partition), _Partition())
        part.held[position.offset] = part.held.get(position.offset, 0) + 1
        following = position.offset + 1
        part.next_offset = following if part.next_offset is None else max(part.next_offset, following)

    def hold(self, position: Position, units: int) -> None:
        part = self._parts.get((position.topic, position.partition))
        if part is not None and units > 0:
            part.held[position.offset] = part.held.get(position.offset, 0) + units

    def release(self, position: Position) -> None:
        part = self._parts.get((position.topic, position.partition))
        if part is None or position.offset not in part.held:
            return
        part.held[position.offset] -= 1
        if part.held[position.offset] <= 0:
            del part.held[position.offset]

    def first_unfinished(self, key: tuple[str, int]) -> int | None:
        """The oldest offset of the partition whose work is not done: where reading must start again for
        none of it to be lost once this replica lets that work go. None when nothing is unfinished."""
        part = self._parts.get(key)
        return min(part.held) if part is not None and part.held else None

    def pending(self) -> int:
        return sum(len(p.held) for p in self._parts.values())

    def committable(self) -> dict[tuple[str, int], int]:
        """Per partition, the offset to commit now, only where it moved since the last call."""
        moves = {}
        for key, part in self._parts.items():
            target = min(part.held) if part.held else part.next_offset
            if target is not None and target != part.committed:
                moves[key] = target
        return moves

    def committed(self, key: tuple[str, int], offset: int) -> None:
        if key in self._parts:
            self._parts[key].committed = offset

    def forget(self, keys: set[tuple[str, int]]) -> None:
        """Partitions this replica no longer owns."""
        for key in keys:
            self._parts.pop(key, None)
