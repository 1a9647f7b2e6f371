"""Silences: mute alerts whose labels match, for a while. Kept in a compacted topic every replica reads."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from schemas import Silence


class SilenceStore:
    """The latest version of every silence, by id; later versions (e.g. expiry) replace earlier ones."""

    def __init__(self, silences: Iterable[Silence] = ()) -> None:
        self._by_id: dict[str, Silence] = {}
        for silence in silences:
            self.apply(silence)

    def apply(self, silence: Silence) -> None:
        self._by_id[silence.id] = silence

    def remove(self, silence_id: str) -> None:
        self._by_id.pop(silence_id, None)

    def get(self, silence_id: str) -> Silence | None:
        return self._by_id.get(silence_id)

    def all(self) -> list[Silence]:
        return sorted(self._by_id.values(), key=lambda s: (s.starts_at, s.id))

    def active(self, now: datetime) -> list[Silence]:
        return [s for s in self.all() if s.active_at(now)]

    def muting(self, labels: dict[str, str], now: datetime) -> Silence | None:
        """The first active silence that matches `labels`, if any."""
        return next((s for s in self.active(now) if s.matches(labels)), None)


def parse_matchers(items: Iterable[str]) -> dict[str, str]:
    """`topic=iran_israel` pairs as typed on the command line; raise ValueError naming a bad one."""
    matchers: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise ValueError(f"matcher {item!r} must look like label=value, e.g. topic=iran_israel")
        matchers[name.strip()] = value.strip()
    if not matchers:
        raise ValueError("a silence needs at least one --match label=value")
    return matchers


def new_silence(
    matchers: dict[str, str], duration: timedelta, comment: str, created_by: str, now: datetime
) -> Silence:
    if duration <= timedelta(0):
        raise ValueError("a silence must last longer than zero")
    return Silence(
        id=f"s-{uuid.uuid4().hex[:12]}",
        matchers=matchers,
        starts_at=now,
        ends_at=now + duration,
        comment=comment,
        created_by=created_by,
        created_at=now,
    )


def expired(silence: Silence, now: datetime) -> Silence:
    """The silence ended at `now` (never extended: an already ended silence keeps its end)."""
    return silence.model_copy(update={"ends_at": min(silence.ends_at, max(now, silence.starts_at))})
