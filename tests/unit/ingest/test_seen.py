"""Seen article ids: exact membership in little memory, forgotten a day at a time past the retention."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.ingest.seen import COMPACT_AT, SeenIds

DAY1 = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
DAY2 = DAY1 + timedelta(hours=2)


def test_an_added_id_is_seen_before_and_after_its_day_is_compacted() -> None:
    seen = SeenIds()
    ids = [f"u-{n:06d}" for n in range(COMPACT_AT + 10)]
    seen.update(ids, DAY1)
    assert all(i in seen for i in ids)
    assert "u-999999" not in seen
    assert len(seen) == len(ids)


def test_adding_an_id_twice_counts_it_once() -> None:
    seen = SeenIds()
    seen.add("u-1", DAY1)
    seen.add("u-1", DAY1)
    seen.compact()
    seen.add("u-1", DAY1)
    assert len(seen) == 1


def test_expiry_forgets_whole_days_that_ended_before_the_retention_start() -> None:
    seen = SeenIds()
    seen.add("old", DAY1)
    seen.add("new", DAY2)
    assert seen.expire(DAY1 + timedelta(minutes=30)) == 0, "DAY1's day has not ended by then"
    assert seen.expire(DAY2) == 1
    assert "old" not in seen
    assert "new" in seen


def test_a_deleted_mark_is_forgotten_wherever_it_is_kept() -> None:
    seen = SeenIds()
    seen.update([f"u-{n}" for n in range(100)], DAY1)
    seen.compact()
    seen.add("u-fresh", DAY2)
    seen.discard("u-42")
    seen.discard("u-fresh")
    assert "u-42" not in seen
    assert "u-fresh" not in seen
    assert "u-41" in seen
